package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise functions built only from operations that IEEE 754 defines exactly (add, multiply,
 * fused multiply-add, divide, compare, blend, integer bit operations), so that they give the same
 * bits whether HotSpot interprets, C1-compiles or C2-compiles the caller. The Vector API's own
 * {@code lanewise(TANH)} does not: compiled it calls a vector math library (SVML), interpreted it
 * falls back to {@code Math.tanh} per lane, and the two differ in the last bits, which would make
 * a kernel's result depend on how warm the JIT is.
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int L = S.length();

    /** Below this |x|, tanh's odd Taylor series; above, {@code 1 - 2/(e^{2|x|} + 1)} (where it loses no digits). */
    static final float SERIES_LIMIT = 0.55f;
    /** tanh(10) rounds to 1 in float; clamping there keeps e^{2|x|} finite and the exponent arithmetic in range. */
    private static final float CLAMP = 10f;

    // tanh x = x * sum_k A_k x^{2k}: at |x| < 0.55 the terms shrink by about 0.4 x^2 < 0.13 each,
    // so ten terms leave a remainder below 2^-26 of the result.
    private static final float[] SERIES = tanhSeries(10);
    private static final float A1 = SERIES[1], A2 = SERIES[2], A3 = SERIES[3], A4 = SERIES[4],
            A5 = SERIES[5], A6 = SERIES[6], A7 = SERIES[7], A8 = SERIES[8], A9 = SERIES[9];

    private static final VectorSpecies<Integer> INTS = S.withLanes(int.class);
    /** exp's domain: below, 2^n would leave the normal range; above, e^y overflows. */
    static final float EXP_MIN = -87f;
    static final float EXP_MAX = 88f;
    private static final float LOG2_E = 1.44269504f;
    /** ln 2 split so that n * LN2_HI is exact for the n that occur (|n| < 2^8). */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860677e-6f;
    /** e^r = sum r^k / k! to k = 7, highest first, for Horner's rule (every lane and the scalar twin alike). */
    private static final float[] EXP_SERIES = {1f / 5040f, 1f / 720f, 1f / 120f, 1f / 24f, 1f / 6f, 0.5f, 1f, 1f};

    private VectorMath() {
    }

    /**
     * {@code c[i] = tanh(c[i])} for the {@code count} floats from {@code index}, whose last vector
     * (whole, masked lanes included) must lie inside the array: within 1 ulp of {@link Math#tanh}
     * (measured on every 61st float of the range by {@code VectorMathTest}); odd, exact at ±0, ±1
     * at ±infinity, NaN for NaN.
     *
     * <p>It takes an array, not a vector: a vector handed to a call that C2 does not inline is
     * boxed, and this function is too large to be inlined into every caller. It takes a range, not
     * one vector: each vector's value stays in registers from its load to its store, the stores
     * are long done when the caller reads them back (a value stored and loaded again at once waits
     * for the store: at B = 64, H = 512, with tanh one vector per call and exp through the array,
     * the LSTM's forward steps spent a quarter of their time in the cell), and the loop over the
     * range runs inside the function, where C2 loads its 26 constants once per call. Called once
     * per vector (the constants loaded for each) and with {@code min} for the clamp, a vector took
     * 1.20-1.46x as long (5 runs, 32768 floats in calls of 64 to 512, 2026-11-27).
     */
    static void tanh(float[] c, int index, int count) {
        tanh(c, index, c, index, count, false);
    }

    /**
     * {@code dst[to + i] = tanh(src[from + i])} for {@code i < count}, as {@link #tanh(float[], int, int)}
     * does in place (both ranges' last vectors inside their arrays).
     */
    static void tanh(float[] src, int from, float[] dst, int to, int count) {
        tanh(src, from, dst, to, count, false);
    }

    /**
     * {@code c[i] = sigmoid(c[i]) = 0.5 + 0.5 tanh(c[i]/2)} for the {@code count} floats from
     * {@code index}, as {@link #tanh(float[], int, int)} takes them.
     */
    static void sigmoid(float[] c, int index, int count) {
        tanh(c, index, c, index, count, true);
    }

    /** tanh, or sigmoid through it, of {@code count} floats, each vector in registers from its load to its store. */
    private static void tanh(float[] src, int from, float[] dst, int to, int count, boolean sigmoid) {
        for (int i = 0; i < count; i += L) {
            VectorMask<Float> m = S.indexInRange(i, count);
            FloatVector x = FloatVector.fromArray(S, src, from + i, m);
            if (sigmoid) {
                x = x.mul(0.5f).add(0f); // + 0 turns -0 into +0: the same sigmoid, 0.5
            }
            FloatVector x2 = x.mul(x);
            FloatVector p = FloatVector.broadcast(S, A9);
            p = p.fma(x2, FloatVector.broadcast(S, A8));
            p = p.fma(x2, FloatVector.broadcast(S, A7));
            p = p.fma(x2, FloatVector.broadcast(S, A6));
            p = p.fma(x2, FloatVector.broadcast(S, A5));
            p = p.fma(x2, FloatVector.broadcast(S, A4));
            p = p.fma(x2, FloatVector.broadcast(S, A3));
            p = p.fma(x2, FloatVector.broadcast(S, A2));
            p = p.fma(x2, FloatVector.broadcast(S, A1));
            FloatVector small = x2.mul(p).fma(x, x); // x + x^3 (A1 + A2 x^2 + ...), A0 = 1
            small = small.blend(x, x.compare(VectorOperators.EQ, 0f)); // -0 + (+0) would lose the sign of -0

            // e^y, y = 2 min(|x|, CLAMP), with exp's operations less those that leave y in [0, 20]
            // unchanged (the clamp to exp's domain, the floor's correction below zero), so the bits
            // are those of exp(float) in the scalar twin. NaN takes the series branch. The min is a
            // blend: |x| is never -0, and NaN stays NaN either way (min() sorts out both, in 6
            // instructions more).
            FloatVector ax = x.abs();
            FloatVector y = ax.blend(CLAMP, ax.compare(VectorOperators.GT, CLAMP)).mul(2f);
            FloatVector t = y.mul(LOG2_E).add(0.5f);
            IntVector n = (IntVector) t.convert(VectorOperators.F2I, 0); // t > 0: toward zero is the floor
            FloatVector nf = (FloatVector) n.convert(VectorOperators.I2F, 0);
            FloatVector r = nf.neg().fma(FloatVector.broadcast(S, LN2_HI), y);
            r = nf.neg().fma(FloatVector.broadcast(S, LN2_LO), r);
            FloatVector q = FloatVector.broadcast(S, EXP_SERIES[0]);
            for (int j = 1; j < EXP_SERIES.length; j++) {
                q = q.fma(r, FloatVector.broadcast(S, EXP_SERIES[j]));
            }
            FloatVector e = q.mul(n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());

            FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
            large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
            FloatVector result = small.blend(large, ax.compare(VectorOperators.GE, SERIES_LIMIT));
            if (sigmoid) {
                result = result.mul(0.5f).add(0.5f);
            }
            result.intoArray(dst, to + i, m);
        }
    }

    /**
     * {@code c[i] = e^c[i]} for the {@code lanes} floats (at most one vector) from {@code index},
     * whose whole vector must lie inside the array, for arguments in [{@value #EXP_MIN},
     * {@value #EXP_MAX}] (outside, the nearer end's value; callers exclude NaN). Within 1 ulp of
     * {@link Math#exp} there ({@code VectorMathTest}).
     *
     * <p>y = n ln2 + r with n = floor(y log2(e) + 1/2), |r| <= ln2/2; e^r by its Taylor series to
     * r^7 (remainder below 2^-27); 2^n put into the exponent bits.
     */
    static void exp(float[] c, int index, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector y = FloatVector.fromArray(S, c, index, m).max(EXP_MIN).min(EXP_MAX);
        FloatVector t = y.mul(LOG2_E).add(0.5f);
        IntVector n = (IntVector) t.convert(VectorOperators.F2I, 0); // toward zero
        FloatVector nf = (FloatVector) n.convert(VectorOperators.I2F, 0);
        VectorMask<Float> above = nf.compare(VectorOperators.GT, t); // t < 0 was rounded up: floor is one less
        nf = nf.sub(FloatVector.broadcast(S, 1f), above);
        n = n.sub(IntVector.broadcast(INTS, 1), above.cast(INTS));
        FloatVector r = nf.neg().fma(FloatVector.broadcast(S, LN2_HI), y);
        r = nf.neg().fma(FloatVector.broadcast(S, LN2_LO), r);
        FloatVector q = FloatVector.broadcast(S, EXP_SERIES[0]);
        for (int i = 1; i < EXP_SERIES.length; i++) {
            q = q.fma(r, FloatVector.broadcast(S, EXP_SERIES[i]));
        }
        q.mul(n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).intoArray(c, index, m);
    }

    /**
     * The same tanh for one float, with the same operations in the same order as each lane of
     * {@link #tanh(float[], int, int)} (less, there, those of exp that leave its argument
     * unchanged), so a column in a kernel's scalar remainder gets the same bits it would get in a
     * vector.
     */
    static float tanh(float x) {
        float x2 = x * x;
        float p = A9;
        p = Math.fma(p, x2, A8);
        p = Math.fma(p, x2, A7);
        p = Math.fma(p, x2, A6);
        p = Math.fma(p, x2, A5);
        p = Math.fma(p, x2, A4);
        p = Math.fma(p, x2, A3);
        p = Math.fma(p, x2, A2);
        p = Math.fma(p, x2, A1);
        float ax = Math.abs(x);
        if (!(ax >= SERIES_LIMIT)) { // NaN too
            return x == 0f ? x : Math.fma(x2 * p, x, x);
        }
        float large = 1f - 2f / (exp(Math.min(ax, CLAMP) * 2f) + 1f);
        return x < 0f ? -large : large;
    }

    /** The same e^y for one float, with the same operations as each lane of {@link #exp(float[], int, int)}. */
    static float exp(float y) {
        y = Math.min(Math.max(y, EXP_MIN), EXP_MAX);
        float t = y * LOG2_E + 0.5f;
        int n = (int) t;
        float nf = n;
        if (nf > t) {
            nf -= 1f;
            n -= 1;
        }
        float r = Math.fma(-nf, LN2_HI, y);
        r = Math.fma(-nf, LN2_LO, r);
        float q = EXP_SERIES[0];
        for (int i = 1; i < EXP_SERIES.length; i++) {
            q = Math.fma(q, r, EXP_SERIES[i]);
        }
        return q * Float.intBitsToFloat((n + 127) << 23);
    }

    /**
     * The first {@code terms} coefficients of tanh x = sum_k a_k x^{2k+1}, from tanh' = 1 - tanh^2:
     * (2k+1) a_k = -sum_{i+j=k-1} a_i a_j, a_0 = 1 (so a_1 = -1/3, a_2 = 2/15, ...).
     */
    static float[] tanhSeries(int terms) {
        double[] a = new double[terms];
        a[0] = 1;
        for (int k = 1; k < terms; k++) {
            double sum = 0;
            for (int i = 0; i <= k - 1; i++) {
                sum += a[i] * a[k - 1 - i];
            }
            a[k] = -sum / (2 * k + 1);
        }
        float[] f = new float[terms];
        for (int k = 0; k < terms; k++) {
            f[k] = (float) a[k];
        }
        return f;
    }
}
