package org.bptt4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Random;

import org.bptt4j.io.SafeTensors;

/** Seeded test data and small helpers shared by the tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** @return n floats uniform in [-scale, scale) from {@code random} */
    public static float[] uniform(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (random.nextFloat() * 2f - 1f) * scale;
        }
        return a;
    }

    /** Parameters scaled like PyTorch's default init, U(-1/sqrt(H), 1/sqrt(H)), times {@code gain}. */
    public static float[] parameters(Random random, LayerShape shape, float gain) {
        return uniform(random, shape.parameterLayout().size(), gain / (float) Math.sqrt(shape.hiddenSize()));
    }

    /** Reads a golden case copied from {@code ../shared/golden} into the test resources. */
    public static SafeTensors golden(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/golden/" + name + ".safetensors")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource golden/" + name + ".safetensors");
            }
            return SafeTensors.parse(in.readAllBytes(), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asserts that {@code actual} matches {@code expected} normwise: every difference at most
     * {@code tolerance} times the largest |expected| (as error bounds of sums of products are).
     *
     * @return the largest such relative difference seen
     */
    public static double assertNormwiseClose(String what, float[] expected, float[] actual, double tolerance) {
        return assertNormwise(what, toDoubles(expected), actual, tolerance, "expected");
    }

    /**
     * Asserts that {@code actual} matches PyTorch's float64 {@code truth} normwise: every difference
     * at most {@code tolerance} times the largest |truth| (the golden tests' measure).
     *
     * @return the largest such relative difference seen
     */
    public static double assertCloseToPyTorch(String what, float[] actual, double[] truth, double tolerance) {
        return assertNormwise(what, truth, actual, tolerance, "PyTorch");
    }

    private static double assertNormwise(String what, double[] expected, float[] actual, double tolerance, String source) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what + " length");
        double scale = 1e-30;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int n = 0; n < expected.length; n++) {
            double error = Math.abs(actual[n] - expected[n]) / scale;
            worst = Math.max(worst, error);
            if (!(error <= tolerance)) {
                org.junit.jupiter.api.Assertions.fail(what + "[" + n + "]: " + actual[n] + " vs " + source + " " + expected[n]
                        + " (largest |" + source + "| " + scale + ", tolerance " + tolerance + ")");
            }
        }
        return worst;
    }

    /** @return n ids uniform in [0, bound) */
    public static int[] tokens(Random random, int n, int bound) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(bound);
        }
        return t;
    }

    /** @return {@code float[]} as doubles */
    public static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
