package org.bptt4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.bptt4j.Activation;
import org.bptt4j.AllocationCheck;
import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.junit.jupiter.api.Test;

class StreamTrainerTest {
    private static final LayerShape SHAPE = LayerShape.vanilla(8, 2, 13, 16, Activation.TANH);

    private static int[] stream(int n, int vocab, long seed) {
        Random random = new Random(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = random.nextInt(vocab);
        }
        return s;
    }

    @Test
    void aChunkLongerThanTheWorkspaceOrPastTheEndIsAnErrorAndChangesNothing() {
        Model model = Model.simd(SHAPE, 13);
        StreamTrainer trainer = new StreamTrainer(model, new Adagrad(model.size(), 0.1f), 5f);
        float[] params = Fixtures.uniform(new Random(1), model.size(), 0.1f);
        float[] before = params.clone();
        float[] h = new float[2 * 16];
        int[] s = stream(100, 13, 2);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> trainer.trainChunk(params, s, new int[]{0, 50}, 9, h));
        assertTrue(tooLong.getMessage().startsWith("length must be in [1, 8]"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> trainer.trainChunk(params, s, new int[]{0, 92}, 8, h));
        assertThrows(IllegalArgumentException.class, () -> trainer.trainChunk(params, s, new int[]{0}, 8, h));
        int[] bad = s.clone();
        bad[3] = 13;
        assertThrows(IllegalArgumentException.class, () -> trainer.trainChunk(params, bad, new int[]{0, 50}, 8, h));
        assertArrayEquals(before, params);
        assertArrayEquals(new float[2 * 16], h);
        trainer.trainChunk(params, s, new int[]{0, 50}, 8, h);
        float[] gradients = trainer.gradients().clone();
        assertThrows(IllegalArgumentException.class, () -> trainer.trainChunk(new float[3], s, new int[]{0, 50}, 8, h));
        assertThrows(IllegalArgumentException.class, () -> trainer.trainChunk(params, s, new int[]{0, 50}, 8, new float[5]));
        assertArrayEquals(gradients, trainer.gradients(), "the last chunk's gradients survive a rejected call");
    }

    @Test
    void chunksCarryTheStateAndLearn() {
        Model model = Model.simd(SHAPE, 13);
        StreamTrainer trainer = new StreamTrainer(model, new Adagrad(model.size(), 0.1f), 5f);
        float[] params = Fixtures.uniform(new Random(3), model.size(), 0.1f);
        float[] h = new float[2 * 16];
        learnsACycle(trainer, params, h, () -> assertFalse(Arrays.equals(new float[h.length], h), "h_T is carried out"));
        model.resetState(h, 1);
        assertArrayEquals(new float[16], Arrays.copyOfRange(h, 16, 32));
    }

    /**
     * Trains two streams on a cycle of 13 tokens, perfectly predictable from the previous one, in
     * 301 chunks of 8 carrying {@code state}; checks {@code afterFirstChunk} after the first and that
     * the loss fell tenfold.
     */
    private static void learnsACycle(StreamTrainer trainer, float[] params, float[] state, Runnable afterFirstChunk) {
        int[] s = new int[400];
        for (int i = 0; i < s.length; i++) {
            s[i] = (i * 5) % 13;
        }
        double first = trainer.trainChunk(params, s, new int[]{0, 200}, 8, state);
        afterFirstChunk.run();
        double last = 0;
        for (int i = 0; i < 300; i++) {
            int p = (i * 8) % 190;
            last = trainer.trainChunk(params, s, new int[]{p, 200 + p}, 8, state);
        }
        assertTrue(last < first / 10, "loss went from " + first + " to " + last);
    }

    @Test
    void anLstmCarriesItsCellStateAcrossChunksAndLearns() {
        LayerShape lstm = LayerShape.named("lstm", 8, 2, 13, 16);
        Model model = Model.simd(lstm, 13);
        StreamTrainer trainer = new StreamTrainer(model, new Adagrad(model.size(), 0.1f), 5f);
        float[] params = Fixtures.uniform(new Random(3), model.size(), 0.1f);
        float[] state = new float[lstm.stateLength()]; // h (2 x 16), then c (2 x 16)
        learnsACycle(trainer, params, state,
                () -> assertFalse(Arrays.equals(new float[32], Arrays.copyOfRange(state, 32, 64)), "c_T is carried out"));
        model.resetState(state, 1);
        assertArrayEquals(new float[16], Arrays.copyOfRange(state, 16, 32), "h of row 1");
        assertArrayEquals(new float[16], Arrays.copyOfRange(state, 48, 64), "c of row 1");
        assertFalse(Arrays.equals(new float[16], Arrays.copyOfRange(state, 32, 48)), "c of row 0 untouched");
    }

    @Test
    void aNonFiniteLossStopsTheStepWithTheParametersUntouched() {
        Model model = Model.simd(SHAPE, 13);
        Adam adam = new Adam(model.size(), 0.01f);
        StreamTrainer trainer = new StreamTrainer(model, adam, 0f);
        float[] params = Fixtures.uniform(new Random(6), model.size(), 0.1f);
        params[model.headOffset() + 3] = Float.NaN; // one NaN weight of the head: every prediction's loss is NaN
        float[] keep = params.clone();
        int[] s = stream(300, 13, 8);
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> trainer.trainChunk(params, s, new int[]{0, 100}, 8, new float[SHAPE.stateLength()]));
        assertTrue(e.getMessage().contains("loss"), e.getMessage());
        assertArrayEquals(keep, params);
        assertEquals(0, adam.steps(), "the optimizer took no step");
    }

    @Test
    void aTrainingStepAllocatesNothingOnceCompiled() {
        // Forward, head, backward, clip and update: the whole step, B = 1 and B = 2, SIMD model.
        LayerShape one = LayerShape.vanilla(25, 1, 37, 100, Activation.TANH);
        Model a = Model.simd(one, 37);
        Model b = Model.simd(SHAPE, 13);
        StreamTrainer ta = new StreamTrainer(a, new Adagrad(a.size(), 0.1f), 5f);
        StreamTrainer tb = new StreamTrainer(b, new Adam(b.size(), 0.01f), 0f);
        float[] pa = Fixtures.uniform(new Random(4), a.size(), 0.01f);
        float[] pb = Fixtures.uniform(new Random(5), b.size(), 0.01f);
        int[] sa = stream(1000, 37, 6);
        int[] sb = stream(1000, 13, 7);
        float[] ha = new float[100];
        float[] hb = new float[32];
        int[] posA = {0};
        int[] posB = {0, 500};
        Runnable step = () -> {
            ta.trainChunk(pa, sa, posA, 25, ha);
            tb.trainChunk(pb, sb, posB, 8, hb);
        };
        System.out.println("training step: " + AllocationCheck.assertNoAllocationOnceCompiled(
                List.of(new AllocationCheck.Case("a step of each model", step)), 300, 20));
    }
}
