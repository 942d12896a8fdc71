package org.bptt4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;

import org.bptt4j.Activation;
import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.simd.VectorWidth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD model (token input, layer, softmax head) against the scalar reference model: loss,
 * every gradient, the carried state and the predicted probabilities, at odd sizes (and, in the
 * Surefire runs at forced widths, at 256 and 128 bits).
 */
class SimdModelEquivalenceTest {
    /**
     * Normwise, as in SimdEquivalenceTest: the two differ by rounding only (fused multiply-adds,
     * their own exp and tanh within 1 ulp); sums of up to T*B = 100 rows and V + H = 200 terms give
     * differences of a few 1e-6 of the largest element. 5e-5 leaves a margin; a wrong softmax or
     * gradient term is off by 1e-2 or more.
     */
    static final double TOLERANCE = 5e-5;
    static double largestError;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(5, 3, 7, 17, 33, 1f), Arguments.of(3, 1, 100, 15, 1, 1f), Arguments.of(7, 17, 3, 33, 100, 1f),
                Arguments.of(4, 4, 65, 100, 65, 1f), Arguments.of(2, 2, 16, 16, 16, 30f)); // the last: logits up to ~100
    }

    @ParameterizedTest(name = "T={0} B={1} I={2} H={3} V={4} logit scale {5}")
    @MethodSource("cases")
    void simdModelMatchesReferenceModel(int steps, int batch, int in, int hid, int v, float scale) {
        for (String cell : new String[]{"rnn_tanh", "lstm", "gru"}) {
            for (boolean every : new boolean[]{true, false}) {
                check(LayerShape.named(cell, steps, batch, in, hid), v, scale, every);
            }
        }
    }

    private static void check(LayerShape shape, int v, float scale, boolean every) {
        int steps = shape.maxSteps(), batch = shape.batch(), in = shape.inputSize(), hid = shape.hiddenSize();
        Model ref = Model.reference(shape, v);
        Model simd = Model.simd(shape, v);
        Random random = new Random(steps + 10L * v);
        float[] params = Fixtures.uniform(random, ref.size(), 1f / (float) Math.sqrt(hid));
        for (int i = ref.headOffset(); i < ref.size(); i++) {
            params[i] *= scale;
        }
        int[] inputs = Fixtures.tokens(random, steps * batch, in);
        int[] targets = Fixtures.tokens(random, every ? steps * batch : batch, v);
        float[] h0 = Fixtures.uniform(random, shape.stateLength(), 1f); // h, and the LSTM's c
        float[] hRef = h0.clone();
        float[] hSimd = h0.clone();
        float[] gRef = new float[ref.size()];
        float[] gSimd = new float[ref.size()];
        double lossRef = every ? ref.trainEveryStep(params, inputs, targets, steps, hRef, gRef)
                : ref.trainLastStep(params, inputs, targets, steps, gRef);
        double lossSimd = every ? simd.trainEveryStep(params, inputs, targets, steps, hSimd, gSimd)
                : simd.trainLastStep(params, inputs, targets, steps, gSimd);
        assertTrue(Double.isFinite(lossRef));
        assertEquals(lossRef, lossSimd, TOLERANCE * (1 + Math.abs(lossRef)), "loss");
        compare(shape + " grads", gRef, gSimd);
        compare("h_T", hRef, hSimd);

        float[] pRef = new float[batch * v];
        float[] pSimd = new float[batch * v];
        ref.predict(params, inputs, steps, null, pRef);
        simd.predict(params, inputs, steps, null, pSimd);
        compare("probabilities", pRef, pSimd);
    }

    @Test
    void hugeLogitsGiveFiniteProbabilitiesThatSumToOne() {
        LayerShape shape = LayerShape.vanilla(1, 1, 3, 4, Activation.TANH);
        for (Model model : new Model[]{Model.reference(shape, 20), Model.simd(shape, 20)}) {
            float[] params = new float[model.size()];
            java.util.Arrays.fill(params, model.headOffset(), model.size(), 1000f); // logits ~ 1000: e^1000 overflows
            params[model.size() - 1] = 1500f;
            float[] out = new float[20];
            model.predict(params, new int[]{1}, 1, null, out);
            double sum = 0;
            for (float p : out) {
                assertTrue(Float.isFinite(p));
                sum += p;
            }
            assertEquals(1, sum, 1e-5);
            assertEquals(1f, out[19], 1e-6f);
        }
    }

    @Test
    void twoRunsAreBitIdentical() {
        LayerShape shape = LayerShape.vanilla(6, 5, 33, 17, Activation.TANH);
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            Model model = Model.simd(shape, 33);
            Random random = new Random(4);
            float[] params = Fixtures.uniform(random, model.size(), 0.3f);
            int[] tokens = new int[30];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = random.nextInt(33);
            }
            grads[run] = new float[model.size()];
            model.trainEveryStep(params, tokens, tokens, 6, new float[5 * 17], grads[run]);
        }
        assertArrayEquals(grads[0], grads[1]);
    }

    private static void compare(String what, float[] expected, float[] actual) {
        largestError = Math.max(largestError, Fixtures.assertNormwiseClose(what + " at " + VectorWidth.bits() + " bits",
                expected, actual, TOLERANCE));
    }

    @AfterAll
    static void report() {
        System.out.println("model: largest normwise difference SIMD vs reference at " + VectorWidth.bits() + " bits: " + largestError);
    }
}
