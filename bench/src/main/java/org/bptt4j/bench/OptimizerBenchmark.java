package org.bptt4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.ComputePool;
import org.bptt4j.train.Adam;
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
 * One Adam step over {@code size} parameters, on 1 or more threads of a {@link ComputePool}: the
 * optimizers' elementwise update, memory-bound (five arrays read, three written). Run by name.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OptimizerBenchmark {
    /** Parameters: 2^18 (the split's threshold), 2^20, 2^22 (an LSTM stack of about 4M). */
    @Param({"262144", "1048576", "4194304"})
    public int size;

    /** Threads of the pool (1: none). */
    @Param({"1", "2"})
    public int threads;

    ComputePool pool;
    Adam adam;
    float[] params, grads;

    @Setup(Level.Trial)
    public void setUp() {
        pool = threads > 1 ? ComputePool.create(threads) : null;
        adam = new Adam(size, 1e-6f, 0.9f, 0.999f, 1e-8f, pool);
        Random random = new Random(1);
        params = new float[size];
        grads = new float[size];
        for (int i = 0; i < size; i++) {
            params[i] = random.nextFloat();
            grads[i] = random.nextFloat() - 0.5f;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.close();
        }
    }

    /** One step (the tiny rate keeps the parameters near where they start). */
    @Benchmark
    public float[] adamStep() {
        adam.step(params, grads);
        return params;
    }
}
