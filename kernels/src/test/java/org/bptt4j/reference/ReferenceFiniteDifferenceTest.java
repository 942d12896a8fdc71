package org.bptt4j.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import org.bptt4j.Activation;
import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.Workspace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference's float gradients against central differences of an independent double-precision
 * forward pass, for every parameter, every element of dx and of dh_0.
 */
class ReferenceFiniteDifferenceTest {
    /** Step of the central difference: truncation error ~ EPS^2 * |L'''| ~ 1e-12 and rounding ~ 1e-16 / EPS ~ 1e-10. */
    private static final double EPS = 1e-6;
    /**
     * The float backward sums at most ~30 products per element over a few steps: its rounding error
     * is about 30 * 6e-8 * (sum of |terms|) ~ 2e-6 for terms of order 1, and the differences above
     * are exact to ~1e-9 by comparison. A wrong term (a missed step, a wrong index, a missing f')
     * changes a gradient by order 1e-1, so 2e-5 * (1 + |g|) separates the two by four decades.
     */
    private static final double TOLERANCE = 2e-5;

    static double largestError;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        int[][] shapes = {{1, 1, 1, 1, 1}, {3, 3, 2, 3, 4}, {6, 4, 1, 2, 3}, {2, 2, 3, 1, 2}};
        for (String cell : new String[]{"rnn_tanh", "rnn_relu", "lstm", "gru"}) {
            for (boolean everyStep : new boolean[]{true, false}) {
                for (int[] s : shapes) {
                    list.add(Arguments.of(cell, everyStep, s[0], s[1], s[2], s[3], s[4]));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} everyStep={1} maxT={2} T={3} B={4} I={5} H={6}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(String cell, boolean everyStep, int maxT, int steps, int batch, int in, int hid) {
        LayerShape shape = LayerShape.named(cell, maxT, batch, in, hid);
        Activation act = shape.activation();
        ReferenceLayer layer = new ReferenceLayer(shape);
        Random random = new Random(31L * steps + 7L * hid + cell.hashCode() + (everyStep ? 100 : 0));
        float[] params;
        float[] x;
        float[] h0;
        double[] minAbs = {Double.MAX_VALUE};
        // Draw until no pre-activation lies within 1e-3 of ReLU's kink, where a difference quotient is meaningless.
        do {
            params = Fixtures.parameters(random, shape, 1.5f);
            x = Fixtures.uniform(random, shape.inputLength(steps), 1f);
            h0 = Fixtures.uniform(random, shape.stateLength(), 0.5f);
            minAbs[0] = Double.MAX_VALUE;
            DoubleRnn.loss(shape, Fixtures.toDoubles(params), Fixtures.toDoubles(x), steps, Fixtures.toDoubles(h0),
                    new double[everyStep ? shape.hiddenSequenceLength(steps) : shape.stateLength()], everyStep, minAbs);
        } while (shape.cell() == org.bptt4j.Cell.VANILLA && act == Activation.RELU && minAbs[0] < 1e-3);
        float[] dh = Fixtures.uniform(random, everyStep ? shape.hiddenSequenceLength(steps) : shape.stateLength(), 1f);

        Workspace ws = layer.newWorkspace();
        layer.forward(params, x, steps, h0, ws, null);
        float[] grads = new float[params.length];
        float[] dx = new float[x.length];
        float[] dh0 = new float[h0.length];
        if (everyStep) {
            layer.backwardEveryStep(params, x, dh, ws, grads, dx, dh0);
        } else {
            layer.backwardLastStep(params, x, dh, ws, grads, dx, dh0);
        }

        double[] p = Fixtures.toDoubles(params);
        double[] xd = Fixtures.toDoubles(x);
        double[] h0d = Fixtures.toDoubles(h0);
        double[] dhd = Fixtures.toDoubles(dh);
        check("params", grads, p, v -> DoubleRnn.loss(shape, p, xd, steps, h0d, dhd, everyStep, null));
        check("dx", dx, xd, v -> DoubleRnn.loss(shape, p, xd, steps, h0d, dhd, everyStep, null));
        check("dState0", dh0, h0d, v -> DoubleRnn.loss(shape, p, xd, steps, h0d, dhd, everyStep, null));
    }

    /** Perturbs each element of {@code point} in place and compares the difference quotient with {@code analytic}. */
    private static void check(String what, float[] analytic, double[] point, DoubleUnaryOperator loss) {
        for (int n = 0; n < point.length; n++) {
            double saved = point[n];
            point[n] = saved + EPS;
            double up = loss.applyAsDouble(0);
            point[n] = saved - EPS;
            double down = loss.applyAsDouble(0);
            point[n] = saved;
            double numeric = (up - down) / (2 * EPS);
            double error = Math.abs(analytic[n] - numeric) / (1 + Math.abs(numeric));
            largestError = Math.max(largestError, error);
            assertTrue(error <= TOLERANCE, what + "[" + n + "]: analytic " + analytic[n] + ", finite difference " + numeric);
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void report() {
        System.out.println("largest relative gradient error against finite differences: " + largestError);
    }
}
