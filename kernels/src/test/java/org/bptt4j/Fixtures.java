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

    /** @return {@code float[]} as doubles */
    public static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
