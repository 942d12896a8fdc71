package org.bptt4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.ComputePool;
import org.bptt4j.Implementation;
import org.bptt4j.RecurrentStack;
import org.bptt4j.StackShape;
import org.bptt4j.StackWorkspace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Composed networks on the shapes of {@code ../shared/peers/torch_composed_bench.py}: T = 64,
 * B = 32, I = H = 256, L layers of D directions, forward plus backward with an upstream gradient on
 * every output. Lengths {@code full} (every row 64 steps) or {@code uniform} (row b is
 * {@code 1 + (b*37) % 64} steps long: 51% of the padded work). FLOPs of a full batch: per layer and
 * direction {@code 3 * 2*T*B*H*(I_l+H)*G}, I_l = I for layer 0 and D*H above; a uniform batch does
 * the same per real row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ComposedBenchmark {
    static final int STEPS = 64, BATCH = 32, HIDDEN = 256;

    /** The cell, as {@link StackShape#named} reads it. */
    @Param({"rnn_tanh", "lstm", "gru"})
    public String cell;

    /** Layers x directions. */
    @Param({"1x1", "2x1", "2x2"})
    public String stack;

    /** {@code full} or {@code uniform}. */
    @Param({"full", "uniform"})
    public String lengths;

    /** Threads of a {@link ComputePool} (1: no pool). */
    @Param({"1"})
    public int threads;

    private ComputePool pool;
    private RecurrentStack network;
    private StackWorkspace ws;
    private float[] params, x, dOut, out, grads, dx;
    private int[] rowLengths;

    @Setup
    public void setUp() {
        String[] ld = stack.split("x");
        StackShape shape = StackShape.named(cell, STEPS, BATCH, HIDDEN, HIDDEN, Integer.parseInt(ld[0]), Integer.parseInt(ld[1]));
        pool = threads > 1 ? ComputePool.create(threads) : null;
        network = new RecurrentStack(Implementation.SIMD, shape, pool);
        ws = network.newWorkspace();
        Random random = new Random(7);
        params = RnnBenchmark.uniform(random, shape.parameterSize(), 1f / (float) Math.sqrt(HIDDEN));
        x = RnnBenchmark.uniform(random, STEPS * BATCH * HIDDEN, 1f);
        dOut = RnnBenchmark.uniform(random, STEPS * BATCH * shape.outputSize(), 1f);
        out = new float[dOut.length];
        grads = new float[params.length];
        dx = new float[x.length];
        if (lengths.equals("uniform")) {
            rowLengths = new int[BATCH];
            for (int b = 0; b < BATCH; b++) {
                rowLengths[b] = 1 + (b * 37) % STEPS;
            }
        } else if (!lengths.equals("full")) {
            throw new IllegalArgumentException("lengths must be full or uniform, was " + lengths);
        }
    }

    @TearDown
    public void tearDown() {
        if (pool != null) {
            pool.close();
        }
    }


    /** Forward, then backward with a gradient on every output, dx included. */
    @Benchmark
    public float forwardBackward() {
        network.forward(params, x, STEPS, rowLengths, null, ws, out, null);
        network.backward(params, x, dOut, null, ws, grads, dx, null);
        return dx[0];
    }
}
