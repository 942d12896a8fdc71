/**
 * bptt4j: fused SIMD kernels for training recurrent neural networks on the CPU.
 *
 * <p>{@link org.bptt4j} holds the public API (layer shape, parameter layout, workspace, the
 * {@link org.bptt4j.RecurrentLayer} contract); {@link org.bptt4j.reference} the scalar reference
 * that is the test oracle and benchmark baseline; {@link org.bptt4j.simd} the fused SIMD kernels;
 * {@link org.bptt4j.train} models, optimizers, truncated BPTT and checkpoints; {@link org.bptt4j.io}
 * the safetensors format.
 */
module org.bptt4j.kernels {
    requires jdk.incubator.vector;

    exports org.bptt4j;
    exports org.bptt4j.reference;
    exports org.bptt4j.io;
    exports org.bptt4j.simd;
    exports org.bptt4j.train;
}
