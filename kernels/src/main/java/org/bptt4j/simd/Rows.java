package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Elementwise row operations of the passes that are not products: full vectors, then a scalar remainder. */
final class Rows {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;

    private Rows() {
    }

    /** {@code dst[dOff + i] = a[aOff + i] + b[bOff + i]} for i in [0, n). */
    static void sum(float[] a, int aOff, float[] b, int bOff, float[] dst, int dOff, int n) {
        int i = 0;
        for (; i <= n - S.length(); i += S.length()) {
            FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    /** {@code dst[dOff + i] += src[sOff + i]} for i in [0, n). */
    static void accumulate(float[] src, int sOff, float[] dst, int dOff, int n) {
        sum(dst, dOff, src, sOff, dst, dOff, n);
    }
}
