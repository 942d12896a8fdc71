package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VectorMathTest {
    private static final int L = MatMul.L;

    /** Distance in units in the last place between two finite floats of the same sign. */
    private static long ulps(float a, float b) {
        return Math.abs((long) Float.floatToIntBits(a) - Float.floatToIntBits(b));
    }

    @Test
    void tanhIsWithinOneUlpOfMathTanhOverTheWholeRange() {
        float[] in = new float[L];
        float[] out = new float[L];
        long worst = 0;
        float worstAt = 0;
        // Every 61st positive float up to 20 (tanh is 1 beyond), about 18 million values, and their negatives.
        int last = Float.floatToIntBits(20f);
        for (int bits = 0; bits <= last; bits += 61 * L) {
            for (int l = 0; l < L; l++) {
                in[l] = Float.intBitsToFloat(Math.min(bits + 61 * l, last)) * ((l & 1) == 0 ? 1 : -1);
            }
            System.arraycopy(in, 0, out, 0, L);
            VectorMath.tanh(out, 0, L);
            for (int l = 0; l < L; l++) {
                long u = ulps((float) Math.tanh(in[l]), out[l]);
                if (u > worst) {
                    worst = u;
                    worstAt = in[l];
                }
            }
        }
        System.out.println("vector tanh: largest error " + worst + " ulp, at " + worstAt);
        assertTrue(worst <= 1, "largest error " + worst + " ulp at " + worstAt);
    }

    @Test
    void tanhSpecialValues() {
        float[] in = new float[L];
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, VectorMath.SERIES_LIMIT, -VectorMath.SERIES_LIMIT, 9.5f, 1e-20f};
        float[] out = new float[L];
        for (float v : special) {
            java.util.Arrays.fill(out, v);
            VectorMath.tanh(out, 0, L);
            float expected = (float) Math.tanh(v);
            assertTrue(ulps(expected, out[0]) <= 2 || (Float.isNaN(expected) && Float.isNaN(out[0])),
                    "tanh(" + v + ") = " + out[0] + ", expected " + expected);
            assertEquals(Float.floatToIntBits(v) < 0, Float.floatToIntBits(out[0]) < 0, "sign of tanh(" + v + ")");
        }
    }

    @Test
    void scalarTanhGivesTheVectorLanesBits() {
        // The kernels' scalar remainder relies on this: a column's result does not depend on whether
        // it fell in a vector or in the remainder.
        java.util.Random random = new java.util.Random(3);
        float[] v = new float[L];
        for (int round = 0; round < 20_000; round++) {
            for (int l = 0; l < L; l++) {
                v[l] = (float) (random.nextGaussian() * (round % 7 == 0 ? 20 : 1.5));
            }
            v[0] = round % 3 == 0 ? Float.NaN : v[0];
            float[] in = v.clone();
            VectorMath.tanh(v, 0, L);
            for (int l = 0; l < L; l++) {
                assertEquals(Float.floatToIntBits(VectorMath.tanh(in[l])), Float.floatToIntBits(v[l]), "tanh(" + in[l] + ")");
            }
        }
    }

    @Test
    void aRangeGetsTheScalarTwinsBitsInPlaceOrIntoAnotherArrayAndNothingAroundIt() {
        // Ranges of every length up to a few vectors, at offsets that are not multiples of L: the
        // last vector is masked, and the loop runs inside one call.
        java.util.Random random = new java.util.Random(5);
        for (int count = 1; count <= 3 * L + 2; count++) {
            int from = count % 5, to = 2 + count % 3, length = from + count + 2 * L;
            float[] src = new float[length];
            for (int i = 0; i < length; i++) {
                src[i] = (float) (random.nextGaussian() * 4);
            }
            float[] inPlace = src.clone(), sig = src.clone(), dst = new float[length];
            java.util.Arrays.fill(dst, -7f);
            VectorMath.tanh(inPlace, from, count);
            VectorMath.sigmoid(sig, from, count);
            VectorMath.tanh(src.clone(), from, dst, to, count);
            float[] srcAfter = src.clone();
            VectorMath.tanh(srcAfter, from, dst.clone(), to, count);
            for (int i = 0; i < length; i++) {
                boolean in = i >= from && i < from + count;
                float tanh = VectorMath.tanh(src[i]), sigmoid = VectorMath.tanh(src[i] * 0.5f + 0f) * 0.5f + 0.5f;
                assertEquals(Float.floatToIntBits(in ? tanh : src[i]), Float.floatToIntBits(inPlace[i]), "tanh in place, count " + count + ", float " + i);
                assertEquals(Float.floatToIntBits(in ? sigmoid : src[i]), Float.floatToIntBits(sig[i]), "sigmoid, count " + count + ", float " + i);
                assertEquals(Float.floatToIntBits(src[i]), Float.floatToIntBits(srcAfter[i]), "the source, count " + count + ", float " + i);
                boolean out = i >= to && i < to + count;
                float expected = out ? VectorMath.tanh(src[from + i - to]) : -7f;
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(dst[i]), "tanh into another array, count " + count + ", float " + i);
            }
        }
    }

    @Test
    void expIsWithinOneUlpOfMathExpOverItsDomain() {
        float[] v = new float[L];
        long worst = 0;
        float worstAt = 0;
        java.util.Random random = new java.util.Random(8);
        for (int round = 0; round < 200_000; round++) {
            for (int l = 0; l < L; l++) {
                v[l] = VectorMath.EXP_MIN + random.nextFloat() * (VectorMath.EXP_MAX - VectorMath.EXP_MIN)
                        * (round % 2 == 0 ? 1 : 0.01f); // every other round near the low end, where softmax lives
            }
            float[] in = v.clone();
            VectorMath.exp(v, 0, L);
            for (int l = 0; l < L; l++) {
                long u = ulps((float) Math.exp(in[l]), v[l]);
                if (u > worst) {
                    worst = u;
                    worstAt = in[l];
                }
                assertEquals(Float.floatToIntBits(VectorMath.exp(in[l])), Float.floatToIntBits(v[l]), "scalar twin at " + in[l]);
            }
        }
        System.out.println("vector exp: largest error " + worst + " ulp, at " + worstAt);
        assertTrue(worst <= 1, "largest error " + worst + " ulp at " + worstAt);
    }

    @Test
    void seriesCoefficientsAreTanhs() {
        float[] a = VectorMath.tanhSeries(4);
        assertEquals(1f, a[0]);
        assertEquals((float) (-1.0 / 3), a[1]);
        assertEquals((float) (2.0 / 15), a[2]);
        assertEquals((float) (-17.0 / 315), a[3]);
    }
}
