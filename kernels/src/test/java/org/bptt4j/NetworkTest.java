package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bptt4j.Network.Input;
import org.bptt4j.Network.Target;
import org.bptt4j.train.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Networks of any shape: finite differences, SIMD against reference, learning, prediction, checks, no allocation. */
class NetworkTest {
    static final int STEPS = 5, BATCH = 3, VOCAB = 6, CLASSES = 4;
    static final int[] LENGTHS = {2, 5, 3};

    static Network network(Implementation implementation, String cell, Input input, Target target, int layers, int directions) {
        int in = input == Input.TOKENS ? VOCAB : 3;
        return Network.of(implementation, StackShape.named(cell, STEPS, BATCH, in, 4, layers, directions), input, target, CLASSES);
    }

    static double train(Network n, float[] params, float[] x, int[] tokens, int[] targets, float[] grads) {
        return n.input() == Input.TOKENS ? n.trainTokens(params, tokens, STEPS, LENGTHS, targets, grads)
                : n.train(params, x, STEPS, LENGTHS, targets, grads);
    }

    @ParameterizedTest(name = "{0} {1} {2} L={3} D={4}")
    @CsvSource({"lstm,TOKENS,EVERY_STEP,2,2", "gru,DENSE,LAST_STEP,2,2", "rnn_tanh,TOKENS,LAST_STEP,1,2", "lstm,DENSE,EVERY_STEP,1,1",
            "gru,TOKENS,EVERY_STEP,2,1"})
    void referenceGradientsMatchFiniteDifferences(String cell, Input input, Target target, int layers, int directions) {
        Network n = network(Implementation.REFERENCE, cell, input, target, layers, directions);
        Random random = new Random(3);
        float[] params = new float[n.size()];
        n.initialize(params, random);
        float[] x = Fixtures.uniform(random, STEPS * BATCH * 3, 1f);
        int[] tokens = Fixtures.tokens(random, STEPS * BATCH, VOCAB);
        int[] targets = Fixtures.tokens(random, target == Target.LAST_STEP ? BATCH : STEPS * BATCH, CLASSES);
        float[] grads = new float[n.size()];
        train(n, params, x, tokens, targets, grads);
        float[] numeric = new float[n.size()];
        for (int i = 0; i < params.length; i++) {
            // Central differences of a float forward, h = 1e-2: rounding noise and truncation
            // error both near 1e-4 of the largest gradient (see RecurrentStackTest).
            float keep = params[i];
            params[i] = keep + 1e-2f;
            double plus = train(n, params, x, tokens, targets, new float[n.size()]);
            params[i] = keep - 1e-2f;
            double minus = train(n, params, x, tokens, targets, new float[n.size()]);
            params[i] = keep;
            numeric[i] = (float) ((plus - minus) / 2e-2);
        }
        // 2e-3: ten times that noise; a gradient on the wrong row or step is off by 1e-1 or more.
        Fixtures.assertNormwiseClose("gradient", numeric, grads, 2e-3);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"lstm,TOKENS,EVERY_STEP", "gru,DENSE,LAST_STEP", "rnn_relu,DENSE,EVERY_STEP", "lstm,TOKENS,LAST_STEP"})
    void simdAgreesWithTheReference(String cell, Input input, Target target) {
        Network simd = network(Implementation.SIMD, cell, input, target, 2, 2);
        Network reference = network(Implementation.REFERENCE, cell, input, target, 2, 2);
        Random random = new Random(8);
        float[] params = new float[simd.size()];
        simd.initialize(params, random);
        float[] x = Fixtures.uniform(random, STEPS * BATCH * 3, 1f);
        int[] tokens = Fixtures.tokens(random, STEPS * BATCH, VOCAB);
        int[] targets = Fixtures.tokens(random, target == Target.LAST_STEP ? BATCH : STEPS * BATCH, CLASSES);
        float[] g1 = new float[simd.size()], g2 = new float[simd.size()];
        double l1 = train(simd, params, x, tokens, targets, g1), l2 = train(reference, params, x, tokens, targets, g2);
        assertEquals(l2, l1, 1e-5 * Math.abs(l2), "loss");
        // The stack's equivalence bound (sums rounded differently), through the head's product too.
        Fixtures.assertNormwiseClose("gradient", g2, g1, 1e-4);
        int rows = target == Target.LAST_STEP ? BATCH : STEPS * BATCH;
        float[] p1 = new float[rows * CLASSES], p2 = new float[rows * CLASSES];
        if (input == Input.TOKENS) {
            simd.predictTokens(params, tokens, STEPS, LENGTHS, p1);
            reference.predictTokens(params, tokens, STEPS, LENGTHS, p2);
        } else {
            simd.predict(params, x, STEPS, LENGTHS, p1);
            reference.predict(params, x, STEPS, LENGTHS, p2);
        }
        Fixtures.assertNormwiseClose("probabilities", p2, p1, 1e-5);
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                sum += p1[r * CLASSES + c];
            }
            boolean ended = target == Target.EVERY_STEP && r / BATCH >= LENGTHS[r % BATCH];
            assertEquals(ended ? 0 : 1, sum, 1e-5, "row " + r + "'s probabilities");
        }
    }

    @Test
    void aBidirectionalClassifierLearnsWhetherASequenceHoldsAToken() {
        // Label 1 when token 1 occurs within the row's length; the reverse direction sees it early.
        int steps = 8, batch = 16;
        Network n = Network.of(Implementation.SIMD, StackShape.named("gru", steps, batch, 5, 12, 2, 2), Input.TOKENS, Target.LAST_STEP, 2);
        Random random = new Random(1);
        float[] params = new float[n.size()], grads = new float[n.size()];
        n.initialize(params, random);
        Adam adam = new Adam(n.size(), 0.02f);
        double first = 0, last = 0;
        for (int iteration = 0; iteration < 150; iteration++) {
            int[] tokens = new int[steps * batch], lengths = new int[batch], labels = new int[batch];
            for (int b = 0; b < batch; b++) {
                lengths[b] = 1 + random.nextInt(steps);
                for (int t = 0; t < steps; t++) {
                    tokens[t * batch + b] = random.nextInt(5) == 0 ? 1 : 2 + random.nextInt(3);
                    if (t < lengths[b] && tokens[t * batch + b] == 1) {
                        labels[b] = 1;
                    }
                }
            }
            java.util.Arrays.fill(grads, 0f);
            double loss = n.trainTokens(params, tokens, steps, lengths, labels, grads) / batch;
            adam.step(params, grads);
            if (iteration < 10) {
                first += loss / 10;
            } else if (iteration >= 140) {
                last += loss / 10;
            }
        }
        assertTrue(last < first / 4, "mean loss went from " + first + " to " + last);
    }

    @ParameterizedTest
    @CsvSource({"EVERY_STEP", "LAST_STEP"})
    void aSmallerBatchNeedsNoSecondNetwork(Target target) {
        Network three = Network.of(Implementation.SIMD, StackShape.named("lstm", STEPS, 3, VOCAB, 4, 2, 2), Input.TOKENS, target, CLASSES);
        Network two = Network.of(Implementation.SIMD, StackShape.named("lstm", STEPS, 2, VOCAB, 4, 2, 2), Input.TOKENS, target, CLASSES);
        Random random = new Random(17);
        float[] params = new float[three.size()];
        three.initialize(params, random);
        boolean last = target == Target.LAST_STEP;
        int[] tokens = Fixtures.tokens(random, STEPS * 2, VOCAB), targets = Fixtures.tokens(random, last ? 2 : STEPS * 2, CLASSES);
        int[] lengths = {5, 3};
        float[] g3 = new float[three.size()], g2 = new float[two.size()];
        three.trainTokens(params, Fixtures.tokens(random, STEPS * 3, VOCAB), STEPS, null, Fixtures.tokens(random, last ? 3 : STEPS * 3, CLASSES),
                new float[three.size()]); // a full pass first
        assertEquals(two.trainTokens(params, tokens, STEPS, lengths, targets, g2), three.trainTokens(params, tokens, STEPS, lengths, targets, g3));
        org.junit.jupiter.api.Assertions.assertArrayEquals(g2, g3);
        int rows = target == Target.LAST_STEP ? 2 : STEPS * 2;
        float[] p3 = new float[rows * CLASSES], p2 = new float[rows * CLASSES];
        three.predictTokens(params, tokens, STEPS, lengths, p3);
        two.predictTokens(params, tokens, STEPS, lengths, p2);
        org.junit.jupiter.api.Assertions.assertArrayEquals(p2, p3);
    }

    @Test
    void initializationFollowsPyTorchsBounds() {
        Network n = network(Implementation.SIMD, "gru", Input.DENSE, Target.LAST_STEP, 2, 2);
        float[] params = new float[n.size()];
        n.initialize(params, new Random(4));
        float bound = 0.5f; // 1/sqrt(H), H = 4
        ParameterLayout layer0 = n.shape().layer(0).parameterLayout();
        for (int i = 0; i < n.headOffset(); i++) {
            int inLayer = i < 2 * layer0.size() ? i % layer0.size() : (i - 2 * layer0.size()) % n.shape().layer(1).parameterLayout().size();
            ParameterLayout layout = i < 2 * layer0.size() ? layer0 : n.shape().layer(1).parameterLayout();
            boolean summedBias = inLayer >= layout.biasOffset() && inLayer < layout.biasOffset() + 2 * 4;
            assertTrue(Math.abs(params[i]) <= (summedBias ? 2 * bound : bound), "parameter " + i + ": " + params[i]);
        }
        for (int i = n.headOffset(); i < n.size(); i++) {
            assertTrue(Math.abs(params[i]) <= 1 / Math.sqrt(8), "head parameter " + i);
        }
    }

    /**
     * Not only within PyTorch's bounds but spread over them: uniform in +-a has mean square a^2/3
     * (the summed biases, two such, 2a^2/3) and reaches near a. An initialiser that wrote zeros,
     * a constant or a narrower range passes the bounds test above and fails here. Tolerances: the
     * mean square of n uniforms has a relative standard error of 0.89/sqrt(n), 2% for the 1,920
     * weights of the smallest block here and 3.2% for the 768 bias sums: 12% and 16% are five of them.
     */
    @Test
    void initializationSpreadsOverPyTorchsBounds() {
        StackShape shape = StackShape.named("gru", 4, 2, 10, 64, 2, 2);
        Network n = Network.of(Implementation.SIMD, shape, Input.DENSE, Target.LAST_STEP, 40);
        float[] params = new float[n.size()];
        n.initialize(params, new Random(8));
        double a = 1 / Math.sqrt(64);
        double[] biasSquares = new double[2]; // sum, count
        for (int l = 0; l < 2; l++) {
            ParameterLayout layout = shape.layer(l).parameterLayout();
            for (int d = 0; d < 2; d++) {
                int at = shape.parameterOffset(l, d);
                assertUniform(params, at + layout.inputWeightsOffset(), at + layout.recurrentWeightsOffset(), a, 0.12, "W_x " + l + d);
                assertUniform(params, at + layout.recurrentWeightsOffset(), at + layout.biasOffset(), a, 0.12, "W_h " + l + d);
                assertUniform(params, at + layout.recurrentNewGateBiasOffset(), at + layout.size(), a, 0.5, "b_hn " + l + d); // 64 only
                for (int i = at + layout.biasOffset(); i < at + layout.recurrentNewGateBiasOffset(); i++) {
                    biasSquares[0] += (double) params[i] * params[i];
                    biasSquares[1]++;
                }
            }
        }
        assertEquals(2 * a * a / 3, biasSquares[0] / biasSquares[1], 0.16 * 2 * a * a / 3, "the summed biases b_ih + b_hh");
        assertUniform(params, n.headOffset(), n.size(), 1 / Math.sqrt(128), 0.12, "head"); // Linear(D*H, 40)
    }

    /** params[from..to) within +-a, one of them beyond 0.9a, their mean square a^2/3 within a relative {@code tolerance}. */
    private static void assertUniform(float[] params, int from, int to, double a, double tolerance, String what) {
        double squares = 0, largest = 0;
        for (int i = from; i < to; i++) {
            assertTrue(Math.abs(params[i]) <= a, what + " parameter " + i + ": " + params[i]);
            squares += (double) params[i] * params[i];
            largest = Math.max(largest, Math.abs(params[i]));
        }
        assertTrue(largest > 0.9 * a, what + ": the largest is " + largest + " of a bound " + a);
        assertEquals(a * a / 3, squares / (to - from), tolerance * a * a / 3, what + ": mean square");
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingIsWritten() {
        Network n = network(Implementation.SIMD, "lstm", Input.TOKENS, Target.EVERY_STEP, 2, 2);
        float[] params = new float[n.size()], grads = new float[n.size()];
        int[] tokens = new int[STEPS * BATCH], targets = new int[STEPS * BATCH];
        targets[BATCH + 1] = CLASSES; // row 1 at step 2: within its length 5
        assertThrows(IllegalArgumentException.class, () -> n.trainTokens(params, tokens, STEPS, LENGTHS, targets, grads));
        int[] pastLength = new int[STEPS * BATCH];
        pastLength[4 * BATCH] = CLASSES; // row 0 at step 5: past its length 2, not read
        n.trainTokens(params, tokens, STEPS, LENGTHS, pastLength, grads);
        float[] none = new float[n.size()];
        assertThrows(IllegalArgumentException.class, () -> n.train(params, new float[STEPS * BATCH * VOCAB], STEPS, LENGTHS, targets, none));
        int[] badToken = new int[STEPS * BATCH];
        badToken[1] = VOCAB;
        assertThrows(IllegalArgumentException.class, () -> n.trainTokens(params, badToken, STEPS, LENGTHS, new int[STEPS * BATCH], none));
        assertThrows(IllegalArgumentException.class, () -> n.predictTokens(params, tokens, STEPS, LENGTHS, new float[5]));
        // A T x B target array passed for B labels: refused, not read in part.
        Network classifier = network(Implementation.SIMD, "gru", Input.TOKENS, Target.LAST_STEP, 1, 2);
        float[] cp = new float[classifier.size()], cg = new float[classifier.size()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> classifier.trainTokens(cp, tokens, STEPS, LENGTHS, new int[STEPS * BATCH], cg));
        assertTrue(e.getMessage().startsWith("targets.length must be 3"), e.getMessage());
        for (float g : none) {
            assertEquals(0f, g, "nothing written");
        }
        for (float g : cg) {
            assertEquals(0f, g, "nothing written");
        }
        // No rows at all: a clear error, not an index out of bounds.
        e = assertThrows(IllegalArgumentException.class, () -> n.trainTokens(params, tokens, STEPS, new int[0], targets, none));
        assertTrue(e.getMessage().startsWith("lengths.length"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> n.predictTokens(params, tokens, STEPS, new int[0], new float[999]));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void gradientsIntoTheParametersArrayAreRefusedWithNothingWritten(Target target) {
        Network n = network(Implementation.SIMD, "gru", Input.TOKENS, target, 2, 2);
        float[] params = new float[n.size()];
        n.initialize(params, new Random(4));
        float[] before = params.clone();
        int[] tokens = new int[STEPS * BATCH], targets = new int[target == Target.LAST_STEP ? BATCH : STEPS * BATCH];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> n.trainTokens(params, tokens, STEPS, LENGTHS, targets, params));
        assertTrue(e.getMessage().startsWith("grads must not be the params array"), e.getMessage());
        assertArrayEquals(before, params);
    }

    @Test
    void aRejectedPredictionLeavesTrainingItsDropout() {
        int[] tokens = new int[STEPS * BATCH], targets = new int[STEPS * BATCH], badToken = new int[STEPS * BATCH];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i % VOCAB;
            targets[i] = i % CLASSES;
        }
        badToken[1] = VOCAB;
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            Network n = network(Implementation.SIMD, "lstm", Input.TOKENS, Target.EVERY_STEP, 2, 1);
            float[] params = new float[n.size()];
            n.initialize(params, new Random(5));
            n.dropout(0.5f, 9);
            if (run == 1) {
                assertThrows(IllegalArgumentException.class, () -> n.predictTokens(params, badToken, STEPS, LENGTHS, new float[999]));
            }
            grads[run] = new float[n.size()];
            n.trainTokens(params, tokens, STEPS, LENGTHS, targets, grads[run]);
        }
        assertArrayEquals(grads[0], grads[1], "the same dropout before and after a rejected prediction");
    }

    @Test
    void aTrainingStepAllocatesNothingOnceCompiled() {
        List<AllocationCheck.Case> cases = new ArrayList<>();
        for (Target target : Target.values()) {
            Network n = Network.of(Implementation.SIMD, StackShape.named("lstm", 6, 5, 11, 20, 2, 2), Input.TOKENS, target, 7);
            Random random = new Random(6);
            float[] params = new float[n.size()], grads = new float[n.size()];
            n.initialize(params, random);
            int[] tokens = Fixtures.tokens(random, 30, 11), lengths = {3, 6, 1, 6, 4};
            int[] targets = Fixtures.tokens(random, target == Target.LAST_STEP ? 5 : 30, 7);
            Adam adam = new Adam(n.size(), 0.001f);
            cases.add(new AllocationCheck.Case(target + " training step", () -> {
                n.trainTokens(params, tokens, 6, lengths, targets, grads);
                adam.step(params, grads);
            }));
        }
        // Dense input, and dropout between the layers with a new seed every step (as the docs say to).
        Network dense = Network.of(Implementation.SIMD, StackShape.named("gru", 6, 5, 7, 20, 2, 2), Input.DENSE, Target.EVERY_STEP, 7);
        Random random = new Random(7);
        float[] params = new float[dense.size()], grads = new float[dense.size()], x = Fixtures.uniform(random, 6 * 5 * 7, 1f);
        dense.initialize(params, random);
        int[] lengths = {2, 6, 5, 1, 6}, targets = Fixtures.tokens(random, 30, 7);
        long[] seed = {0};
        cases.add(new AllocationCheck.Case("dense input, dropout", () -> {
            dense.dropout(0.25f, seed[0]++);
            dense.train(params, x, 6, lengths, targets, grads);
        }));
        System.out.println("network training step: " + AllocationCheck.assertNoAllocationOnceCompiled(cases, 300, 20));
    }
}
