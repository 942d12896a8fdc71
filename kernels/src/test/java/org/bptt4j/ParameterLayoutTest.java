package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ParameterLayoutTest {

    @Test
    void offsetsFollowTheDocumentedFormula() {
        ParameterLayout v = new ParameterLayout(5, 7, Cell.VANILLA);
        assertEquals(0, v.inputWeightsOffset());
        assertEquals(35, v.recurrentWeightsOffset());
        assertEquals(35 + 49, v.biasOffset());
        assertEquals(35 + 49 + 7, v.size());
        ParameterLayout gru = new ParameterLayout(5, 7, Cell.GRU);
        assertEquals(5 * 21, gru.recurrentWeightsOffset());
        assertEquals(12 * 21, gru.biasOffset());
        assertEquals(13 * 21, gru.recurrentNewGateBiasOffset());
        assertEquals(13 * 21 + 7, gru.size());
        assertEquals(13 * 28, new ParameterLayout(5, 7, Cell.LSTM).size());
    }

    @Test
    void pyTorchTensorsMapToTheLayoutElementByElement() {
        ParameterLayout layout = new ParameterLayout(2, 3, Cell.VANILLA);
        float[] wih = new float[6]; // 3 x 2
        float[] whh = new float[9]; // 3 x 3
        for (int i = 0; i < 6; i++) {
            wih[i] = 10 + i;
        }
        for (int i = 0; i < 9; i++) {
            whh[i] = 100 + i;
        }
        float[] params = new float[layout.size()];
        layout.fromPyTorch(wih, whh, new float[]{1, 2, 3}, new float[]{0.5f, 0.25f, 0.125f}, params);
        // W_x[i][g] = weight_ih[g][i]: W_x row 1 is (weight_ih[0][1], weight_ih[1][1], weight_ih[2][1]) = (11, 13, 15).
        assertArrayEquals(new float[]{10, 12, 14, 11, 13, 15}, java.util.Arrays.copyOfRange(params, 0, 6));
        assertArrayEquals(new float[]{100, 103, 106, 101, 104, 107, 102, 105, 108}, java.util.Arrays.copyOfRange(params, 6, 15));
        assertArrayEquals(new float[]{1.5f, 2.25f, 3.125f}, java.util.Arrays.copyOfRange(params, 15, 18));
    }

    @Test
    void roundTripKeepsWeightsAndTheBiasSum() {
        for (Cell cell : Cell.values()) {
            ParameterLayout layout = new ParameterLayout(3, 4, cell);
            int gh = layout.gateWidth();
            Random r = new Random(1);
            float[] params = Fixtures.uniform(r, layout.size(), 1f);
            float[] wih = new float[gh * 3];
            float[] whh = new float[gh * 4];
            float[] bih = new float[gh];
            float[] bhh = new float[gh];
            layout.toPyTorch(params, wih, whh, bih, bhh);
            float[] back = new float[layout.size()];
            layout.fromPyTorch(wih, whh, bih, bhh, back);
            assertArrayEquals(params, back, cell.toString());
        }
    }

    @Test
    void gruKeepsTheRecurrentNewGateBiasApart() {
        ParameterLayout layout = new ParameterLayout(1, 2, Cell.GRU);
        float[] bih = {1, 2, 3, 4, 5, 6};
        float[] bhh = {10, 20, 30, 40, 50, 60};
        float[] params = new float[layout.size()];
        layout.fromPyTorch(new float[6], new float[12], bih, bhh, params);
        assertArrayEquals(new float[]{11, 22, 33, 44, 5, 6}, java.util.Arrays.copyOfRange(params, layout.biasOffset(), layout.biasOffset() + 6));
        assertArrayEquals(new float[]{50, 60}, java.util.Arrays.copyOfRange(params, layout.recurrentNewGateBiasOffset(), layout.size()));
        float[] grads = params.clone();
        float[] dbih = new float[6];
        float[] dbhh = new float[6];
        layout.gradientsToPyTorch(grads, new float[6], new float[12], dbih, dbhh);
        assertArrayEquals(new float[]{11, 22, 33, 44, 5, 6}, dbih);
        assertArrayEquals(new float[]{11, 22, 33, 44, 50, 60}, dbhh);
    }

    @Test
    void layoutsTooLargeForAnArrayAreRejected() {
        // (I + H + 2) * 4H wraps a long's sign bit in a naive overflow check.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ParameterLayout(1, 2147483628, Cell.LSTM));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("more than"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerShape.vanilla(1, (1 << 30) - 5, 1, 1, Activation.TANH));
    }

    @Test
    void wrongSizesAreRejectedBeforeWriting() {
        ParameterLayout layout = new ParameterLayout(2, 3, Cell.VANILLA);
        float[] params = new float[layout.size()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layout.fromPyTorch(new float[6], new float[8], new float[3], new float[3], params));
        assertEquals("weightHh.length must be 9 (gates*hiddenSize*hiddenSize), was 8", e.getMessage());
        assertArrayEquals(new float[layout.size()], params);
    }
}
