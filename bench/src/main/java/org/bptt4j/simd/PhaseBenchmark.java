package org.bptt4j.simd;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.simd.MatMul.Epilogue;
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
 * Each phase of {@link SimdRnn}'s forward and backward pass on its own, with the same calls and
 * shapes (T = 64, tanh, every-step loss), to see where the time goes. It lives in the kernels'
 * package to reach the package-private {@link MatMul}; the bench module runs on the class path.
 * Not part of the README table: run it by name (PhaseBenchmark).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PhaseBenchmark {
    static final int T = 64;

    /** B. */
    @Param({"64"})
    public int batch;

    /** I = H. */
    @Param({"512"})
    public int hidden;

    float[] x;
    float[] params;
    float[] states;
    float[] dz;
    float[] dh;
    float[] packed;
    float[] grads;
    float[] dx;
    float[] staging;
    int wh;
    int bias;

    @Setup(Level.Trial)
    public void setUp() {
        int h = hidden;
        Random random = new Random(7);
        x = fill(random, T * batch * h, 1f);
        params = fill(random, (2 * h + 1) * h, 1f / (float) Math.sqrt(h));
        states = fill(random, (T + 1) * batch * h, 0.9f);
        dz = fill(random, T * batch * h, 0.1f);
        dh = fill(random, T * batch * h, 1f);
        packed = new float[2 * h * h];
        grads = new float[params.length];
        dx = new float[x.length];
        staging = new float[h * h];
        wh = h * h;
        bias = 2 * h * h;
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
        int h = hidden;
        MatMul.multiply(T * batch, h, h, x, 0, h, 1, params, 0, h, states, batch * h, h, Epilogue.START_U, params, bias, 0, null, 0);
        return states[batch * h];
    }

    /** T steps of h_t = tanh(h_t + h_{t-1} W_h); the states are re-run in place, the timing is the same. */
    @Benchmark
    public float forwardRecurrence() {
        int h = hidden;
        int bh = batch * h;
        for (int t = 1; t <= T; t++) {
            MatMul.multiply(batch, h, h, states, (t - 1) * bh, h, 1, params, wh, h, states, t * bh, h, Epilogue.TANH, null, 0, 0, null, 0);
        }
        return states[bh];
    }

    /** Packing W_h^T and W_x^T. */
    @Benchmark
    public float backwardPack() {
        Rows.transpose(params, wh, hidden, hidden, packed, 0);
        Rows.transpose(params, 0, hidden, hidden, packed, hidden * hidden);
        return packed[1];
    }

    /** T steps of dz_t = (dh_t + dz_{t+1} W_h^T) * (1 - h_t^2). */
    @Benchmark
    public float backwardRecurrence() {
        int h = hidden;
        int bh = batch * h;
        for (int t = T - 1; t >= 1; t--) {
            MatMul.multiply(batch, h, h, dz, t * bh, h, 1, packed, 0, h, dz, (t - 1) * bh, h, Epilogue.DZ_TANH, dh, (t - 1) * bh, h, states, t * bh);
        }
        return dz[0];
    }

    /** dW_h += H^T dZ over all T*B rows. */
    @Benchmark
    public float backwardRecurrentWeights() {
        int h = hidden;
        MatMul.multiplyAdd(h, h, T * batch, states, 0, 1, h, dz, 0, h, grads, wh, h, staging);
        return grads[wh];
    }

    /** dW_x += X^T dZ over all T*B rows. */
    @Benchmark
    public float backwardInputWeights() {
        int h = hidden;
        MatMul.multiplyAdd(h, h, T * batch, x, 0, 1, h, dz, 0, h, grads, 0, h, staging);
        return grads[0];
    }

    /** db += 1^T dZ. */
    @Benchmark
    public float backwardBias() {
        int h = hidden;
        MatMul.multiplyAdd(1, h, T * batch, MatMul.ONE, 0, 0, 0, dz, 0, h, grads, bias, h, staging);
        return grads[bias];
    }

    /** dX = dZ W_x^T over all T*B rows. */
    @Benchmark
    public float backwardInputGradient() {
        int h = hidden;
        MatMul.multiply(T * batch, h, h, dz, 0, h, 1, packed, h * h, h, dx, 0, h, Epilogue.STORE, null, 0, 0, null, 0);
        return dx[0];
    }
}
