package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Stacks, directions and lengths beyond PyTorch's golden cases: rows alone, SIMD against reference, finite differences, checks. */
class RecurrentStackTest {
    /** One forward and backward of a stack, everything it wrote. */
    record Run(float[] out, float[] stateT, float[] grads, float[] dx, float[] dState0) {
    }

    static Run run(Implementation implementation, StackShape shape, int steps, int[] lengths, float[] params, float[] x,
                   float[] state0, float[] dOut, float[] dStateT) {
        return run(implementation, shape, steps, lengths, params, x, state0, dOut, dStateT, 0f, 0);
    }

    /** {@link #run} with dropout {@code p} from {@code seed} between layers. */
    static Run run(Implementation implementation, StackShape shape, int steps, int[] lengths, float[] params, float[] x,
                   float[] state0, float[] dOut, float[] dStateT, float p, long seed) {
        RecurrentStack stack = new RecurrentStack(implementation, shape);
        StackWorkspace ws = stack.newWorkspace();
        ws.dropout(p, seed);
        Run r = new Run(new float[steps * shape.batch() * shape.outputSize()], new float[shape.stateLength()],
                new float[shape.parameterSize()], new float[x.length], new float[shape.stateLength()]);
        stack.forward(params, x, steps, lengths, state0, ws, r.out, r.stateT);
        stack.backward(params, x, dOut, dStateT, ws, r.grads, r.dx, r.dState0);
        return r;
    }

