package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * What every {@link RecurrentLayer} must do whatever computes it: reject bad input before writing
 * anything, carry state across truncated-BPTT chunks, accumulate gradients, accept a T below the
 * workspace's capacity, propagate NaN. Subclasses name the implementation.
 */
public abstract class RecurrentLayerContractTest {

    /** @return the implementation under test for {@code shape} */
    protected abstract RecurrentLayer layer(LayerShape shape);

    private static final LayerShape SHAPE = LayerShape.vanilla(6, 3, 5, 4, Activation.TANH);

    /** Every array a call may write, with its contents before the call. */
    private final class Setup {
        final RecurrentLayer layer = layer(SHAPE);
        final Random random = new Random(5);
        final float[] params = Fixtures.parameters(random, SHAPE, 1f);
        final float[] x = Fixtures.uniform(random, SHAPE.inputLength(4), 1f);
        final float[] h0 = Fixtures.uniform(random, SHAPE.stateLength(), 1f);
        final float[] dh = Fixtures.uniform(random, SHAPE.hiddenSequenceLength(4), 1f);
        final float[] dhLast = Fixtures.uniform(random, SHAPE.stateLength(), 1f);
        final Workspace ws = layer.newWorkspace();
        final float[] hT = Fixtures.uniform(random, SHAPE.stateLength(), 1f);
        final float[] grads = Fixtures.uniform(random, params.length, 1f);
        final float[] dx = Fixtures.uniform(random, x.length, 1f);
        final float[] dh0 = Fixtures.uniform(random, SHAPE.stateLength(), 1f);

        Setup(boolean forwardFirst) {
            if (forwardFirst) {
                layer.forward(params, x, 4, h0, ws, null);
            }
        }

        List<float[]> outputs() {
            return List.of(params, x, h0, dh, dhLast, hT, grads, dx, dh0, ws.states(), ws.stepGradients());
        }
    }

