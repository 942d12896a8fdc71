package org.bptt4j.simd;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.ComputePool;
import org.bptt4j.LayerShape;
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
 * Each phase of {@link SimdLayer}'s forward and backward pass on its own, by calling the driver's
 * own phase methods (the code path forward and backward run, not a copy of it), T = 64, I = H,
 * every-step loss, to see where the time goes. It lives in the kernels' package to reach them;
 * the bench module runs on the class path. Phases that update in place (the recurrences) are run
 * again on their own output: the work, and so the timing, is the same. Not part of the README
 * table: run it by name (PhaseBenchmark).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PhaseBenchmark {
    static final int T = 64;

    /** The cell, as {@link LayerShape#named} reads it. */
    @Param({"rnn_tanh", "lstm", "gru"})
    public String cell;

    /** B. */
    @Param({"64"})
    public int batch;

    /** I = H. */
    @Param({"512"})
    public int hidden;

    /** Threads of a {@link ComputePool} (1: no pool). */
    @Param({"1"})
    public int threads;

    ComputePool pool;

    SimdLayer layer;
    SimdWorkspace ws;
    float[] x;
    float[] params;
    float[] dh;
    float[] grads;
    float[] dx;

    @Setup(Level.Trial)
    public void setUp() {
        LayerShape shape = LayerShape.named(cell, T, batch, hidden, hidden);
        pool = threads > 1 ? ComputePool.create(threads) : null;
        layer = new SimdLayer(shape, pool);
        ws = (SimdWorkspace) layer.newWorkspace();
        Random random = new Random(7);
        x = fill(random, shape.inputLength(T), 1f);
        params = fill(random, shape.parameterLayout().size(), 1f / (float) Math.sqrt(hidden));
        dh = fill(random, shape.hiddenSequenceLength(T), 1f);
        grads = new float[params.length];
        dx = new float[x.length];
        layer.forward(params, x, T, null, ws, null);
        layer.backwardEveryStep(params, x, dh, ws, grads, dx, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.close();
        }
    }

    private static float[] fill(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return a;
    }

    /** x W_x + b over all T*B rows. */
    @Benchmark
    public float forwardInputProjection() {
        layer.projectInputs(params, 0, x, 0, hidden, null, ws);
        return ws.gates[0];
    }

    /** T steps: the gate tiles of h_{t-1} W_h and the cell's forward step. */
    @Benchmark
    public float forwardRecurrence() {
        layer.forwardSteps(params, 0, ws);
        return ws.states[ws.states.length - 1];
    }

    /** Packing W_h^T and W_x^T. */
    @Benchmark
    public float backwardPack() {
        layer.packWeights(params, 0, true, ws);
        return ws.transposed[1];
    }

    /** T steps: dz_{t+1} W_h^T, the upstream gradient, the cell's backward step. */
    @Benchmark
    public float backwardRecurrence() {
        layer.backwardSteps(dh, 0, hidden, null, ws);
        return ws.stepGradients[0];
    }

    /** dW_h += H^T dZ, dW_x += X^T dZ, db += 1^T dZ over all T*B rows. */
    @Benchmark
    public float backwardWeightGradients() {
        layer.weightGradients(x, 0, hidden, null, ws, grads, 0);
        return grads[0];
    }

    /** dX = dZ W_x^T over all T*B rows. */
    @Benchmark
    public float backwardInputGradient() {
        layer.inputGradient(ws, dx, 0, hidden, false);
        return dx[0];
    }
}
