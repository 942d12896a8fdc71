package org.bptt4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.bptt4j.Fixtures;
import org.bptt4j.reference.ReferenceOptimizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Optimizer steps and clipping against hand-worked values and against the scalar reference. */
class OptimizerTest {

    @Test
    void adagradByHand() {
        float[] p = {1f, 2f};
        Adagrad adagrad = new Adagrad(2, 0.1f);
        adagrad.step(p, new float[]{0.5f, -1f});
        // mem = (0.25, 1); p = 1 - 0.1*0.5/sqrt(0.25), 2 + 0.1*1/sqrt(1)
        assertEquals(0.9f, p[0], 1e-6f);
        assertEquals(2.1f, p[1], 1e-6f);
        adagrad.step(p, new float[]{0.5f, 0f});
        // mem = (0.5, 1); p0 = 0.9 - 0.05/sqrt(0.5) = 0.9 - 0.0707107
        assertEquals(0.9f - 0.0707107f, p[0], 1e-6f);
        assertEquals(2.1f, p[1], 1e-6f);
        assertArrayEquals(new float[]{0.5f, 1f}, adagrad.memory());
    }

    @Test
    void sgdWithMomentumByHand() {
        float[] p = {1f};
        Sgd sgd = new Sgd(1, 0.5f, 0.9f);
        sgd.step(p, new float[]{2f});   // v = 2, p = 1 - 1 = 0
        assertEquals(0f, p[0], 1e-7f);
        sgd.step(p, new float[]{1f});   // v = 1.8 + 1 = 2.8, p = -1.4
        assertEquals(-1.4f, p[0], 1e-6f);
        Sgd plain = new Sgd(1, 0.5f, 0f);
        float[] q = {1f};
        plain.step(q, new float[]{2f});
        plain.step(q, new float[]{2f});
        assertEquals(-1f, q[0], 1e-7f);
    }

