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

    /** The shape of most cases: vanilla tanh, or a gated cell. */
    private static LayerShape shapeOf(Cell cell) {
        return new LayerShape(6, 3, 5, 4, cell, Activation.TANH);
    }

    /** The vanilla shape of the cases that need one cell only. */
    private static final LayerShape SHAPE = shapeOf(Cell.VANILLA);

    /** Every array a call may write, with its contents before the call. */
    private final class Setup {
        final LayerShape shape;
        final RecurrentLayer layer;
        final Random random = new Random(5);
        final float[] params, x, h0, dh, dhLast, hT, grads, dx, dh0;
        final Workspace ws;

        Setup(boolean forwardFirst) {
            this(Cell.VANILLA, forwardFirst);
        }

        Setup(Cell cell, boolean forwardFirst) {
            shape = shapeOf(cell);
            layer = layer(shape);
            params = Fixtures.parameters(random, shape, 1f);
            x = Fixtures.uniform(random, shape.inputLength(4), 1f);
            h0 = Fixtures.uniform(random, shape.stateLength(), 1f);
            dh = Fixtures.uniform(random, shape.hiddenSequenceLength(4), 1f);
            dhLast = Fixtures.uniform(random, shape.stateLength(), 1f);
            ws = layer.newWorkspace();
            hT = Fixtures.uniform(random, shape.stateLength(), 1f);
            grads = Fixtures.uniform(random, params.length, 1f);
            dx = Fixtures.uniform(random, x.length, 1f);
            dh0 = Fixtures.uniform(random, shape.stateLength(), 1f);
            if (forwardFirst) {
                layer.forward(params, x, 4, h0, ws, null);
            }
        }

        List<float[]> outputs() {
            return List.of(params, x, h0, dh, dhLast, hT, grads, dx, dh0, ws.states());
        }
    }

    private DynamicTest rejected(Cell cell, String name, String argument, boolean forwardFirst, Consumer<Setup> call) {
        return DynamicTest.dynamicTest(cell + " " + name, () -> {
            Setup s = new Setup(cell, forwardFirst);
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
        List<DynamicTest> tests = new ArrayList<>();
        for (Cell cell : Cell.values()) {
            addRejections(cell, tests);
        }
        return tests.stream();
    }

    private void addRejections(Cell cell, List<DynamicTest> tests) {
        LayerShape shape = shapeOf(cell);
        LayerShape other = new LayerShape(6, 3, 5, 5, cell, Activation.TANH);
        LayerShape otherCell = shapeOf(cell == Cell.VANILLA ? Cell.GRU : Cell.VANILLA);
        RecurrentLayer otherImplementation = (layer(shape) instanceof org.bptt4j.reference.ReferenceLayer ? Implementation.SIMD : Implementation.REFERENCE).layer(shape);
        // forward
        tests.add(rejected(cell, "forward null params", "params", false, s -> s.layer.forward(null, s.x, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward short params", "params", false, s -> s.layer.forward(new float[3], s.x, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward long params", "params", false, s -> s.layer.forward(new float[s.params.length + 1], s.x, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward null x", "x", false, s -> s.layer.forward(s.params, null, 4, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward short x", "x", false, s -> s.layer.forward(s.params, Arrays.copyOf(s.x, s.x.length - 1), 4, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward zero steps", "steps", false, s -> s.layer.forward(s.params, s.x, 0, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward negative steps", "steps", false, s -> s.layer.forward(s.params, s.x, -1, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward steps above capacity", "steps", false, s -> s.layer.forward(s.params, new float[shape.inputLength(7)], 7, s.h0, s.ws, s.hT)));
        tests.add(rejected(cell, "forward short state0", "state0", false, s -> s.layer.forward(s.params, s.x, 4, new float[2], s.ws, s.hT)));
        tests.add(rejected(cell, "forward null ws", "ws", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, null, s.hT)));
        tests.add(rejected(cell, "forward ws of another size", "ws", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, layer(other).newWorkspace(), s.hT)));
        tests.add(rejected(cell, "forward ws of another cell", "ws", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, layer(otherCell).newWorkspace(), s.hT)));
        tests.add(rejected(cell, "forward long stateT", "stateT", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, s.ws, new float[13])));
        tests.add(rejected(cell, "forward ws of another implementation", "ws", false, s -> s.layer.forward(s.params, s.x, 4, s.h0, otherImplementation.newWorkspace(), s.hT)));
        tests.add(rejected(cell, "backward with neither dh nor dStateT", "dh and dStateT", true, s -> s.layer.backward(s.params, 0, s.x, null, null, s.ws, s.grads, s.dx, s.dh0)));
        tests.add(rejected(cell, "backward with a short dStateT", "dStateT", true, s -> s.layer.backward(s.params, 0, s.x, s.dh, new float[shape.stateLength() - 1], s.ws, s.grads, s.dx, s.dh0)));
        tests.add(rejected(cell, "forward state0 of h only", "state0", false, s -> s.layer.forward(s.params, s.x, 4, new float[shape.hiddenLength() * (cell == Cell.LSTM ? 1 : 2)], s.ws, s.hT)));
        // after a forward pass: the workspace holds states that must survive a rejected call
        tests.add(rejected(cell, "second forward with short x", "x", true, s -> s.layer.forward(s.params, new float[5], 4, s.h0, s.ws, s.hT)));
        for (boolean every : new boolean[]{true, false}) {
            String m = every ? "every-step " : "last-step ";
            Backward call = every
                    ? (s, p, x, dh, ws, g, dx, dh0) -> s.layer.backwardEveryStep(p, x, dh, ws, g, dx, dh0)
                    : (s, p, x, dh, ws, g, dx, dh0) -> s.layer.backwardLastStep(p, x, dh, ws, g, dx, dh0);
            tests.add(rejected(cell, m + "null params", "params", true, s -> call.run(s, null, s.x, up(s, every), s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "short x", "x", true, s -> call.run(s, s.params, new float[7], up(s, every), s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "null dh", every ? "dh" : "dStateT", true, s -> call.run(s, s.params, s.x, null, s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "short dh", every ? "dh" : "dStateT", true, s -> call.run(s, s.params, s.x, new float[shape.stateLength() - 1], s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "null ws", "ws", true, s -> call.run(s, s.params, s.x, up(s, every), null, s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "ws of another shape", "ws", true, s -> call.run(s, s.params, s.x, up(s, every), layer(other).newWorkspace(), s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "null grads", "grads", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, null, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "short grads", "grads", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, new float[4], s.dx, s.dh0)));
            tests.add(rejected(cell, m + "short dx", "dx", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, s.grads, new float[1], s.dh0)));
            tests.add(rejected(cell, m + "long dState0", "dState0", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, s.grads, s.dx, new float[100])));
            // Arrays other than those the last forward read: backward would compute wrong gradients silently.
            tests.add(rejected(cell, m + "params other than forward's", "params", true, s -> call.run(s, s.params.clone(), s.x, up(s, every), s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "x other than forward's", "x", true, s -> call.run(s, s.params, s.x.clone(), up(s, every), s.ws, s.grads, s.dx, s.dh0)));
            tests.add(rejected(cell, m + "grads the params array", "grads", true, s -> call.run(s, s.params, s.x, up(s, every), s.ws, s.params, s.dx, s.dh0)));
        }
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
        IllegalArgumentException activation = assertThrows(IllegalArgumentException.class,
                () -> new LayerShape(2, 2, 2, 2, Cell.LSTM, Activation.RELU));
        assertTrue(activation.getMessage().startsWith("activation must be TANH"), activation.getMessage());
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
        int n = ws.shape().hiddenLength();
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
    void workspaceSizeIsReported() {
        for (Cell cell : Cell.values()) {
            LayerShape shape = new LayerShape(7, 3, 5, 4, cell, Activation.TANH);
            Workspace ws = layer(shape).newWorkspace();
            assertTrue(ws.sizeInBytes() >= 4L * ws.states().length, cell + ": " + ws.sizeInBytes());
            assertEquals(shape, ws.shape());
        }
    }
}
