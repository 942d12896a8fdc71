package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;
import org.junit.jupiter.api.Test;

/**
 * The SIMD results must not change by a single bit when the kernels are restructured; for the
 * gated cells see {@link #EXPECTED_LSTM}. The vanilla RNN's must not change when the kernel core is
 * restructured (the redesign into a pure product, a driver and cells keeps every sum in the same
 * order and every elementwise operation the same). The vanilla digests were recorded from the
 * kernels before that redesign (commit 05ca9d8), the same at every vector width; every output and gradient
 * of dense and token input, both activations and both loss modes, at shapes with tails, goes into
 * them. Run with {@code -Dbptt4j.printDigest=true} to print the digests of the code as it is.
 */
class BitIdentityTest {
    /**
     * One digest for every width: each element's sum runs over k in the same order whatever the
     * vector length, and the elementwise math is the same lane by lane (recorded at 512, 256 and
     * 128 bits, all equal).
     */
    private static final long EXPECTED = 928766921910034703L;
    /**
     * Shapes whose products sum over k > 512 (I = 700, H = 520, 600), which the redesigned kernels
     * split into blocks of k, and whose rows the workspace pads: recorded (after the redesign, from a
     * checkout of commit 05ca9d8) with the kernels from before it.
     */
    private static final long EXPECTED_LONG_SUMS = 3941041146969955671L;

    @Test
    void vanillaResultsAreBitIdenticalToThoseBeforeTheRedesign() {
        assertEquals(EXPECTED, digest(new int[][]{{7, 3, 17, 33}, {5, 8, 64, 128}, {3, 1, 100, 7}, {4, 6, 16, 64}}),
                "digest of every vanilla output at " + VectorWidth.bits() + " bits");
    }

    @Test
    void vanillaResultsWithLongSumsAreBitIdenticalToThoseBeforeTheRedesign() {
        assertEquals(EXPECTED_LONG_SUMS, digest(new int[][]{{2, 3, 700, 520}, {3, 7, 129, 600}}),
                "digest of every vanilla output with k > 512 at " + VectorWidth.bits() + " bits");
    }

    /**
     * The LSTM's and the GRU's results (dense and token input, both loss modes, shapes with tails
     * and with sums over k > 512), so that a change of the kernels that should keep every sum's
     * order (a blocking, a loop order, a buffer) is checked for it: recorded at commit 20c367f,
     * the same at 512, 256 and 128 bits, and the same from the kernels of commits b0c2746 and
     * 5254319 (before the whole-row steps, the tanh loop, the panel orders, the groups of panels
     * and the GRU's dz stored once).
     */
    private static final long EXPECTED_LSTM = -3311413069038784767L;
    private static final long EXPECTED_GRU = -3077926322586093553L;

    @Test
    void gatedResultsAreBitIdenticalToThoseRecorded() {
        int[][] shapes = {{7, 3, 17, 33}, {3, 8, 64, 100}, {2, 7, 129, 600}};
        assertEquals(EXPECTED_LSTM, digest(shapes, "lstm"), "digest of every LSTM output at " + VectorWidth.bits() + " bits");
        assertEquals(EXPECTED_GRU, digest(shapes, "gru"), "digest of every GRU output at " + VectorWidth.bits() + " bits");
    }

    /**
     * Where the workspace's buffers start in their arrays ({@link SimdWorkspace#ORIGIN}, chosen
     * for alignment) moves data, not sums: with every buffer from element 0, the digests are the
     * recorded ones.
     */
    @Test
    void theBuffersOriginChangesNoBit() {
        unaligned = true;
        try {
            vanillaResultsAreBitIdenticalToThoseBeforeTheRedesign();
            gatedResultsAreBitIdenticalToThoseRecorded();
        } finally {
            unaligned = false;
        }
    }

    /** Whether {@link #run} uses a workspace whose buffers start at element 0, not at {@link SimdWorkspace#ORIGIN}. */
    private static boolean unaligned;

    private static long digest(int[][] shapes) {
        return digest(shapes, "rnn_tanh", "rnn_relu");
    }

    /** Every output of each shape {T, B, I, H}, of each named cell, in both loss modes. */
    private static long digest(int[][] shapes, String... cells) {
        long digest = 17;
        for (int[] s : shapes) {
            for (String cell : cells) {
                for (boolean every : new boolean[]{true, false}) {
                    digest = digest * 1_000_003 + run(LayerShape.named(cell, s[0], s[1], s[2], s[3]), every);
                }
            }
        }
        if (Boolean.getBoolean("bptt4j.printDigest")) {
            System.out.println("BitIdentityTest digest of " + String.join(", ", cells) + " at " + VectorWidth.bits() + " bits: " + digest + "L");
        }
        return digest;
    }

    private static long run(LayerShape shape, boolean every) {
        int steps = shape.maxSteps(), batch = shape.batch(), in = shape.inputSize(), hid = shape.hiddenSize();
        int variant = shape.cell() == org.bptt4j.Cell.VANILLA ? shape.activation().ordinal() : 2 + shape.cell().ordinal();
        Random random = new Random(steps * 1000L + batch * 100L + in * 10L + hid + variant + (every ? 7 : 0));
        RecurrentLayer layer = new SimdLayer(shape);
        int size = shape.parameterLayout().size();
        float[] params = Fixtures.parameters(random, shape, 1.5f);
        float[] x = Fixtures.uniform(random, steps * batch * in, 1f);
        float[] h0 = Fixtures.uniform(random, shape.stateLength(), 0.5f);
        float[] dh = Fixtures.uniform(random, every ? steps * batch * hid : shape.stateLength(), 1f); // last step: the gradient of the whole final state
        Workspace ws = unaligned ? new SimdWorkspace(shape, false, 0, null, 0, 0, 0) : layer.newWorkspace();
        float[] hT = new float[shape.stateLength()];
        float[] grads = new float[size];
        float[] dx = new float[steps * batch * in];
        float[] dh0 = new float[shape.stateLength()];
        layer.forward(params, x, steps, h0, ws, hT);
        long d = digest(0, ws.states(), (steps + 1) * batch * hid);
        if (every) {
            layer.backwardEveryStep(params, x, dh, ws, grads, dx, dh0);
        } else {
            layer.backwardLastStep(params, x, dh, ws, grads, dx, dh0);
        }
        d = digest(d, hT, hT.length);
        d = digest(d, grads, size);
        d = digest(d, dx, dx.length);
        d = digest(d, dh0, dh0.length);

        // Token input, parameters at an offset of a larger array.
        int offset = 5;
        float[] big = new float[offset + size + 3];
        System.arraycopy(params, 0, big, offset, size);
        float[] bigGrads = new float[big.length];
        int[] tokens = Fixtures.tokens(random, steps * batch, in);
        layer.forwardTokens(big, offset, tokens, steps, h0, ws, hT);
        d = digest(d, ws.states(), (steps + 1) * batch * hid);
        if (every) {
            layer.backwardTokensEveryStep(big, offset, tokens, dh, ws, bigGrads, dh0);
        } else {
            layer.backwardTokensLastStep(big, offset, tokens, dh, ws, bigGrads, dh0);
        }
        d = digest(d, bigGrads, bigGrads.length);
        return digest(d, dh0, dh0.length);
    }

    private static long digest(long d, float[] a, int n) {
        for (int i = 0; i < n; i++) {
            d = d * 31 + Float.floatToRawIntBits(a[i]);
        }
        return d;
    }
}
