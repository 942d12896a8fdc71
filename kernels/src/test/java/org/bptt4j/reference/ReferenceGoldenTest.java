package org.bptt4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bptt4j.Cell;
import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;
import org.bptt4j.io.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference against PyTorch's float64 results ({@code ../shared/golden}, copied into the test
 * resources): outputs, every gradient, dx, dh_0 (and the LSTM's c_T and dc_0), every cell, both
 * loss modes.
 */
public class ReferenceGoldenTest {
    /**
     * Errors are measured relative to the tensor's largest truth, as a normwise bound for sums of
     * float products is: each pre-activation is a sum of at most K = I + H <= 66 float products per step,
     * each sum rounded with a normwise error of at most about K * 2^-24 ~ 4e-6 (the observed error is
     * about 3e-7: rounding errors mostly cancel), and the recurrent Jacobian of these cases has norm
     * below 1, so errors from earlier steps do not grow. The gates' sigmoid and tanh (within an ulp or
     * two) and their few products per element add a few ulps more, far below that bound (the gated
     * cells' largest error is printed beside the vanilla ones'). 2e-5 is five times that bound; a wrong
     * formula misses by 1e-2 or more.
     */
    static final double TOLERANCE = 2e-5;

    static double largestError;
    static double largestGatedError;

    /** The golden cases of every cell. */
    public static List<String> cases() {
        List<String> names = new ArrayList<>();
        for (String cell : new String[]{"rnn_tanh", "rnn_relu", "lstm", "gru"}) {
            for (String mode : new String[]{"every", "last"}) {
                for (String shape : new String[]{"1x1x1x1", "3x2x5x7", "4x1x33x33", "5x3x17x16"}) {
                    names.add(cell + "-" + mode + "-" + shape);
                }
            }
        }
        return names;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        double error = compare(name, ReferenceLayer::new, 0);
        largestError = Math.max(largestError, error);
        if (!name.startsWith("rnn")) {
            largestGatedError = Math.max(largestGatedError, error);
        }
    }

    /**
     * Runs {@code name} through a layer and checks every output against PyTorch.
     *
     * @param extraSteps extra capacity of the workspace beyond the case's T, to run a shorter T
     * @return the largest relative error seen
     */
    public static double compare(String name, java.util.function.Function<LayerShape, RecurrentLayer> factory, int extraSteps) {
        SafeTensors g = Fixtures.golden(name);
        Map<String, String> meta = g.metadata();
        int steps = Integer.parseInt(meta.get("T"));
        int batch = Integer.parseInt(meta.get("B"));
        int in = Integer.parseInt(meta.get("I"));
        int hid = Integer.parseInt(meta.get("H"));
        boolean everyStep = meta.get("loss_mode").equals("every");
        LayerShape shape = LayerShape.named(meta.get("cell"), steps + extraSteps, batch, in, hid);
        boolean lstm = shape.cell() == Cell.LSTM;
        int gh = shape.gateWidth(), bh = batch * hid;
        RecurrentLayer layer = factory.apply(shape);
        ParameterLayout layout = shape.parameterLayout();

        float[] params = new float[layout.size()];
        layout.fromPyTorch(g.floats("weight_ih", gh, in), g.floats("weight_hh", gh, hid),
                g.floats("bias_ih", gh), g.floats("bias_hh", gh), params);
        float[] x = g.floats("x", steps, batch, in);
        float[] state0 = new float[shape.stateLength()]; // h0, then the LSTM's c0
        System.arraycopy(g.floats("h0", batch, hid), 0, state0, 0, bh);
        if (lstm) {
            System.arraycopy(g.floats("c0", batch, hid), 0, state0, bh, bh);
        }
        Workspace ws = layer.newWorkspace();
        float[] stateT = new float[shape.stateLength()];
        layer.forward(params, x, steps, state0, ws, stateT);

        float[] grads = new float[params.length];
        float[] dx = new float[x.length];
        float[] dState0 = new float[state0.length];
        if (everyStep) {
            layer.backwardEveryStep(params, x, g.floats("dh_seq", steps, batch, hid), ws, grads, dx, dState0);
        } else {
            float[] dStateT = new float[shape.stateLength()]; // the loss is on h_T only: dc_T = 0
            System.arraycopy(g.floats("dh_last", batch, hid), 0, dStateT, 0, bh);
            layer.backwardLastStep(params, x, dStateT, ws, grads, dx, dState0);
        }
        float[] dWih = new float[gh * in];
        float[] dWhh = new float[gh * hid];
        float[] dbih = new float[gh];
        float[] dbhh = new float[gh];
        layout.gradientsToPyTorch(grads, dWih, dWhh, dbih, dbhh);

        float[] hSeq = new float[steps * batch * hid];
        System.arraycopy(ws.states(), ws.stateOffset(1), hSeq, 0, hSeq.length);
        double worst = 0;
        worst = Math.max(worst, check(name, "h_seq", hSeq, g.doubles("h_seq")));
        worst = Math.max(worst, check(name, "h_T", java.util.Arrays.copyOf(stateT, bh), g.doubles("h_T")));
        worst = Math.max(worst, check(name, "d_weight_ih", dWih, g.doubles("d_weight_ih")));
        worst = Math.max(worst, check(name, "d_weight_hh", dWhh, g.doubles("d_weight_hh")));
        worst = Math.max(worst, check(name, "d_bias_ih", dbih, g.doubles("d_bias_ih")));
        worst = Math.max(worst, check(name, "d_bias_hh", dbhh, g.doubles("d_bias_hh")));
        worst = Math.max(worst, check(name, "dx", dx, g.doubles("dx")));
        worst = Math.max(worst, check(name, "dh0", java.util.Arrays.copyOf(dState0, bh), g.doubles("dh0")));
        if (lstm) {
            worst = Math.max(worst, check(name, "c_T", java.util.Arrays.copyOfRange(stateT, bh, 2 * bh), g.doubles("c_T")));
            worst = Math.max(worst, check(name, "dc0", java.util.Arrays.copyOfRange(dState0, bh, 2 * bh), g.doubles("dc0")));
        }
        return worst;
    }

    private static double check(String name, String tensor, float[] actual, double[] truth) {
        return Fixtures.assertCloseToPyTorch(name + " " + tensor, actual, truth, TOLERANCE);
    }

    @AfterAll
    static void report() {
        System.out.println("largest normwise error against PyTorch: " + largestError + " (LSTM and GRU: " + largestGatedError + ")");
    }
}
