package org.bptt4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bptt4j.Activation;
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
 * resources): outputs, every gradient, dx and dh_0, both activations, both loss modes.
 */
public class ReferenceGoldenTest {
    /**
     * Errors are measured relative to the tensor's largest truth, as a normwise bound for sums of
     * float products is: each element is a sum of at most K = I + H <= 66 float products per step,
     * each sum rounded with a normwise error of at most about K * 2^-24 ~ 4e-6 (the observed error is
     * about 3e-7: rounding errors mostly cancel), and the recurrent Jacobian of these cases has norm
     * below 1, so errors from earlier steps do not grow. 2e-5 is five times that bound; a wrong
     * formula misses by 1e-2 or more.
     */
    static final double TOLERANCE = 2e-5;

    static double largestError;

    /** The vanilla golden cases. */
    public static List<String> cases() {
        List<String> names = new ArrayList<>();
        for (String cell : new String[]{"rnn_tanh", "rnn_relu"}) {
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
        largestError = Math.max(largestError, compare(name, ReferenceLayer::new, 0));
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
        Activation act = meta.get("cell").equals("rnn_relu") ? Activation.RELU : Activation.TANH;
        boolean everyStep = meta.get("loss_mode").equals("every");
        LayerShape shape = LayerShape.vanilla(steps + extraSteps, batch, in, hid, act);
        RecurrentLayer layer = factory.apply(shape);
        ParameterLayout layout = shape.parameterLayout();

        float[] params = new float[layout.size()];
        layout.fromPyTorch(g.floats("weight_ih", hid, in), g.floats("weight_hh", hid, hid),
                g.floats("bias_ih", hid), g.floats("bias_hh", hid), params);
        float[] x = g.floats("x", steps, batch, in);
        float[] h0 = g.floats("h0", batch, hid);
        Workspace ws = layer.newWorkspace();
        float[] hT = new float[batch * hid];
        layer.forward(params, x, steps, h0, ws, hT);

        float[] grads = new float[params.length];
        float[] dx = new float[x.length];
        float[] dh0 = new float[h0.length];
        if (everyStep) {
            layer.backwardEveryStep(params, x, g.floats("dh_seq", steps, batch, hid), ws, grads, dx, dh0);
        } else {
            layer.backwardLastStep(params, x, g.floats("dh_last", batch, hid), ws, grads, dx, dh0);
        }
        float[] dWih = new float[hid * in];
        float[] dWhh = new float[hid * hid];
        float[] dbih = new float[hid];
        float[] dbhh = new float[hid];
        layout.gradientsToPyTorch(grads, dWih, dWhh, dbih, dbhh);

        float[] hSeq = new float[steps * batch * hid];
        System.arraycopy(ws.states(), ws.stateOffset(1), hSeq, 0, hSeq.length);
        double worst = 0;
        worst = Math.max(worst, check(name, "h_seq", hSeq, g.doubles("h_seq")));
        worst = Math.max(worst, check(name, "h_T", hT, g.doubles("h_T")));
        worst = Math.max(worst, check(name, "d_weight_ih", dWih, g.doubles("d_weight_ih")));
        worst = Math.max(worst, check(name, "d_weight_hh", dWhh, g.doubles("d_weight_hh")));
        worst = Math.max(worst, check(name, "d_bias_ih", dbih, g.doubles("d_bias_ih")));
        worst = Math.max(worst, check(name, "d_bias_hh", dbhh, g.doubles("d_bias_hh")));
        worst = Math.max(worst, check(name, "dx", dx, g.doubles("dx")));
        worst = Math.max(worst, check(name, "dh0", dh0, g.doubles("dh0")));
        return worst;
    }

    private static double check(String name, String tensor, float[] actual, double[] truth) {
        assertEquals(truth.length, actual.length, name + " " + tensor + " length");
        double scale = 0;
        for (double v : truth) {
            scale = Math.max(scale, Math.abs(v));
        }
        scale = Math.max(scale, 1e-30);
        double worst = 0;
        for (int n = 0; n < truth.length; n++) {
            double error = Math.abs(actual[n] - truth[n]) / scale;
            worst = Math.max(worst, error);
            assertTrue(error <= TOLERANCE, name + " " + tensor + "[" + n + "]: " + actual[n] + " vs PyTorch " + truth[n]
                    + " (largest |truth| " + scale + ")");
        }
        return worst;
    }

    @AfterAll
    static void report() {
        System.out.println("largest normwise error against PyTorch: " + largestError);
    }
}
