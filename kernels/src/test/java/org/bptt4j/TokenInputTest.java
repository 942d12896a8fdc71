package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import org.bptt4j.reference.ReferenceLayer;
import org.bptt4j.simd.SimdLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token ids against their one-hot dense rows, for both implementations: the same states, gradients
 * and dh_0, with the parameters at an offset of a larger array whose other parts stay untouched.
 */
class TokenInputTest {

    static Stream<Arguments> cases() {
        Function<LayerShape, RecurrentLayer> ref = ReferenceLayer::new;
        Function<LayerShape, RecurrentLayer> simd = SimdLayer::new;
        int[][] shapes = {{4, 3, 7, 17}, {5, 2, 20, 33}, {3, 1, 5, 100}, {1, 1, 1, 1}};
        List<Arguments> list = new ArrayList<>();
        for (Function<LayerShape, RecurrentLayer> f : List.of(ref, simd)) {
            String name = f == ref ? "reference" : "simd";
            for (String cell : new String[]{"rnn_tanh", "lstm", "gru"}) {
                for (int[] s : shapes) {
                    for (boolean every : new boolean[]{true, false}) {
                        list.add(Arguments.of(name, f, cell, s[0], s[1], s[2], s[3], every));
                    }
                }
            }
        }
        // Gate rows of 4 KiB and more (G*H = 1024, 1536) get a padded stride in the SIMD workspace.
        list.add(Arguments.of("simd", simd, "lstm", 2, 3, 5, 256, true));
        list.add(Arguments.of("simd", simd, "gru", 2, 2, 3, 512, false));
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {2} T={3} B={4} I={5} H={6} everyStep={7}")
    @MethodSource("cases")
    void tokensEqualOneHotRows(String name, Function<LayerShape, RecurrentLayer> factory, String cell, int steps, int batch, int in,
                               int hid, boolean everyStep) {
        LayerShape shape = LayerShape.named(cell, steps, batch, in, hid);
        RecurrentLayer layer = factory.apply(shape);
        Random random = new Random(9);
        int size = layer.layout().size();
        int offset = 5;
        float[] params = Fixtures.uniform(random, size, 0.5f);
        float[] embedded = Fixtures.uniform(random, size + 11, 0.5f);
        System.arraycopy(params, 0, embedded, offset, size);
        int[] tokens = new int[steps * batch];
        float[] oneHot = new float[shape.inputLength(steps)];
        for (int r = 0; r < tokens.length; r++) {
            tokens[r] = random.nextInt(in);
            oneHot[r * in + tokens[r]] = 1f;
        }
        float[] h0 = Fixtures.uniform(random, shape.stateLength(), 1f);
        float[] dh = Fixtures.uniform(random, everyStep ? shape.hiddenSequenceLength(steps) : shape.stateLength(), 1f);

        Workspace wsDense = layer.newWorkspace();
        layer.forward(params, oneHot, steps, h0, wsDense, null);
        float[] gradsDense = new float[size];
        float[] dh0Dense = new float[h0.length];
        if (everyStep) {
            layer.backwardEveryStep(params, oneHot, dh, wsDense, gradsDense, null, dh0Dense);
        } else {
            layer.backwardLastStep(params, oneHot, dh, wsDense, gradsDense, null, dh0Dense);
        }

        Workspace wsTokens = layer.newWorkspace();
        layer.forwardTokens(embedded, offset, tokens, steps, h0, wsTokens, null);
        float[] gradsTokens = Fixtures.uniform(random, size + 11, 1f);
        float[] gradsBefore = gradsTokens.clone();
        float[] dh0Tokens = new float[h0.length];
        if (everyStep) {
            layer.backwardTokensEveryStep(embedded, offset, tokens, dh, wsTokens, gradsTokens, dh0Tokens);
        } else {
            layer.backwardTokensLastStep(embedded, offset, tokens, dh, wsTokens, gradsTokens, dh0Tokens);
        }

        int n = wsDense.stateOffset(steps) + shape.hiddenLength();
        // The same operations on the same values: the one-hot product adds exact zeros, so the
        // results agree to the last bit, not just within rounding.
        assertArrayEquals(Arrays.copyOf(wsDense.states(), n), Arrays.copyOf(wsTokens.states(), n), "states");
        for (int i = 0; i < size; i++) {
            assertEquals(gradsBefore[offset + i] + gradsDense[i], gradsTokens[offset + i], 1e-6f * (1 + Math.abs(gradsDense[i])),
                    "grads[" + i + "]"); // one rounding of the add into a non-zero array
        }
        for (int i = 0; i < offset; i++) {
            assertEquals(gradsBefore[i], gradsTokens[i], "before the offset");
        }
        for (int i = offset + size; i < gradsTokens.length; i++) {
            assertEquals(gradsBefore[i], gradsTokens[i], "after the layer's parameters");
        }
        assertArrayEquals(dh0Dense, dh0Tokens, "dh0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badTokensAreRejectedBeforeAnythingIsWritten(String name, Function<LayerShape, RecurrentLayer> factory, String cell, int steps,
                                                      int batch, int in, int hid, boolean everyStep) {
        LayerShape shape = LayerShape.vanilla(steps, batch, in, hid, Activation.RELU);
        RecurrentLayer layer = factory.apply(shape);
        float[] params = new float[layer.layout().size()];
        Workspace ws = layer.newWorkspace();
        float[] hT = new float[shape.stateLength()];
        Arrays.fill(hT, 3f);
        int[] tokens = new int[steps * batch];
        tokens[tokens.length - 1] = in;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forwardTokens(params, 0, tokens, steps, null, ws, hT));
        assertTrue(e.getMessage().startsWith("tokens[" + (tokens.length - 1) + "] must be in [0, " + in + ")"), e.getMessage());
        tokens[tokens.length - 1] = -1;
        assertThrows(IllegalArgumentException.class, () -> layer.forwardTokens(params, 0, tokens, steps, null, ws, hT));
        assertThrows(IllegalArgumentException.class, () -> layer.forwardTokens(params, 0, new int[steps * batch - 1], steps, null, ws, hT));
        assertThrows(IllegalArgumentException.class, () -> layer.forwardTokens(params, 1, new int[steps * batch], steps, null, ws, hT));
        assertThrows(IllegalArgumentException.class, () -> layer.forwardTokens(params, -1, new int[steps * batch], steps, null, ws, hT));
        assertEquals(0, ws.steps());
        for (float v : hT) {
            assertEquals(3f, v);
        }
    }
}