    private DynamicTest rejected(String name, String argument, boolean forwardFirst, Consumer<Setup> call) {
        return DynamicTest.dynamicTest(name, () -> {
            Setup s = new Setup(forwardFirst);
            List<float[]> before = s.outputs().stream().map(float[]::clone).toList();
            int stepsBefore = s.ws.steps();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(s));
            assertTrue(e.getMessage().startsWith(argument), "message should name " + argument + ": " + e.getMessage());
            List<float[]> after = s.outputs();
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), "array " + i + " was written by a rejected call");
            }
            assertEquals(stepsBefore, s.ws.steps());
        });
    }

    @TestFactory
    Stream<DynamicTest> badInputIsRejectedBeforeAnythingIsWritten() {
        LayerShape other = LayerShape.vanilla(6, 3, 5, 5, Activation.TANH);
        LayerShape otherActivation = LayerShape.vanilla(6, 3, 5, 4, Activation.RELU);
        List<DynamicTest> tests = new ArrayList<>();
        // forward
        tests.add(rejected("forward null params", "params", false, s -> s.layer.forward(null, s.x, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward short params", "params", false, s -> s.layer.forward(new float[3], s.x, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward long params", "params", false, s -> s.layer.forward(new float[s.params.length + 1], s.x, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward null x", "x", false, s -> s.layer.forward(s.params, null, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward short x", "x", false, s -> s.layer.forward(s.params, Arrays.copyOf(s.x, s.x.length - 1), 4, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward zero steps", "steps", false, s -> s.layer.forward(s.params, s.x, 0, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward negative steps", "steps", false, s -> s.layer.forward(s.params, s.x, -1, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward steps above capacity", "steps", false, s -> s.layer.forward(s.params, new float[SHAPE.inputLength(7)], 7, s.h0, s.ws, s.hT)));
        tests.add(rejected("forward short h0", "h0", false, s -> s.layer.forward(s.params, s.x, 4, new float[2], s.ws, s.hT)));
        tests.add(rejected("forward null ws", "ws", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, null, s.hT)));
        tests.add(rejected("forward ws of another size", "ws", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, new Workspace(other), s.hT)));
        tests.add(rejected("forward ws of another activation", "ws", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, new Workspace(otherActivation), s.hT)));
        tests.add(rejected("forward long hT", "hT", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, s.ws, new float[13])));
        // after a forward pass: the workspace holds states that must survive a rejected call
        tests.add(rejected("second forward with short x", "x", true, s -> s.layer.forward(s.params, new float[5], 4, s.h0, s.ws, s.hT)));
        for (boolean every : new boolean[]{true, false}) {
            String m = every ? "every-step " : "last-step ";
            Backward call = every
                    ? (s, p, x, dh, ws, g, dx, dh0) -> s.layer.backwardEveryStep(p, x, dh, ws, g, dx, dh0)
                    : (s, p, x, dh, ws, g, dx, dh0) -> s.layer.backwardLastStep(p, x, dh, ws, g, dx, dh0);
            tests.add(rejected(m + "null params", "params", true, s -> call.run(s, null, s.x, up(s, every), s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(m + "short x", "x", true, s -> call.run(s, s.params, new float[7], up(s, every), s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(m + "null dh", every ? "dh" : "dhLast", true, s -> call.run(s, s.params, s.x, null, s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(m + "short dh", every ? "dh" : "dhLast", true, s -> call.run(s, s.params, s.x, new float[SHAPE.stateLength() - 1], s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(m + "null ws", "ws", true, s -> call.run(s, s.params, s.x, up(s, every), null, s.grads, s.dx, s.dh0)));
            tests.add(rejected(m + "ws of another shape", "ws", true, s -> call.run(s, s.params, s.x, up(s, every), new Workspace(other), s.grads, s.dx, s.dh0)));
            tests.add(rejected(m + "null grads", "grads", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, null, s.dx, s.dh0)));
            tests.add(rejected(m + "short grads", "grads", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, new float[4], s.dx, s.dh0)));
            tests.add(rejected(m + "short dx", "dx", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, s.grads, new float[1], s.dh0)));
            tests.add(rejected(m + "long dh0", "dh0", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, s.grads, s.dx, new float[100])));
        }
        return tests.stream();
    }

    private static float[] up(Setup s, boolean every) {
        return every ? s.dh : s.dhLast;
    }

    @FunctionalInterface
    private interface Backward {
        void run(Setup s, float[] params, float[] x, float[] dh, Workspace ws, float[] grads, float[] dx, float[] dh0);
    }

    @Test
    void badShapesAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerShape.vanilla(0, 1, 1, 1, Activation.TANH)).getMessage().startsWith("maxSteps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerShape.vanilla(1, -2, 1, 1, Activation.TANH)).getMessage().startsWith("batch"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerShape.vanilla(1, 1, 0, 1, Activation.TANH)).getMessage().startsWith("inputSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerShape.vanilla(1, 1, 1, 0, Activation.TANH)).getMessage().startsWith("hiddenSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerShape.vanilla(1, 1, 1, 1, null)).getMessage().startsWith("activation"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerShape.vanilla(100_000, 1000, 10, 1000, Activation.TANH)).getMessage().contains("more than"));
        assertThrows(IllegalArgumentException.class, () -> layer(null));
        IllegalArgumentException cell = assertThrows(IllegalArgumentException.class,
                () -> layer(new LayerShape(2, 2, 2, 2, Cell.LSTM, Activation.TANH)));
        assertTrue(cell.getMessage().startsWith("shape.cell must be VANILLA"), cell.getMessage());
    }

    @Test
    void backwardBeforeForwardIsAnError() {
        Setup s = new Setup(false);
        assertThrows(IllegalStateException.class, () -> s.layer.backwardEveryStep(s.params, s.x, s.dh, s.ws, s.grads, s.dx, s.dh0));
    }

    @Test
    void chunksCarryingStateGiveTheSameStatesAsOneChunk() {
        LayerShape whole = LayerShape.vanilla(10, 3, 5, 7, Activation.TANH);
        LayerShape half = LayerShape.vanilla(5, 3, 5, 7, Activation.TANH);
        Random random = new Random(11);
        float[] params = Fixtures.parameters(random, whole, 1f);
        float[] x = Fixtures.uniform(random, whole.inputLength(10), 1f);
        float[] h0 = Fixtures.uniform(random, whole.stateLength(), 1f);

        RecurrentLayer one = layer(whole);
        Workspace wsOne = one.newWorkspace();
        float[] hT = new float[whole.stateLength()];
        one.forward(params, x, 10, h0, wsOne, hT);

        RecurrentLayer two = layer(half);
        Workspace wsTwo = two.newWorkspace();
        float[] carry = new float[half.stateLength()];
        two.forward(params, Arrays.copyOfRange(x, 0, half.inputLength(5)), 5, h0, wsTwo, carry);
        for (int t = 1; t <= 5; t++) {
            assertArrayEquals(state(wsOne, t), state(wsTwo, t), "h_" + t);
        }
        two.forward(params, Arrays.copyOfRange(x, half.inputLength(5), half.inputLength(10)), 5, carry, wsTwo, carry);
        for (int t = 1; t <= 5; t++) {
            assertArrayEquals(state(wsOne, 5 + t), state(wsTwo, t), "h_" + (5 + t));
        }
        assertArrayEquals(hT, carry, "h_T");
    }

    private static float[] state(Workspace ws, int t) {
        int n = ws.shape().stateLength();
        return Arrays.copyOfRange(ws.states(), ws.stateOffset(t), ws.stateOffset(t) + n);
    }

    @Test
    void twoBackwardCallsAccumulateExactlyTwiceOne() {
        for (boolean every : new boolean[]{true, false}) {
            Setup s = new Setup(true);
            float[] once = new float[s.params.length];
            float[] twice = new float[s.params.length];
            backward(s, every, once);
            backward(s, every, twice);
            backward(s, every, twice);
            for (int i = 0; i < once.length; i++) {
                assertEquals(2 * once[i], twice[i], "grads[" + i + "] every=" + every);
            }
            assertTrue(Arrays.stream(box(once)).anyMatch(v -> v != 0f));
        }
    }

    private static void backward(Setup s, boolean every, float[] grads) {
        if (every) {
            s.layer.backwardEveryStep(s.params, s.x, s.dh, s.ws, grads, s.dx, s.dh0);
        } else {
            s.layer.backwardLastStep(s.params, s.x, s.dhLast, s.ws, grads, s.dx, s.dh0);
        }
    }

    private static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    @Test
    void shorterSequencesUseOnlyTheirPartOfLongerArrays() {
        // A workspace for 6 steps, run for 4, with arrays sized for 6: the tail must be neither read nor written.
        Setup s = new Setup(false);
        float[] x = Arrays.copyOf(s.x, SHAPE.inputLength(6));
        Arrays.fill(x, SHAPE.inputLength(4), x.length, Float.NaN);
        float[] dh = Arrays.copyOf(s.dh, SHAPE.hiddenSequenceLength(6));
        Arrays.fill(dh, SHAPE.hiddenSequenceLength(4), dh.length, Float.NaN);
        float[] dx = new float[x.length];
        Arrays.fill(dx, 42f);
        float[] grads = new float[s.params.length];
        s.layer.forward(s.params, x, 4, s.h0, s.ws, null);
        s.layer.backwardEveryStep(s.params, x, dh, s.ws, grads, dx, null);
        for (float g : grads) {
            assertTrue(Float.isFinite(g));
        }
        for (int i = SHAPE.inputLength(4); i < dx.length; i++) {
            assertEquals(42f, dx[i]);
        }
        assertEquals(4, s.ws.steps());
    }

    @Test
    void nanPropagatesWithoutException() {
        Setup s = new Setup(false);
        s.x[0] = Float.NaN;
        float[] hT = new float[SHAPE.stateLength()];
        s.layer.forward(s.params, s.x, 4, s.h0, s.ws, hT);
        assertTrue(Float.isNaN(hT[0]));
        float[] grads = new float[s.params.length];
        s.layer.backwardEveryStep(s.params, s.x, s.dh, s.ws, grads, s.dx, s.dh0);
        assertTrue(Float.isNaN(grads[0]));
    }

    @Test
    void workspaceSizeFollowsItsFormula() {
        LayerShape shape = LayerShape.vanilla(7, 3, 5, 4, Activation.RELU);
        Workspace ws = layer(shape).newWorkspace();
        long floats = ws.states().length + ws.stepGradients().length + ws.scratchState().length + ws.transposedWeights().length
                + ws.gradientStaging().length;
        assertEquals(4 * floats, ws.sizeInBytes());
        assertEquals(4L * ((7 + 1) * 3 * 4 + 7 * 3 * 4 + 3 * 4 + 4 * (4 + 5) + 5 * 4 + 5 * 16), Workspace.sizeInBytes(shape));
    }
}
