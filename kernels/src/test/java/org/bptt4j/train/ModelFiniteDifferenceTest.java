package org.bptt4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.bptt4j.Activation;
import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.reference.DoubleRnn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference model's gradients (token input, layer, softmax cross-entropy head) against central
 * differences of an independent double-precision forward pass, for every parameter, every cell,
 * with the loss at every step and at the last step only.
 */
class ModelFiniteDifferenceTest {
    /** Truncation ~ EPS^2 |L'''| ~ 1e-12, rounding ~ 1e-16 / EPS ~ 1e-10: the differences are exact to ~1e-9. */
    private static final double EPS = 1e-6;
    /**
     * The float gradients carry rounding of about (terms per sum) x 2^-24 ~ 1e-6 relative, for sums
     * of at most a few dozen terms here; a wrong index, a missing softmax term or a dropped step is
     * off by 1e-2 or more. 2e-5 * (1 + |g|) separates the two.
     */
    private static final double TOLERANCE = 2e-5;
    static double largestError;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        int[][] shapes = {{3, 2, 4, 3, 4}, {1, 1, 2, 1, 2}, {4, 1, 5, 2, 3}, {2, 3, 3, 5, 6}}; // T, B, I, H, V
        for (String cell : new String[]{"rnn_tanh", "rnn_relu", "lstm", "gru"}) {
            for (boolean every : new boolean[]{true, false}) {
                for (int[] s : shapes) {
                    list.add(Arguments.of(cell, every, s[0], s[1], s[2], s[3], s[4]));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} everyStep={1} T={2} B={3} I={4} H={5} V={6}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(String cell, boolean every, int steps, int batch, int in, int hid, int v) {
        LayerShape shape = LayerShape.named(cell, steps, batch, in, hid);
        Activation act = shape.activation();
        Model model = Model.reference(shape, v);
        Random random = new Random(steps * 131 + hid * 7 + v + cell.hashCode() + (every ? 1 : 0));
        float[] params;
        int[] inputs = Fixtures.tokens(random, steps * batch, in);
        int[] targets = Fixtures.tokens(random, every ? steps * batch : batch, v);
        float[] h0 = every ? Fixtures.uniform(random, shape.stateLength(), 0.5f) : new float[shape.stateLength()];
        double[] minAbs = {Double.MAX_VALUE};
        // Draw until no pre-activation lies within 1e-3 of ReLU's kink, where a difference quotient is meaningless.
        do {
            params = Fixtures.uniform(random, model.size(), 0.9f);
            minAbs[0] = Double.MAX_VALUE;
            loss(shape, v, Fixtures.toDoubles(params), inputs, targets, Fixtures.toDoubles(h0), every, minAbs);
        } while (shape.cell() == org.bptt4j.Cell.VANILLA && act == Activation.RELU && minAbs[0] < 1e-3);
        double[] p = Fixtures.toDoubles(params);

        float[] grads = new float[model.size()];
        double loss = every
                ? model.trainEveryStep(params, inputs, targets, steps, h0.clone(), grads)
                : model.trainLastStep(params, inputs, targets, steps, grads);
        assertEquals(loss(shape, v, p, inputs, targets, Fixtures.toDoubles(h0), every, null), loss, 1e-5 * (1 + loss), "loss");

        for (int n = 0; n < p.length; n++) {
            double saved = p[n];
            p[n] = saved + EPS;
            double up = loss(shape, v, p, inputs, targets, Fixtures.toDoubles(h0), every, null);
            p[n] = saved - EPS;
            double down = loss(shape, v, p, inputs, targets, Fixtures.toDoubles(h0), every, null);
            p[n] = saved;
            double numeric = (up - down) / (2 * EPS);
            double error = Math.abs(grads[n] - numeric) / (1 + Math.abs(numeric));
            largestError = Math.max(largestError, error);
            assertTrue(error <= TOLERANCE, "grads[" + n + "] (head from " + model.headOffset() + "): analytic " + grads[n]
                    + ", finite difference " + numeric);
        }
    }

    /** Cross-entropy of the model in double: tokens as one-hot rows through DoubleRnn, softmax by log-sum-exp. */
    static double loss(LayerShape s, int v, double[] p, int[] inputs, int[] targets, double[] h0, boolean every, double[] minAbs) {
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize(), steps = inputs.length / batch;
        int wy = s.parameterLayout().size(), by = wy + hid * v;
        double[] oneHot = new double[inputs.length * in];
        for (int r = 0; r < inputs.length; r++) {
            oneHot[r * in + inputs[r]] = 1;
        }
        double[][] states = DoubleRnn.states(s, p, oneHot, steps, h0, minAbs);
        double loss = 0;
        for (int t = every ? 0 : steps - 1; t < steps; t++) {
            double[] h = states[t];
            for (int b = 0; b < batch; b++) {
                double[] logits = new double[v];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < v; c++) {
                    logits[c] = p[by + c];
                    for (int k = 0; k < hid; k++) {
                        logits[c] += h[b * hid + k] * p[wy + k * v + c];
                    }
                    max = Math.max(max, logits[c]);
                }
                double sum = 0;
                for (int c = 0; c < v; c++) {
                    sum += Math.exp(logits[c] - max);
                }
                loss += Math.log(sum) + max - logits[targets[every ? t * batch + b : b]];
            }
        }
        return loss;
    }

    @AfterAll
    static void report() {
        System.out.println("model: largest relative gradient error against finite differences: " + largestError);
    }
}
