package org.bptt4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.ComputePool;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One layer of each cell (vanilla tanh, LSTM, GRU), T = 64, I = H, on the shapes of
 * {@code ../shared/peers}: forward, and forward plus backward with a loss at every step. FLOPs:
 * forward {@code 2*T*B*H*(I+H)*G} (G = 1, 4, 3), forward+backward three times that.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RnnBenchmark {
    static final int STEPS = 64;

    /** Which implementation: the scalar reference or the SIMD kernels. */
    @Param({"simd", "reference"})
    public String impl;

    /** The cell, as {@link LayerShape#named} reads it. */
    @Param({"rnn_tanh", "lstm", "gru"})
    public String cell;

    /** B. */
    @Param({"1", "32", "64"})
    public int batch;

    /** I = H. */
    @Param({"128", "256", "512"})
    public int hidden;

    /**
     * The weights' scale as a multiple of PyTorch's default U(-1/sqrt(H), 1/sqrt(H)): large values
     * drive the gates into saturation, where products of tiny numbers can be denormal (which Java
     * cannot flush to zero). Only 1 runs by default.
     */
    @Param({"1"})
    public float weightScale;

    /** Threads of a {@link ComputePool} for the SIMD layer (1: no pool); the reference ignores it. */
    @Param({"1"})
    public int threads;

    ComputePool pool;
    RecurrentLayer layer;
    Workspace ws;
    float[] params;
    float[] x;
    float[] h0;
    float[] hT;
    float[] dh;
    float[] grads;
    float[] dx;
    float[] dh0;

    @Setup(Level.Trial)
    public void setUp() {
        LayerShape shape = LayerShape.named(cell, STEPS, batch, hidden, hidden);
        pool = threads > 1 ? ComputePool.create(threads) : null;
        layer = Implementation.named(impl).layer(shape, pool);
        ws = layer.newWorkspace();
        Random random = new Random(42);
        float scale = weightScale / (float) Math.sqrt(hidden);
        params = uniform(random, shape.parameterLayout().size(), scale);
        x = uniform(random, shape.inputLength(STEPS), 1f);
        h0 = uniform(random, shape.stateLength(), 1f);
        hT = new float[shape.stateLength()];
        dh = uniform(random, shape.hiddenSequenceLength(STEPS), 1f);
        grads = new float[params.length];
        dx = new float[x.length];
        dh0 = new float[h0.length];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.close();
        }
    }

    static float[] uniform(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (random.nextFloat() * 2f - 1f) * scale;
        }
        return a;
    }

    /** Forward over T steps. */
    @Benchmark
    public float forward() {
        layer.forward(params, x, STEPS, h0, ws, hT);
        return hT[0];
    }

    /** Forward, then backward with an upstream gradient at every step. */
    @Benchmark
    public float forwardBackward() {
        layer.forward(params, x, STEPS, h0, ws, hT);
        layer.backwardEveryStep(params, x, dh, ws, grads, dx, dh0);
        return dh0[0];
    }
}