    /** Row b of a steps x B x W sequence, as a steps x 1 x W one. */
    static float[] row(float[] seq, int steps, int batch, int width, int b) {
        float[] r = new float[steps * width];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(seq, (t * batch + b) * width, r, t * width, width);
        }
        return r;
    }

    /** Block b of each of the S*L*D state blocks (B x H each), as a one-row state. */
    static float[] stateRow(float[] state, StackShape shape, int b) {
        int blocks = state.length / (shape.batch() * shape.hiddenSize()), hid = shape.hiddenSize();
        float[] r = new float[blocks * hid];
        for (int k = 0; k < blocks; k++) {
            System.arraycopy(state, (k * shape.batch() + b) * hid, r, k * hid, hid);
        }
        return r;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"SIMD,lstm", "SIMD,gru", "SIMD,rnn_tanh", "SIMD,rnn_relu", "REFERENCE,lstm", "REFERENCE,gru"})
    void eachRowOfAVariableLengthBatchIsBitIdenticalToTheRowAlone(Implementation implementation, String cell) {
        int steps = 7, batch = 5, in = 17, hid = 33;
        int[] lengths = {3, 7, 1, 7, 5};
        StackShape shape = StackShape.named(cell, steps, batch, in, hid, 2, 2);
        StackShape alone = StackShape.named(cell, steps, 1, in, hid, 2, 2);
        Random random = new Random(11);
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.3f);
        float[] x = Fixtures.uniform(random, steps * batch * in, 1f);
        float[] state0 = Fixtures.uniform(random, shape.stateLength(), 0.5f);
        float[] dOut = Fixtures.uniform(random, steps * batch * shape.outputSize(), 1f);
        float[] dStateT = Fixtures.uniform(random, shape.stateLength(), 1f);
        Run all = run(implementation, shape, steps, lengths, params, x, state0, dOut, dStateT);
        for (int b = 0; b < batch; b++) {
            int len = lengths[b];
            Run one = run(implementation, alone, len, null, params, row(x, len, batch, in, b), stateRow(state0, shape, b),
                    row(dOut, len, batch, shape.outputSize(), b), stateRow(dStateT, shape, b));
            float[] out = row(all.out, steps, batch, shape.outputSize(), b), dx = row(all.dx, steps, batch, in, b);
            assertArrayEquals(one.out, Arrays.copyOf(out, one.out.length), "outputs of row " + b);
            assertArrayEquals(new float[out.length - one.out.length], Arrays.copyOfRange(out, one.out.length, out.length), "zeros past row " + b);
            assertArrayEquals(one.dx, Arrays.copyOf(dx, one.dx.length), "dx of row " + b);
            assertArrayEquals(new float[dx.length - one.dx.length], Arrays.copyOfRange(dx, one.dx.length, dx.length), "dx zeros past row " + b);
            assertArrayEquals(one.stateT, stateRow(all.stateT, shape, b), "final state of row " + b);
            assertArrayEquals(one.dState0, stateRow(all.dState0, shape, b), "initial state gradient of row " + b);
        }
    }

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} L={5} D={6}")
    @CsvSource({"lstm,7,5,17,33,2,2", "gru,9,3,7,100,3,2", "rnn_tanh,5,4,1,16,2,1", "lstm,4,1,3,7,1,2", "gru,6,17,33,3,2,2",
            "rnn_relu,8,6,16,64,2,2"})
    void simdAgreesWithTheReference(String cell, int steps, int batch, int in, int hid, int layers, int directions) {
        StackShape shape = StackShape.named(cell, steps, batch, in, hid, layers, directions);
        Random random = new Random(steps * 31 + hid);
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = 1 + random.nextInt(steps);
        }
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 1f / (float) Math.sqrt(hid));
        float[] x = Fixtures.uniform(random, steps * batch * in, 1f);
        float[] state0 = Fixtures.uniform(random, shape.stateLength(), 0.5f);
        float[] dOut = Fixtures.uniform(random, steps * batch * shape.outputSize(), 1f);
        float[] dStateT = Fixtures.uniform(random, shape.stateLength(), 1f);
        Run simd = run(Implementation.SIMD, shape, steps, lengths, params, x, state0, dOut, dStateT);
        Run reference = run(Implementation.REFERENCE, shape, steps, lengths, params, x, state0, dOut, dStateT);
        // Sums of at most I + G*H + D*H products per element, rounded differently (fused
        // multiply-adds, other orders, VectorMath's tanh): the single layers' equivalence bound.
        double tolerance = 1e-4;
        Fixtures.assertNormwiseClose("out", reference.out, simd.out, tolerance);
        Fixtures.assertNormwiseClose("stateT", reference.stateT, simd.stateT, tolerance);
        Fixtures.assertNormwiseClose("grads", reference.grads, simd.grads, tolerance);
        Fixtures.assertNormwiseClose("dx", reference.dx, simd.dx, tolerance);
        Fixtures.assertNormwiseClose("dState0", reference.dState0, simd.dState0, tolerance);
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void referenceGradientsMatchFiniteDifferencesThroughTwoBidirectionalLayersOfVariableLengths(Cell cell) {
        int steps = 4, batch = 3, in = 3, hid = 4;
        int[] lengths = {2, 4, 3};
        StackShape shape = new StackShape(steps, batch, in, hid, 2, 2, cell, Activation.TANH);
        Random random = new Random(5);
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.5f);
        float[] x = Fixtures.uniform(random, steps * batch * in, 1f);
        float[] state0 = Fixtures.uniform(random, shape.stateLength(), 0.5f);
        float[] dOut = Fixtures.uniform(random, steps * batch * shape.outputSize(), 1f);
        float[] dStateT = Fixtures.uniform(random, shape.stateLength(), 1f);
        Run r = run(Implementation.REFERENCE, shape, steps, lengths, params, x, state0, dOut, dStateT);
        List<float[]> inputs = List.of(params, x, state0);
        List<float[]> gradients = List.of(r.grads, r.dx, r.dState0);
        for (int n = 0; n < inputs.size(); n++) {
            float[] v = inputs.get(n), analytic = gradients.get(n);
            float[] numeric = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                // Central differences of a float forward: h = 1e-2 keeps the rounding noise of the
                // loss (about 1e-6 of it) over 2h near 1e-4, and the truncation error (h^2 times
                // the third derivative, of order 1) near 1e-4 too.
                float keep = v[i];
                v[i] = keep + 1e-2f;
                double plus = loss(shape, steps, lengths, params, x, state0, dOut, dStateT);
                v[i] = keep - 1e-2f;
                double minus = loss(shape, steps, lengths, params, x, state0, dOut, dStateT);
                v[i] = keep;
                numeric[i] = (float) ((plus - minus) / 2e-2);
            }
            // 2e-3 of the largest gradient: ten times the noise and truncation above; a missing
            // term or a wrong row is off by 1e-1 or more.
            Fixtures.assertNormwiseClose(cell + " gradient of input " + n, numeric, analytic, 2e-3);
        }
    }

    /** sum(out * dOut) + sum(stateT * dStateT), summed in double. */
    private static double loss(StackShape shape, int steps, int[] lengths, float[] params, float[] x, float[] state0, float[] dOut,
                               float[] dStateT) {
        RecurrentStack stack = new RecurrentStack(Implementation.REFERENCE, shape);
        float[] out = new float[dOut.length], stateT = new float[dStateT.length];
        stack.forward(params, x, steps, lengths, state0, stack.newWorkspace(), out, stateT);
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += (double) out[i] * dOut[i];
        }
        for (int i = 0; i < stateT.length; i++) {
            sum += (double) stateT[i] * dStateT[i];
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void aWorkspaceReusedForShorterRowsGivesWhatAFreshOneGives(Implementation implementation) {
        // The second call's longest row (4) is shorter than its steps (6) and than the first call's rows.
        StackShape shape = StackShape.named("gru", 6, 3, 4, 5, 2, 2);
        Random random = new Random(12);
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.5f);
        float[] x = Fixtures.uniform(random, 6 * 3 * 4, 1f);
        float[] dOut = Fixtures.uniform(random, 6 * 3 * 10, 1f);
        RecurrentStack stack = new RecurrentStack(implementation, shape);
        StackWorkspace ws = stack.newWorkspace();
        float[] out = new float[dOut.length], grads = new float[shape.parameterSize()], dx = new float[x.length];
        stack.forward(params, x, 6, new int[]{6, 5, 6}, null, ws, out, null);
        stack.backward(params, x, dOut, null, ws, grads, dx, null);
        java.util.Arrays.fill(out, 9f);
        java.util.Arrays.fill(dx, 9f);
        java.util.Arrays.fill(grads, 0f);
        int[] shorter = {2, 4, 1};
        stack.forward(params, x, 6, shorter, null, ws, out, null);
        stack.backward(params, x, dOut, null, ws, grads, dx, null);
        Run fresh = run(implementation, shape, 6, shorter, params, x, null, dOut, null);
        assertArrayEquals(fresh.out, out, "outputs, zeros past each row's length up to steps");
        assertArrayEquals(fresh.dx, dx, "dx likewise");
        assertArrayEquals(fresh.grads, grads);
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void dropoutBetweenLayersIsDeterministicAndItsGradientsMatchFiniteDifferences(Cell cell) {
        int steps = 4, batch = 3, in = 3, hid = 4;
        int[] lengths = {2, 4, 3};
        // One direction for the GRU: its layers' outputs are then read in place but where dropout changes them.
        StackShape shape = new StackShape(steps, batch, in, hid, 3, cell == Cell.GRU ? 1 : 2, cell, Activation.TANH);
        Random random = new Random(15);
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.5f);
        float[] x = Fixtures.uniform(random, steps * batch * in, 1f);
        float[] dOut = Fixtures.uniform(random, steps * batch * shape.outputSize(), 1f);
        Run plain = dropped(Implementation.REFERENCE, shape, lengths, params, x, dOut, 0f, 7);
        Run a = dropped(Implementation.REFERENCE, shape, lengths, params, x, dOut, 0.4f, 7);
        Run again = dropped(Implementation.REFERENCE, shape, lengths, params, x, dOut, 0.4f, 7);
        Run other = dropped(Implementation.REFERENCE, shape, lengths, params, x, dOut, 0.4f, 8);
        assertArrayEquals(a.out, again.out, "the same seed, the same masks");
        assertArrayEquals(a.grads, again.grads);
        assertTrue(!Arrays.equals(a.out, other.out) && !Arrays.equals(a.out, plain.out), "another seed, other masks");
        Run simd = dropped(Implementation.SIMD, shape, lengths, params, x, dOut, 0.4f, 7);
        Fixtures.assertNormwiseClose("SIMD out with dropout", a.out, simd.out, 1e-4);
        Fixtures.assertNormwiseClose("SIMD grads with dropout", a.grads, simd.grads, 1e-4);
        float[] numeric = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            float keep = params[i];
            params[i] = keep + 1e-2f;
            double plus = dot(dropped(Implementation.REFERENCE, shape, lengths, params, x, dOut, 0.4f, 7).out, dOut);
            params[i] = keep - 1e-2f;
            double minus = dot(dropped(Implementation.REFERENCE, shape, lengths, params, x, dOut, 0.4f, 7).out, dOut);
            params[i] = keep;
            numeric[i] = (float) ((plus - minus) / 2e-2);
        }
        // As in the finite-difference test above: noise and truncation near 1e-4 of the largest gradient.
        Fixtures.assertNormwiseClose(cell + " gradient with dropout", numeric, a.grads, 2e-3);
    }

    private static Run dropped(Implementation implementation, StackShape shape, int[] lengths, float[] params, float[] x, float[] dOut,
                               float p, long seed) {
        return run(implementation, shape, shape.maxSteps(), lengths, params, x, null, dOut, null, p, seed);
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    @ParameterizedTest
    @CsvSource({"SIMD,lstm", "SIMD,gru", "REFERENCE,lstm", "SIMD,rnn_tanh"})
    void aSmallerBatchThroughALargerWorkspaceIsBitIdenticalToAStackOfItsSize(Implementation implementation, String cell) {
        // Two rows through a workspace of five (after a pass of five, to leave stale rows behind).
        int steps = 6, in = 5, hid = 7;
        StackShape large = StackShape.named(cell, steps, 5, in, hid, 2, 2), small = StackShape.named(cell, steps, 2, in, hid, 2, 2);
        Random random = new Random(13);
        float[] params = Fixtures.uniform(random, large.parameterSize(), 0.4f);
        float[] x = Fixtures.uniform(random, steps * 5 * in, 1f);
        float[] state0 = Fixtures.uniform(random, large.stateLength(), 0.5f);
        float[] dOut = Fixtures.uniform(random, steps * 5 * large.outputSize(), 1f);
        float[] dStateT = Fixtures.uniform(random, large.stateLength(), 1f);
        RecurrentStack stack = new RecurrentStack(implementation, large);
        StackWorkspace ws = stack.newWorkspace();
        Run all = new Run(new float[dOut.length], new float[large.stateLength()], new float[params.length], new float[x.length],
                new float[large.stateLength()]);
        stack.forward(params, x, steps, new int[]{6, 2, 5, 6, 1}, state0, ws, all.out, all.stateT);
        stack.backward(params, x, dOut, dStateT, ws, all.grads, all.dx, all.dState0);

        int[] lengths = {4, 6};
        int two = small.stateLength();
        Run expected = run(implementation, small, steps, lengths, params, Arrays.copyOf(x, steps * 2 * in), Arrays.copyOf(state0, two),
                Arrays.copyOf(dOut, steps * 2 * small.outputSize()), Arrays.copyOf(dStateT, two));
        Run got = new Run(new float[steps * 2 * small.outputSize()], new float[two], new float[params.length], new float[steps * 2 * in],
                new float[two]);
        float[] x2 = Arrays.copyOf(x, steps * 2 * in);
        stack.forward(params, x2, steps, lengths, Arrays.copyOf(state0, two), ws, got.out, got.stateT);
        stack.backward(params, x2, Arrays.copyOf(dOut, steps * 2 * small.outputSize()),
                Arrays.copyOf(dStateT, two), ws, got.grads, got.dx, got.dState0);
        assertArrayEquals(expected.out, got.out);
        assertArrayEquals(expected.stateT, got.stateT);
        assertArrayEquals(expected.grads, got.grads);
        assertArrayEquals(expected.dx, got.dx);
        assertArrayEquals(expected.dState0, got.dState0);
        assertThrows(IllegalArgumentException.class, () -> stack.forward(params, x, steps, new int[6], null, ws, null, null));
    }

    @Test
    void aFullBatchStackOfOneLayerIsTheLayerItself() {
        LayerShape layerShape = LayerShape.named("gru", 6, 3, 5, 16);
        StackShape shape = StackShape.named("gru", 6, 3, 5, 16, 1, 1);
        Random random = new Random(2);
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.3f);
        float[] x = Fixtures.uniform(random, 6 * 3 * 5, 1f);
        float[] dOut = Fixtures.uniform(random, 6 * 3 * 16, 1f);
        Run stack = run(Implementation.SIMD, shape, 6, null, params, x, null, dOut, null);
        RecurrentLayer layer = Implementation.SIMD.layer(layerShape);
        Workspace ws = layer.newWorkspace();
        float[] stateT = new float[layerShape.stateLength()], grads = new float[params.length], dx = new float[x.length];
        layer.forward(params, x, 6, null, ws, stateT);
        layer.backwardEveryStep(params, x, dOut, ws, grads, dx, null);
        assertArrayEquals(Arrays.copyOfRange(ws.states(), ws.stateOffset(1), ws.stateOffset(6) + 3 * 16), stack.out);
        assertArrayEquals(stateT, stack.stateT);
        assertArrayEquals(grads, stack.grads);
        assertArrayEquals(dx, stack.dx);
    }

    /**
     * "No copies between layers": both directions of a layer keep their states in one array, rows
     * 2H wide, and the caller's outputs are the top layer's rows of it (row for row, through the
     * stack's packed order). A stack that gave each direction its own states and copied them into
     * a 2H-wide buffer fails the sameness checks. That the next layer reads that array, and the
     * values themselves, are the golden and finite-difference tests' business: a layer reading
     * anything else computes other numbers.
     */
    @ParameterizedTest
    @EnumSource(Implementation.class)
    void aBidirectionalLayersDirectionsWriteTheirOutputsWhereTheyAreRead(Implementation implementation) {
        StackShape shape = StackShape.named("lstm", 5, 3, 4, 6, 2, 2);
        int steps = 5, batch = 3, hid = 6, dh = 2 * hid;
        int[] lengths = {2, 5, 4};
        Random random = new Random(5);
        float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.4f);
        float[] x = Fixtures.uniform(random, steps * batch * 4, 1f);
        RecurrentStack stack = new RecurrentStack(implementation, shape);
        StackWorkspace ws = stack.newWorkspace();
        float[] out = new float[steps * batch * dh];
        stack.forward(params, x, steps, lengths, null, ws, out, null);
        for (int l = 0; l < 2; l++) {
            assertSame(ws.layerWorkspace(l, 0).states(), ws.layerWorkspace(l, 1).states(), "layer " + l);
        }
        float[] top = ws.topOutputs();
        assertSame(ws.layerWorkspace(1, 0).states(), top);
        for (int t = 1; t <= steps; t++) {
            for (int b = 0; b < batch; b++) {
                int r = ws.packedRow(t, b);
                if (r >= 0) {
                    assertArrayEquals(Arrays.copyOfRange(out, ((t - 1) * batch + b) * dh, ((t - 1) * batch + b + 1) * dh),
                            Arrays.copyOfRange(top, ws.topOutputOffset() + r * dh, ws.topOutputOffset() + (r + 1) * dh), "t " + t + " b " + b);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void badArgumentsAreRejectedBeforeAnythingIsWritten(Implementation implementation) {
        StackShape shape = StackShape.named("lstm", 4, 2, 3, 5, 2, 2);
        RecurrentStack stack = new RecurrentStack(implementation, shape);
        StackWorkspace ws = stack.newWorkspace();
        float[] params = new float[shape.parameterSize()], x = new float[4 * 2 * 3];
        float[] out = new float[4 * 2 * 10], stateT = new float[shape.stateLength()];
        Arrays.fill(out, 7f);
        Arrays.fill(stateT, 7f);
        List<Runnable> bad = new ArrayList<>();
        bad.add(() -> stack.forward(params, x, 4, new int[]{4, 0}, null, ws, out, stateT));
        bad.add(() -> stack.forward(params, x, 4, new int[]{5, 1}, null, ws, out, stateT));
        bad.add(() -> stack.forward(params, x, 3, new int[]{4, 1}, null, ws, out, stateT));
        bad.add(() -> stack.forward(params, x, 4, new int[]{4, 4, 4}, null, ws, out, stateT)); // more rows than B
        bad.add(() -> stack.forward(params, x, 4, new int[0], null, ws, out, stateT));
        bad.add(() -> stack.forward(params, x, 5, null, null, ws, out, stateT));
        bad.add(() -> stack.forward(new float[3], x, 4, null, null, ws, out, stateT));
        bad.add(() -> stack.forward(params, new float[5], 4, null, null, ws, out, stateT));
        bad.add(() -> stack.forward(params, x, 4, null, new float[3], ws, out, stateT));
        bad.add(() -> stack.forward(params, x, 4, null, null, ws, new float[3], stateT));
        bad.add(() -> stack.forward(params, x, 4, null, null, new RecurrentStack(implementation, StackShape.named("lstm", 4, 2, 3, 5, 1, 2))
                .newWorkspace(), out, stateT));
        for (Runnable call : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(e.getMessage().contains(" must "), e.getMessage());
            for (float v : out) {
                assertEquals(7f, v, "out untouched");
            }
            for (float v : stateT) {
                assertEquals(7f, v, "stateT untouched");
            }
        }
        assertThrows(IllegalStateException.class, () -> stack.backward(params, x, out, null, ws, new float[params.length], null, null));
        stack.forward(params, x, 4, new int[]{2, 4}, null, ws, out, stateT);
        assertThrows(IllegalArgumentException.class, () -> stack.backward(params, x, null, null, ws, new float[params.length], null, null));
        // Backward must see the arrays forward read: others would give wrong gradients silently.
        float[] grads = new float[params.length];
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.backward(params.clone(), x, out, null, ws, grads, null, null))
                .getMessage().contains("params must be the array the last forward"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.backward(params, x.clone(), out, null, ws, grads, null, null))
                .getMessage().contains("x must be the array the last forward"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.backward(params, x, out, null, ws, params, null, null))
                .getMessage().contains("grads must not be the params array"));
        for (float g : grads) {
            assertEquals(0f, g, "nothing written");
        }
        assertThrows(IllegalArgumentException.class, () -> new StackShape(4, 2, 3, 5, 2, 3, Cell.GRU, Activation.TANH));
        assertThrows(IllegalArgumentException.class, () -> new StackShape(4, 2, 3, 5, 0, 1, Cell.GRU, Activation.TANH));
    }

    @Test
    void theStateLayoutIsPyTorchsHnThenCn() {
        StackShape shape = StackShape.named("lstm", 3, 2, 4, 5, 3, 2);
        assertEquals(2 * 3 * 2 * 2 * 5, shape.stateLength());
        assertEquals("weight_ih_l1_reverse", StackShape.torchName("weight_ih", 1, 1));
        assertEquals(10, shape.layer(1).inputSize());
        int one = shape.layer(0).parameterLayout().size(), upper = shape.layer(1).parameterLayout().size();
        assertEquals(one, shape.parameterOffset(0, 1));
        assertEquals(2 * one + upper, shape.parameterOffset(1, 1));
        assertEquals(2 * one + 4 * upper, shape.parameterSize());
    }
}
