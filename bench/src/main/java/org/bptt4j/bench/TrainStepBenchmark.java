package org.bptt4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.Activation;
import org.bptt4j.ComputePool;
import org.bptt4j.Implementation;
import org.bptt4j.LayerShape;
import org.bptt4j.train.Adagrad;
import org.bptt4j.train.Model;
import org.bptt4j.train.StreamTrainer;
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
 * One training step of the character model (min-char-rnn's shape: H = 100, V = 80, T = 25): token
 * input, forward, softmax cross-entropy at every step, backward, clipping to [-5, 5], Adagrad.
 * Throughput in steps per second; min-char-rnn in numpy does about 900 at B = 1 on this machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrainStepBenchmark {
    static final int VOCABULARY = 80, STEPS = 25;

    /** Which implementation: the scalar reference or the SIMD kernels. */
    @Param({"simd", "reference"})
    public String impl;

    /** H (min-char-rnn: 100). */
    @Param({"100"})
    public int hidden;

    /** B: parallel streams. */
    @Param({"1", "32"})
    public int batch;

    StreamTrainer trainer;
    float[] params;
    float[] h;
    int[] stream;
    int[] positions;
    int pointer;

    /** Threads of a {@link ComputePool} for the SIMD layer and head (1: no pool); the reference ignores it. */
    @Param({"1"})
    public int threads;

    ComputePool pool;

    @Setup(Level.Trial)
    public void setUp() {
        LayerShape shape = LayerShape.vanilla(STEPS, batch, VOCABULARY, hidden, Activation.TANH);
        pool = threads > 1 ? ComputePool.create(threads) : null;
        Implementation implementation = Implementation.named(impl);
        Model model = new Model(implementation.layer(shape, pool), implementation.head(shape, VOCABULARY, pool));
        trainer = new StreamTrainer(model, new Adagrad(model.size(), 0.1f), 5f);
        Random random = new Random(1);
        params = new float[model.size()];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) (0.01 * random.nextGaussian());
        }
        h = new float[batch * hidden];
        stream = new int[100_000];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = random.nextInt(VOCABULARY);
        }
        positions = new int[batch];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.close();
        }
    }

    /** One chunk of 25 steps of B streams: a min-char-rnn iteration (B = 1) or B of them at once. */
    @Benchmark
    public float trainStep() {
        int segment = stream.length / batch;
        if (pointer + STEPS + 1 >= segment) {
            pointer = 0;
        }
        for (int b = 0; b < batch; b++) {
            positions[b] = b * segment + pointer;
        }
        pointer += STEPS;
        return (float) trainer.trainChunk(params, stream, positions, STEPS, h);
    }
}
