package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;

/** The README's usage example, kept compiling and running. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns() {
        // --- README example start
        int T = 25, B = 4, I = 16, H = 32;
        LayerShape shape = LayerShape.gated(T, B, I, H, Cell.LSTM);   // or LayerShape.vanilla(..., Activation.TANH), Cell.GRU
        RecurrentLayer rnn = Implementation.best().layer(shape);       // SIMD kernels (or the scalar reference, if no Vector API)
        Workspace ws = rnn.newWorkspace();                    // all buffers, allocated once
        float[] params = new float[shape.parameterLayout().size()];  // W_x | W_h | b
        float[] grads = new float[params.length];             // same layout; backward adds to it
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) random.nextGaussian() * 0.1f;
        }
        float[] x = new float[T * B * I];                     // time-major: (t*B + b)*I + i
        float[] state = new float[shape.stateLength()];       // h then c (LSTM): initial in, final out; carries across chunks
        float[] dh = new float[T * B * H];                    // dL/dh_t for every step

        rnn.forward(params, x, T, state, ws, state);          // h_1..h_T in ws.states()
        // ... a loss over ws.states() from ws.stateOffset(1) fills dh ...
        rnn.backwardEveryStep(params, x, dh, ws, grads, null, null);  // no dx, no dState0 wanted
        for (int i = 0; i < params.length; i++) {
            params[i] -= 0.1f * grads[i];                     // plain SGD over one flat array
            grads[i] = 0f;
        }
        // --- README example end
        assertTrue(Float.isFinite(params[0]));
    }
}
