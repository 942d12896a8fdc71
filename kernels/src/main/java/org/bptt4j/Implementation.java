package org.bptt4j;

import java.util.Locale;

import org.bptt4j.internal.Checks;
import org.bptt4j.reference.ReferenceLayer;
import org.bptt4j.reference.ReferenceSoftmaxHead;
import org.bptt4j.simd.SimdLayer;
import org.bptt4j.simd.SimdSoftmaxHead;

/**
 * The one place an implementation of the kernels is chosen: the fused SIMD kernels, or the plain
 * scalar reference (the test oracle and benchmark baseline). Every layer and head is made through
 * it; {@link #best()} picks the SIMD kernels where the JVM has the Vector API
 * ({@code --add-modules jdk.incubator.vector}) and otherwise falls back to the reference with one
 * warning on standard error, so an application runs either way.
 */
public enum Implementation {
    /** The fused SIMD kernels on the Vector API ({@code org.bptt4j.simd}). */
    SIMD,
    /** The scalar reference ({@code org.bptt4j.reference}): plain loops from the equations. */
    REFERENCE;

    private static final Implementation BEST = selectBest();

    /**
     * The implementation for this JVM, chosen once.
     *
     * @return SIMD where the JVM has {@code jdk.incubator.vector}, else REFERENCE
     */
    public static Implementation best() {
        return BEST;
    }

    /**
     * The implementation of a name.
     *
     * @param name {@code simd} or {@code reference} (any case), as a command line or benchmark parameter gives it
     * @return SIMD or REFERENCE
     * @throws IllegalArgumentException for another name, or null
     */
    public static Implementation named(String name) {
        Checks.notNull("name", name);
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "simd" -> SIMD;
            case "reference" -> REFERENCE;
            default -> throw new IllegalArgumentException("implementation must be simd or reference, was \"" + name + "\"");
        };
    }

    /**
     * A layer of this implementation that runs on the caller's thread.
     *
     * @param shape the layer's shape
     * @return a layer of this implementation for {@code shape} (any cell)
     * @throws IllegalArgumentException if shape is null
     */
    public RecurrentLayer layer(LayerShape shape) {
        return layer(shape, null);
    }

    /**
     * A layer of this implementation whose passes may run on {@code pool}'s threads.
     *
     * @param shape the layer's shape
     * @param pool threads for the SIMD kernels' passes (see {@link ComputePool}), or null for the
     *             caller's only; the reference, plain loops by design, always runs on the caller's
     * @return a layer of this implementation for {@code shape} (any cell)
     * @throws IllegalArgumentException if shape is null
     */
    public RecurrentLayer layer(LayerShape shape, ComputePool pool) {
        return this == SIMD ? new SimdLayer(shape, pool) : new ReferenceLayer(shape);
    }

    /**
     * A softmax head of this implementation.
     *
     * @param shape   the shape of the layer whose states the head reads
     * @param outputs V, the number of classes
     * @return a softmax head of this implementation reading the states of a layer of {@code shape}
     * @throws IllegalArgumentException if shape is null or outputs below 1
     */
    public SoftmaxHead head(LayerShape shape, int outputs) {
        return head(shape, outputs, null);
    }

    /**
     * A softmax head of this implementation whose products may run on {@code pool}'s threads.
     *
     * @param shape   the shape of the layer whose states the head reads
     * @param outputs V, the number of classes
     * @param pool    threads for the SIMD head's products (see {@link ComputePool}), or null for
     *                the caller's only; the reference always runs on the caller's
     * @return a softmax head of this implementation reading the states of a layer of {@code shape}
     * @throws IllegalArgumentException if shape is null or outputs below 1
     */
    public SoftmaxHead head(LayerShape shape, int outputs, ComputePool pool) {
        return this == SIMD ? new SimdSoftmaxHead(shape, outputs, pool) : new ReferenceSoftmaxHead(shape, outputs);
    }

    /** @return the lower-case name {@link #named} reads */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static Implementation selectBest() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            return SIMD;
        }
        System.err.println("bptt4j: the JVM lacks jdk.incubator.vector (add --add-modules jdk.incubator.vector);"
                + " using the scalar reference implementation, many times slower");
        return REFERENCE;
    }
}
