package org.bptt4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.Activation;
import org.bptt4j.Implementation;
import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward plus backward with the loss at the last step only (a classifier), at one shape: T = 64,
 * B = 32, I = H = 256, tanh. Same FLOP count convention as {@link RnnBenchmark} (3x forward),
 * although the backward pass skips no product in this mode.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LastStepBenchmark {
    /** Which implementation: the scalar reference or the SIMD kernels. */
    @Param({"simd", "reference"})
    public String impl;

    /** B. */
    @Param({"32"})
    public int batch;

    /** I = H. */
    @Param({"256"})
    public int hidden;

    RecurrentLayer layer;
    Workspace ws;
    float[] params;
    float[] x;
    float[] dhLast;
    float[] grads;
    float[] dx;
    float[] dh0;

    @Setup(Level.Trial)
    public void setUp() {
        LayerShape shape = LayerShape.vanilla(RnnBenchmark.STEPS, batch, hidden, hidden, Activation.TANH);
        layer = Implementation.named(impl).layer(shape);
        ws = layer.newWorkspace();
        Random random = new Random(42);
        params = RnnBenchmark.uniform(random, shape.parameterLayout().size(), 1f / (float) Math.sqrt(hidden));
        x = RnnBenchmark.uniform(random, shape.inputLength(RnnBenchmark.STEPS), 1f);
        dhLast = RnnBenchmark.uniform(random, shape.stateLength(), 1f);
        grads = new float[params.length];
        dx = new float[x.length];
        dh0 = new float[shape.stateLength()];
    }

    /** Forward, then backward from the last step's gradient only. */
    @Benchmark
    public float forwardBackwardLastStep() {
        layer.forward(params, x, RnnBenchmark.STEPS, null, ws, null);
        layer.backwardLastStep(params, x, dhLast, ws, grads, dx, dh0);
        return dh0[0];
    }
}
