package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.bptt4j.io.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stacks, both directions and variable lengths against PyTorch's float64 results
 * ({@code ../shared/golden/composed}, copied into the test resources): the top layer's outputs,
 * every final state, every parameter gradient, dx and the initial states' gradients, through the
 * reference and the SIMD path, for a loss on the outputs and a loss on the final states.
 */
class ComposedGoldenTest {
    /**
     * Relative to each tensor's largest truth, as in the single-layer golden test (whose bound,
     * 2e-5, is five times the normwise rounding bound of these sums). A stack's lower layers see
     * the upper layers' rounding through their upstream gradients; with at most 3 layers and
     * Jacobians of norm below 1 that stays within the same bound (the largest error is printed).
     * A wrong direction, order or length misses by 1e-2 or more.
     */
    static final double TOLERANCE = 2e-5;
    private static final double[] largest = new double[Implementation.values().length];

    static List<Object[]> cases() {
        List<Object[]> cases = new ArrayList<>();
        String[] names = new File(ComposedGoldenTest.class.getResource("/golden/composed").getPath()).list();
        Arrays.sort(names);
        for (Implementation implementation : Implementation.values()) {
            for (String file : names) {
                cases.add(new Object[]{implementation, file.replace(".safetensors", "")});
            }
        }
        assertEquals(60, cases.size(), "the 30 composed golden cases, twice");
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(Implementation implementation, String name) {
        SafeTensors g = Fixtures.golden("composed/" + name);
        Map<String, String> meta = g.metadata();
        int steps = Integer.parseInt(meta.get("T")), batch = Integer.parseInt(meta.get("B"));
        int in = Integer.parseInt(meta.get("I")), hid = Integer.parseInt(meta.get("H"));
        int layers = Integer.parseInt(meta.get("L")), directions = Integer.parseInt(meta.get("D"));
        int[] lengths = meta.get("lengths").equals("full") ? null
                : Arrays.stream(meta.get("lengths").split("-")).mapToInt(Integer::parseInt).toArray();
        StackShape shape = StackShape.named(meta.get("cell"), steps, batch, in, hid, layers, directions);
        boolean lstm = shape.cell() == Cell.LSTM;
        int blocks = layers * directions, gh = shape.layer(0).gateWidth();

        float[] params = new float[shape.parameterSize()];
        for (int l = 0; l < layers; l++) {
            int width = shape.layer(l).inputSize();
            for (int d = 0; d < directions; d++) {
                shape.layer(l).parameterLayout().fromPyTorch(g.floats(StackShape.torchName("weight_ih", l, d), gh, width),
                        g.floats(StackShape.torchName("weight_hh", l, d), gh, hid), g.floats(StackShape.torchName("bias_ih", l, d), gh),
                        g.floats(StackShape.torchName("bias_hh", l, d), gh), params, shape.parameterOffset(l, d));
            }
        }
        float[] state0 = concat(shape, g.floats("h0", blocks, batch, hid), lstm ? g.floats("c0", blocks, batch, hid) : null);
        float[] x = g.floats("x", steps, batch, in);

        RecurrentStack stack = new RecurrentStack(implementation, shape);
        StackWorkspace ws = stack.newWorkspace();
        float[] out = new float[steps * batch * shape.outputSize()];
        float[] stateT = new float[shape.stateLength()];
        stack.forward(params, x, steps, lengths, state0, ws, out, stateT);

        float[] dOut = null, dStateT = null;
        if (meta.get("loss_mode").equals("out")) {
            dOut = g.floats("d_out", steps, batch, shape.outputSize());
        } else {
            dStateT = concat(shape, g.floats("d_hn", blocks, batch, hid), lstm ? g.floats("d_cn", blocks, batch, hid) : null);
        }
        float[] grads = new float[params.length];
        float[] dx = new float[x.length];
        float[] dState0 = new float[shape.stateLength()];
        stack.backward(params, x, dOut, dStateT, ws, grads, dx, dState0);

        int bh = blocks * batch * hid;
        double worst = 0;
        worst = Math.max(worst, check(name, "out", out, g.doubles("out")));
        worst = Math.max(worst, check(name, "h_n", Arrays.copyOf(stateT, bh), g.doubles("h_n")));
        worst = Math.max(worst, check(name, "dx", dx, g.doubles("dx")));
        worst = Math.max(worst, check(name, "dh0", Arrays.copyOf(dState0, bh), g.doubles("dh0")));
        if (lstm) {
            worst = Math.max(worst, check(name, "c_n", Arrays.copyOfRange(stateT, bh, 2 * bh), g.doubles("c_n")));
            worst = Math.max(worst, check(name, "dc0", Arrays.copyOfRange(dState0, bh, 2 * bh), g.doubles("dc0")));
        }
        for (int l = 0; l < layers; l++) {
            int width = shape.layer(l).inputSize();
            for (int d = 0; d < directions; d++) {
                float[] dWih = new float[gh * width], dWhh = new float[gh * hid], dbih = new float[gh], dbhh = new float[gh];
                shape.layer(l).parameterLayout().gradientsToPyTorch(grads, shape.parameterOffset(l, d), dWih, dWhh, dbih, dbhh);
                worst = Math.max(worst, check(name, "d_" + StackShape.torchName("weight_ih", l, d), dWih, g.doubles("d_" + StackShape.torchName("weight_ih", l, d))));
                worst = Math.max(worst, check(name, "d_" + StackShape.torchName("weight_hh", l, d), dWhh, g.doubles("d_" + StackShape.torchName("weight_hh", l, d))));
                worst = Math.max(worst, check(name, "d_" + StackShape.torchName("bias_ih", l, d), dbih, g.doubles("d_" + StackShape.torchName("bias_ih", l, d))));
                worst = Math.max(worst, check(name, "d_" + StackShape.torchName("bias_hh", l, d), dbhh, g.doubles("d_" + StackShape.torchName("bias_hh", l, d))));
            }
        }
        largest[implementation.ordinal()] = Math.max(largest[implementation.ordinal()], worst);
    }

    /** PyTorch's h and c blocks, one after the other: the stack's state layout. */
    private static float[] concat(StackShape shape, float[] h, float[] c) {
        float[] state = new float[shape.stateLength()];
        System.arraycopy(h, 0, state, 0, h.length);
        if (c != null) {
            System.arraycopy(c, 0, state, h.length, c.length);
        }
        return state;
    }

    private static double check(String name, String tensor, float[] actual, double[] truth) {
        return Fixtures.assertCloseToPyTorch(name + " " + tensor, actual, truth, TOLERANCE);
    }

    @AfterAll
    static void report() {
        System.out.println("largest normwise error against PyTorch's composed cases: reference " + largest[Implementation.REFERENCE.ordinal()]
                + ", SIMD " + largest[Implementation.SIMD.ordinal()]);
    }
}
