package org.bptt4j.bench;

import java.util.concurrent.TimeUnit;

import org.bptt4j.ComputePool;
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
 * What one hand-over of a {@link ComputePool} costs: a run of one empty part per thread, as a
 * split step of the recurrence pays it once per step (its barrier), with the workers spinning
 * between runs as they do between steps.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PoolBenchmark {
    /** Threads of the pool, the caller's included. */
    @Param({"2"})
    public int threads;

    private ComputePool pool;
    /** One counter per part, 16 ints (a cache line) apart, for up to 64 threads. */
    private final int[] sink = new int[64 * 16];
    private final ComputePool.Job job = i -> sink[i * 16]++;

    @Setup(Level.Trial)
    public void setUp() {
        pool = ComputePool.create(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    /** One run of one tiny part per thread: the barrier of a split step. */
    @Benchmark
    public int handOver() {
        pool.run(job, threads);
        return sink[0];
    }
}
