package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;
import org.bptt4j.reference.ReferenceLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SIMD against the scalar reference: h_1..h_T, h_T, every gradient, dx and dh_0, on shapes that
 * put every size of {1, 3, 7, 15, 17, 33, 100} in each of T, B, I and H (sizes below, at and above
 * the vector length, full 4 x 4 tiles and every kind of tail), every cell, both loss modes (the
 * last-step mode with a gradient of the LSTM's c_T too).
 * Surefire runs this class again with {@code -Dbptt4j.vector.bits=256} and {@code =128}.
 */
class SimdEquivalenceTest {
    /**
     * Errors relative to the largest magnitude of the reference's array (normwise, as error bounds
     * of sums of products are). The two differ only in rounding: the SIMD kernels fuse each
     * multiply-add (one rounding instead of two) and compute tanh with their own polynomial (within
     * 1 ulp of Math.tanh). Sums run in the same order in both, so the difference of a sum of n
     * products is about sqrt(n) * 2^-24 of its terms' size for random data, n <= T*B = 3300 here:
     * ~3e-6. The recurrence contracts (|W_h| scaled by 1/sqrt(H), |tanh'| <= 1), so errors do not
     * grow with T. The largest difference seen is 3.1e-6 at every width (printed below); 5e-5
     * leaves a margin of 16. An indexing or epilogue mistake shows as 1e-2 or more.
     */
    static final double TOLERANCE = 5e-5;

    static double largestError;

    static final String[] CELLS = {"rnn_tanh", "rnn_relu", "lstm", "gru"};

    static Stream<Arguments> cases() {
        int[] sizes = {1, 3, 7, 15, 17, 33, 100};
        List<int[]> shapes = new ArrayList<>();
        for (int s = 0; s < sizes.length; s++) {
            // Cyclic shifts: every size appears once in each of T, B, I, H.
            shapes.add(new int[]{sizes[s], sizes[(s + 1) % 7], sizes[(s + 2) % 7], sizes[(s + 3) % 7]});
        }
        shapes.add(new int[]{5, 8, 64, 128});   // only full tiles at 512 bits
        shapes.add(new int[]{4, 4, 33, 100});
        // G*H = 1024 and 1536 for the gated cells: gate rows 4 KiB and more apart get a padded stride.
        shapes.add(new int[]{2, 3, 5, 256});
        shapes.add(new int[]{2, 2, 3, 512});
        List<Arguments> list = new ArrayList<>();
        for (int[] s : shapes) {
            for (String cell : CELLS) {
                for (boolean every : new boolean[]{true, false}) {
                    list.add(Arguments.of(s[0], s[1], s[2], s[3], cell, every));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "T={0} B={1} I={2} H={3} {4} everyStep={5}")
    @MethodSource("cases")
    void matchesTheReference(int steps, int batch, int in, int hid, String cell, boolean everyStep) {
        LayerShape shape = LayerShape.named(cell, steps, batch, in, hid);
        Run ref = Run.of(new ReferenceLayer(shape), steps, everyStep, 17);
        Run simd = Run.of(new SimdLayer(shape), steps, everyStep, 17);
        String what = shape + (everyStep ? " every step" : " last step") + " at " + VectorWidth.bits() + " bits: ";
        compare(what + "h_1..h_T", ref.states, simd.states);
        compare(what + "h_T", ref.hT, simd.hT);
        compare(what + "grads", ref.grads, simd.grads);
        compare(what + "dx", ref.dx, simd.dx);
        compare(what + "dh0", ref.dh0, simd.dh0);
    }

    @Test
    void twoRunsAreBitIdentical() {
        for (String cell : CELLS) {
            LayerShape shape = LayerShape.named(cell, 9, 5, 17, 100);
            for (boolean every : new boolean[]{true, false}) {
                Run first = Run.of(new SimdLayer(shape), 9, every, 3);
                Run second = Run.of(new SimdLayer(shape), 9, every, 3);
                assertArrayEquals(first.states, second.states);
                assertArrayEquals(first.grads, second.grads);
                assertArrayEquals(first.dx, second.dx);
                assertArrayEquals(first.dh0, second.dh0);
            }
        }
    }

    private static void compare(String what, float[] expected, float[] actual) {
        largestError = Math.max(largestError, Fixtures.assertNormwiseClose(what, expected, actual, TOLERANCE));
    }

    /** One forward and backward pass on seeded data, and everything it produced. */
    record Run(float[] states, float[] hT, float[] grads, float[] dx, float[] dh0) {
        static Run of(RecurrentLayer layer, int steps, boolean everyStep, long seed) {
            LayerShape shape = layer.shape();
            Random random = new Random(seed);
            float[] params = Fixtures.parameters(random, shape, 1f);
            float[] x = Fixtures.uniform(random, shape.inputLength(steps), 1f);
            float[] h0 = Fixtures.uniform(random, shape.stateLength(), 1f);
            float[] dh = Fixtures.uniform(random, everyStep ? shape.hiddenSequenceLength(steps) : shape.stateLength(), 1f);
            Workspace ws = layer.newWorkspace();
            float[] hT = new float[shape.stateLength()];
            layer.forward(params, x, steps, h0, ws, hT);
            float[] grads = Fixtures.uniform(random, params.length, 1f); // accumulation onto something
            float[] dx = new float[x.length];
            float[] dh0 = new float[h0.length];
            if (everyStep) {
                layer.backwardEveryStep(params, x, dh, ws, grads, dx, dh0);
            } else {
                layer.backwardLastStep(params, x, dh, ws, grads, dx, dh0);
            }
            float[] states = Arrays.copyOfRange(ws.states(), 0, ws.stateOffset(steps) + shape.stateLength());
            return new Run(states, hT, grads, dx, dh0);
        }
    }

    @AfterAll
    static void report() {
        System.out.println("largest normwise difference SIMD vs reference at " + VectorWidth.bits() + " bits: " + largestError);
    }
}
