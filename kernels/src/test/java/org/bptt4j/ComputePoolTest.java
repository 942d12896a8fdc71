package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Threads: every result bit-identical for 1 to 4 threads, splits that happen, no allocation, failures surfaced, a closed pool refused. */
class ComputePoolTest {
    /** One forward and backward of a layer, everything it wrote. */
    record Pass(float[] states, float[] stateT, float[] grads, float[] dx, float[] dState0) {
    }

    static Pass pass(LayerShape shape, ComputePool pool, boolean everyStep) {
        RecurrentLayer layer = Implementation.SIMD.layer(shape, pool);
        Random random = new Random(shape.hiddenSize() * 7 + shape.batch());
        float[] params = Fixtures.uniform(random, shape.parameterLayout().size(), 1f / (float) Math.sqrt(shape.hiddenSize()));
        float[] x = Fixtures.uniform(random, shape.inputLength(shape.maxSteps()), 1f);
        float[] state0 = Fixtures.uniform(random, shape.stateLength(), 0.5f);
        float[] dh = Fixtures.uniform(random, shape.hiddenSequenceLength(shape.maxSteps()), 1f);
        float[] dStateT = Fixtures.uniform(random, shape.stateLength(), 1f);
        Workspace ws = layer.newWorkspace();
        Pass p = new Pass(null, new float[shape.stateLength()], new float[params.length], new float[x.length], new float[shape.stateLength()]);
        layer.forward(params, x, shape.maxSteps(), state0, ws, p.stateT);
        layer.backward(params, 0, x, everyStep ? dh : null, dStateT, ws, p.grads, p.dx, p.dState0);
        return new Pass(ws.states().clone(), p.stateT, p.grads, p.dx, p.dState0);
    }

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} every step {5}")
    @CsvSource({"lstm,5,8,17,128,true", "gru,4,33,7,100,false", "rnn_tanh,6,64,33,100,true", "rnn_relu,3,17,100,200,true",
            "lstm,3,1,64,512,false", "gru,8,96,64,33,true", "lstm,2,7,3,257,true",
            // T*B = 1024 rows: the big products pass PARALLEL_PRODUCT and split into tiles, each part packing B into its own
            // buffer: by columns where they have blocks enough, else by rows too (the vanilla
            // cell's G*H = 64 and the GRU's 132 are one and three blocks), in the adding weight-gradient products as well
            // (W_x's gradient has I = 200 or 250 rows: two ranges, the GRU's ending inside a tile row). Run with
            // -Dbptt4j.rowSplit=false (the other-block-sizes execution), the steps of the vanilla case at 4 threads and of the
            // GRU at B = 96, H = 33 split by ranges of rows as well as blocks of units.
            "lstm,16,64,64,128,true", "rnn_tanh,16,64,200,64,true", "gru,12,70,250,44,false"})
    void everyResultIsBitIdenticalForOneToFourThreads(String cell, int steps, int batch, int in, int hid, boolean everyStep) {
        LayerShape shape = LayerShape.named(cell, steps, batch, in, hid);
        Pass one = pass(shape, null, everyStep);
        for (int threads = 2; threads <= 4; threads++) {
            try (ComputePool pool = ComputePool.create(threads)) {
                Pass many = pass(shape, pool, everyStep);
                assertTrue(pool.splitRuns() > 0, "the work was split at " + threads + " threads");
                assertArrayEquals(one.states(), many.states(), threads + " threads: states");
                assertArrayEquals(one.stateT(), many.stateT(), threads + " threads: final state");
                assertArrayEquals(one.grads(), many.grads(), threads + " threads: gradients");
                assertArrayEquals(one.dx(), many.dx(), threads + " threads: dx");
                assertArrayEquals(one.dState0(), many.dState0(), threads + " threads: dState0");
            }
        }
    }

    @Test
    void aNetworksHeadSplitsItsProductsWithTheSameBits() {
        // A stack too small to split (H = 16) under a head whose products are not: 1024 rows x
        // 512 classes x 32 (D*H), so that every split the pool counts is the head's.
        StackShape shape = StackShape.named("gru", 16, 64, 50, 16, 1, 2);
        int[] tokens = new int[16 * 64], targets = new int[16 * 64];
        Random random = new Random(6);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(50);
            targets[i] = random.nextInt(512);
        }
        float[][] grads = new float[4][];
        float[][] probabilities = new float[4][];
        for (int threads = 1; threads <= 4; threads++) {
            try (ComputePool pool = ComputePool.create(threads)) {
                Network net = Network.of(Implementation.SIMD, shape, Network.Input.TOKENS, Network.Target.EVERY_STEP, 512, pool);
                float[] params = new float[net.size()];
                net.initialize(params, new Random(7));
                grads[threads - 1] = new float[net.size()];
                net.trainTokens(params, tokens, 16, null, targets, grads[threads - 1]);
                probabilities[threads - 1] = new float[16 * 64 * 512];
                net.predictTokens(params, tokens, 16, null, probabilities[threads - 1]);
                assertTrue(threads == 1 || pool.splitRuns() > 0, "the head's products were split at " + threads + " threads");
            }
        }
        for (int t = 1; t < 4; t++) {
            assertArrayEquals(grads[0], grads[t], (t + 1) + " threads: gradients");
            assertArrayEquals(probabilities[0], probabilities[t], (t + 1) + " threads: probabilities");
        }
    }

    @Test
    void aWorkspaceWithoutPartsForThePoolIsRefused() {
        LayerShape shape = LayerShape.named("lstm", 3, 4, 5, 70);
        try (ComputePool pool = ComputePool.create(2)) {
            Workspace plain = Implementation.SIMD.layer(shape).newWorkspace();
            RecurrentLayer pooled = Implementation.SIMD.layer(shape, pool);
            float[] params = new float[shape.parameterLayout().size()];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pooled.forward(params, new float[shape.inputLength(3)], 3, null, plain, null));
            assertTrue(e.getMessage().contains("newWorkspace()"), e.getMessage());
            Workspace states = pooled.newWorkspace();
            pooled.forward(params, new float[shape.inputLength(3)], 3, null, states, null);
            SoftmaxHead head = Implementation.SIMD.head(shape, 6, pool);
            e = assertThrows(IllegalArgumentException.class, () -> head.probabilities(new float[head.size()], 0, states, 1,
                    Implementation.SIMD.head(shape, 6).newWorkspace(), new float[4 * 6]));
            assertTrue(e.getMessage().contains("newWorkspace()"), e.getMessage());
            head.probabilities(new float[head.size()], 0, states, 1, head.newWorkspace(), new float[4 * 6]);
        }
    }

    /**
     * B = 16: a step split by hidden units; B = 40: the recurrence split by rows of different
     * lengths (ranges balanced by their steps). The GRU's too: its dn*r rows, apart from dz, are
     * read by each part at its own first row.
     */
    @ParameterizedTest
    @CsvSource({"lstm,16", "lstm,40", "gru,16", "gru,40"})
    void aStackedBidirectionalVariableLengthPassIsBitIdenticalOnThreeThreads(String cell, int batch) {
        StackShape shape = StackShape.named(cell, 6, batch, 40, 96, 2, 2);
        Random random = new Random(4);
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.1f);
        float[] x = Fixtures.uniform(random, 6 * batch * 40, 1f);
        float[] dOut = Fixtures.uniform(random, 6 * batch * shape.outputSize(), 1f);
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = 1 + (b * 5) % 6;
        }
        float[][] results = new float[2][];
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (ComputePool pool = ComputePool.create(run == 0 ? 1 : 3)) {
                RecurrentStack stack = new RecurrentStack(Implementation.SIMD, shape, pool);
                StackWorkspace ws = stack.newWorkspace();
                results[run] = new float[dOut.length];
                grads[run] = new float[params.length];
                stack.forward(params, x, 6, lengths, null, ws, results[run], null);
                stack.backward(params, x, dOut, null, ws, grads[run], new float[x.length], null);
            }
        }
        assertArrayEquals(results[0], results[1]);
        assertArrayEquals(grads[0], grads[1]);
    }

    @Test
    void everyPartRunsOnceAndAFailureSurfacesInTheCaller() {
        try (ComputePool pool = ComputePool.create(3)) {
            AtomicIntegerArray counts = new AtomicIntegerArray(50);
            for (int round = 0; round < 100; round++) {
                pool.run(counts::incrementAndGet, 50);
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(100, counts.get(i), "part " + i);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.run(i -> {
                if (i == 7) {
                    throw new IllegalArgumentException("part 7 failed");
                }
            }, 20));
            assertEquals("part 7 failed", e.getMessage());
            pool.run(counts::incrementAndGet, 50); // the pool still works
            assertEquals(101, counts.get(0));
        }
    }

    @Test
    void aClosedPoolIsRefused() {
        ComputePool pool = ComputePool.create(2);
        LayerShape shape = LayerShape.named("gru", 3, 2, 4, 5);
        RecurrentLayer layer = Implementation.SIMD.layer(shape, pool);
        Workspace ws = layer.newWorkspace();
        float[] params = new float[shape.parameterLayout().size()];
        layer.forward(params, new float[3 * 2 * 4], 3, null, ws, null);
        pool.close();
        pool.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> layer.forward(params, new float[3 * 2 * 4], 3, null, ws, null));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> pool.run(i -> { }, 4));
        assertThrows(IllegalArgumentException.class, () -> ComputePool.create(0));
    }

    @Test
    void passesOnTwoThreadsAllocateNothingOnceCompiled() {
        try (ComputePool pool = ComputePool.create(2)) {
            List<AllocationCheck.Case> cases = new ArrayList<>();
            for (String cell : new String[]{"rnn_tanh", "lstm", "gru"}) {
                LayerShape shape = LayerShape.named(cell, 4, 16, 64, 128);
                RecurrentLayer layer = Implementation.SIMD.layer(shape, pool);
                Random random = new Random(3);
                float[] params = Fixtures.uniform(random, shape.parameterLayout().size(), 0.1f);
                float[] x = Fixtures.uniform(random, shape.inputLength(4), 1f);
                float[] dh = Fixtures.uniform(random, shape.hiddenSequenceLength(4), 1f);
                float[] grads = new float[params.length], dx = new float[x.length];
                Workspace ws = layer.newWorkspace();
                cases.add(new AllocationCheck.Case(shape + " on 2 threads", () -> {
                    layer.forward(params, x, 4, null, ws, null);
                    layer.backwardEveryStep(params, x, dh, ws, grads, dx, null);
                }));
            }
            // A training step whose head splits its products (1024 rows x 512 classes x 32).
            Network net = Network.of(Implementation.SIMD, StackShape.named("gru", 16, 64, 50, 16, 1, 2), Network.Input.TOKENS,
                    Network.Target.EVERY_STEP, 512, pool);
            float[] netParams = new float[net.size()], netGrads = new float[net.size()];
            net.initialize(netParams, new Random(5));
            int[] tokens = new int[16 * 64], targets = new int[16 * 64];
            cases.add(new AllocationCheck.Case("a network's training step on 2 threads",
                    () -> net.trainTokens(netParams, tokens, 16, null, targets, netGrads)));
            // An optimizer step split over the pool (above its 2^18 elements).
            int size = 1 << 19;
            org.bptt4j.train.Adam adam = new org.bptt4j.train.Adam(size, 1e-3f, 0.9f, 0.999f, 1e-8f, pool);
            float[] adamParams = new float[size], adamGrads = Fixtures.uniform(new Random(8), size, 1f);
            cases.add(new AllocationCheck.Case("an Adam step on 2 threads", () -> adam.step(adamParams, adamGrads)));
            long before = pool.splitRuns();
            System.out.println("2 threads: " + AllocationCheck.assertNoAllocationOnceCompiled(cases, 100, 10, pool.workerIds()));
            assertTrue(pool.splitRuns() > before, "the passes were split");
        }
    }

    private static org.bptt4j.train.Optimizer optimizer(String kind, int size, ComputePool pool) {
        return switch (kind) {
            case "adam" -> new org.bptt4j.train.Adam(size, 0.01f, 0.9f, 0.999f, 1e-8f, pool);
            case "sgd" -> new org.bptt4j.train.Sgd(size, 0.05f, 0.9f, pool);
            default -> new org.bptt4j.train.Adagrad(size, 0.1f, pool);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "sgd", "adagrad"})
    void stepsOnAPoolGiveTheSameBitsForOneToFourThreads(String kind) {
        // Above the optimizers' split threshold (2^18 elements), and odd: the last part ends in a scalar remainder.
        int n = (1 << 18) + 12_345;
        Random random = new Random(9);
        float[] start = Fixtures.uniform(random, n, 1f);
        float[][] grads = {Fixtures.uniform(random, n, 1f), Fixtures.uniform(random, n, 1f), Fixtures.uniform(random, n, 1f)};
        float[] one = null;
        org.bptt4j.train.OptimizerState oneState = null;
        for (int threads = 1; threads <= 4; threads++) {
            try (ComputePool pool = threads == 1 ? null : ComputePool.create(threads)) {
                org.bptt4j.train.Optimizer o = optimizer(kind, n, pool);
                float[] params = start.clone();
                for (float[] g : grads) {
                    o.step(params, g);
                }
                if (threads == 1) {
                    one = params;
                    oneState = o.state();
                    continue;
                }
                assertTrue(pool.splitRuns() >= grads.length, "every step was split at " + threads + " threads");
                assertArrayEquals(one, params, threads + " threads: parameters");
                for (String array : oneState.arrays().keySet()) {
                    assertArrayEquals(oneState.arrays().get(array), o.state().arrays().get(array), threads + " threads: " + array);
                }
            }
        }
    }

    @Test
    void aClosedPoolStopsTheStepWithNothingUpdated() {
        int n = 1 << 18;
        ComputePool pool = ComputePool.create(2);
        org.bptt4j.train.Adam adam = new org.bptt4j.train.Adam(n, 0.01f, 0.9f, 0.999f, 1e-8f, pool);
        pool.close();
        float[] params = new float[n], grads = Fixtures.uniform(new Random(2), n, 1f);
        assertThrows(IllegalStateException.class, () -> adam.step(params, grads));
        assertEquals(0, adam.steps(), "t unchanged");
        assertArrayEquals(new float[n], params, "parameters unchanged");
    }
}