    @Test
    void adamByHand() {
        float[] p = {1f, 1f};
        Adam adam = new Adam(2, 0.01f);
        adam.step(p, new float[]{3f, -0.5f});
        // Step 1: m_hat = g, v_hat = g^2, so each moves by lr * g / (|g| + 1e-8) = lr * sign(g).
        assertEquals(0.99f, p[0], 1e-6f);
        assertEquals(1.01f, p[1], 1e-6f);
        adam.step(p, new float[]{3f, 0f});
        // Step 2, element 1: m = 0.9*0.1*(-0.5) = -0.045, m_hat = -0.045/0.19; v = 0.999*0.001*0.25, v_hat = v/0.001999
        double mHat = -0.045 / 0.19;
        double vHat = 0.999 * 0.00025 / (1 - 0.999 * 0.999);
        assertEquals(1.01 - 0.01 * mHat / (Math.sqrt(vHat) + 1e-8), p[1], 1e-6);
        assertEquals(2, adam.steps());
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 7, 17, 100, 1001})
    void simdUpdatesMatchTheReference(int n) {
        Random random = new Random(n);
        float[] start = Fixtures.uniform(random, n, 1f);
        float[][] grads = new float[5][];
        for (int s = 0; s < 5; s++) {
            grads[s] = Fixtures.uniform(random, n, 2f);
        }
        // SIMD and reference differ only in fused multiply-adds and float vs double corrections:
        // a few ulp of values of order 1 after 5 steps; 1e-5 is far below any formula mistake.
        float[] a = start.clone();
        float[] b = start.clone();
        float[] mem = new float[n];
        Adagrad adagrad = new Adagrad(n, 0.1f);
        for (float[] g : grads) {
            adagrad.step(a, g);
            ReferenceOptimizers.adagrad(b, g, mem, 0.1f);
        }
        assertArrayEquals(b, a, 1e-5f, "adagrad");
        a = start.clone();
        b = start.clone();
        float[] velocity = new float[n];
        Sgd sgd = new Sgd(n, 0.05f, 0.9f);
        for (float[] g : grads) {
            sgd.step(a, g);
            ReferenceOptimizers.sgd(b, g, velocity, 0.05f, 0.9f);
        }
        assertArrayEquals(b, a, 1e-5f, "sgd");
        a = start.clone();
        b = start.clone();
        float[] m = new float[n];
        float[] v = new float[n];
        Adam adam = new Adam(n, 0.01f, 0.9f, 0.999f, 1e-8f);
        for (int s = 0; s < grads.length; s++) {
            adam.step(a, grads[s]);
            ReferenceOptimizers.adam(b, grads[s], m, v, s + 1, 0.01f, 0.9f, 0.999f, 1e-8f);
        }
        assertArrayEquals(b, a, 1e-5f, "adam");

        float[] c = grads[0].clone();
        float[] d = grads[0].clone();
        Clipping.clipElementwise(c, 0.7f);
        ReferenceOptimizers.clipElementwise(d, 0.7f);
        assertArrayEquals(d, c, "clip elementwise");
        c = grads[1].clone();
        d = grads[1].clone();
        double norm = Clipping.clipGlobalNorm(c, 0.5f);
        // The SIMD sum of squares runs in float lanes over blocks of 1024 (64 terms per lane) before
        // adding in double; the reference adds every term in double: ~64 * 2^-24 apart at worst.
        assertEquals(ReferenceOptimizers.clipGlobalNorm(d, 0.5f), norm, 4e-6 * norm);
        assertArrayEquals(d, c, 1e-6f, "clip by norm");
    }

    @Test
    void clippingByHand() {
        float[] g = {-7f, 5f, 4.5f, Float.NaN, -5f, 0f, 6f, -0.25f, 100f, 1f, 2f, 3f, 4f, 5.5f, -9f, 8f, 7f, -1f};
        Clipping.clipElementwise(g, 5f);
        assertArrayEquals(new float[]{-5f, 5f, 4.5f, Float.NaN, -5f, 0f, 5f, -0.25f, 5f, 1f, 2f, 3f, 4f, 5f, -5f, 5f, 5f, -1f}, g);
        float[] h = {3f, 4f};
        assertEquals(5.0, Clipping.clipGlobalNorm(h, 1f), 1e-9);
        assertEquals(0.6f, h[0], 1e-6f);
        assertEquals(0.8f, h[1], 1e-6f);
        float[] small = {0.3f, 0.4f};
        assertEquals(0.5, Clipping.clipGlobalNorm(small, 1f), 1e-7);
        assertArrayEquals(new float[]{0.3f, 0.4f}, small, "below the limit: untouched");
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingIsWritten() {
        Adagrad adagrad = new Adagrad(3, 0.1f);
        float[] p = {1f, 2f, 3f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adagrad.step(p, new float[2]));
        assertTrue(e.getMessage().startsWith("grads.length must be 3"), e.getMessage());
        assertArrayEquals(new float[]{1f, 2f, 3f}, p);
        assertThrows(IllegalArgumentException.class, () -> new Adagrad(0, 0.1f));
        assertThrows(IllegalArgumentException.class, () -> new Adagrad(3, -0.1f));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(3, 0.1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(3, 0.1f, 1f, 0.9f, 1e-8f));
        assertThrows(IllegalArgumentException.class, () -> Clipping.clipElementwise(p, 0f));
        assertThrows(IllegalArgumentException.class, () -> Clipping.clipGlobalNorm(null, 1f));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sgd", "adagrad", "adam"})
    void aNonFiniteGradientStopsTheStepWithNothingUpdated(String kind) {
        Optimizer o = switch (kind) {
            case "sgd" -> new Sgd(40, 0.1f, 0.9f);
            case "adagrad" -> new Adagrad(40, 0.1f);
            default -> new Adam(40, 0.1f);
        };
        float[] params = org.bptt4j.Fixtures.uniform(new java.util.Random(1), 40, 1f);
        float[] grads = org.bptt4j.Fixtures.uniform(new java.util.Random(2), 40, 1f);
        o.step(params, grads);
        float[] keep = params.clone();
        OptimizerState state = o.state();
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY}) {
            grads[33] = bad;
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> o.step(params, grads));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("grads[33]"), e.getMessage());
            org.junit.jupiter.api.Assertions.assertArrayEquals(keep, params, "parameters untouched");
            state.arrays().forEach((name, values) -> org.junit.jupiter.api.Assertions.assertArrayEquals(values, o.state().arrays().get(name), name));
            org.junit.jupiter.api.Assertions.assertEquals(state.steps(), o.state().steps());
            float[] before = grads.clone();
            assertThrows(ArithmeticException.class, () -> Clipping.clipGlobalNorm(grads, 1f));
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, grads, "nothing scaled");
        }
    }

}
