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

    @Test
    void readmeStackExampleRuns() {
        int T = 12, B = 4, I = 5, H = 8;
        java.util.Random random = new java.util.Random(2);
        float[] x = Fixtures.uniform(random, T * B * I, 1f);
        float[] dx = new float[x.length];
        // --- README stack example start
        StackShape shape = StackShape.named("lstm", T, B, I, H, 2, 2);   // 2 layers, both directions
        RecurrentStack stack = new RecurrentStack(Implementation.best(), shape);
        StackWorkspace ws = stack.newWorkspace();
        float[] params = new float[shape.parameterSize()], grads = new float[params.length];
        int[] lengths = {7, 3, 12, 1};                                   // one per row, any order, 1..T
        float[] out = new float[T * B * shape.outputSize()];            // T x B x 2H: forward in 0..H-1, reverse in H..2H-1
        float[] state = new float[shape.stateLength()];                 // h_n of every (layer, direction), then c_n
        // --- README stack example pause
        System.arraycopy(Fixtures.uniform(random, params.length, 0.3f), 0, params, 0, params.length);
        float[] dOut = Fixtures.uniform(random, out.length, 1f);
        // --- README stack example resume
        stack.forward(params, x, T, lengths, null, ws, out, state);      // zeros in out past each row's length
        stack.backward(params, x, dOut, null, ws, grads, dx, null);      // dOut on the outputs, dStateT on the final states, or both
        // --- README stack example end
        assertTrue(out[(11 * B + 0) * 2 * H] == 0f && out[(11 * B + 2) * 2 * H] != 0f, "row 0 ended at step 7, row 2 runs to 12");
    }

    @Test
    void readmeNetworkExampleRuns() {
        int T = 6, B = 3, V = 9, H = 8, classes = 2;
        int[] tokens = Fixtures.tokens(new java.util.Random(3), T * B, V), lengths = {6, 2, 4}, labels = {0, 1, 1};
        float[] probabilities = new float[B * classes];
        // --- README network example start
        Network net = Network.of(Implementation.best(), StackShape.named("gru", T, B, V, H, 2, 2),
                Network.Input.TOKENS, Network.Target.LAST_STEP, classes);
        float[] params = new float[net.size()], grads = new float[net.size()];
        net.initialize(params, new java.util.Random(1));                          // PyTorch's defaults: U(+-1/sqrt(H)), Linear's U(+-1/sqrt(D*H))
        double loss = net.trainTokens(params, tokens, T, lengths, labels, grads);   // forward, loss, backward: grads +=
        // --- README network example pause
        org.bptt4j.train.Adam adam = new org.bptt4j.train.Adam(net.size(), 0.01f);
        // --- README network example resume
        adam.step(params, grads);
        net.predictTokens(params, tokens, T, lengths, probabilities);   // B x classes
        // --- README network example end
        assertTrue(loss > 0 && Math.abs(probabilities[0] + probabilities[1] - 1) < 1e-5);
    }
}
