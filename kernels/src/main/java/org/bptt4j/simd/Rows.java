package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Row operations of the passes that are not products: sums (full vectors, then a scalar remainder) and a transpose. */
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

    /** {@code dst[dOff + i*ldDst + j] = src[sOff + i*ldSrc + j]}: rows x cols floats with other row strides. */
    static void copyRows(float[] src, int sOff, int ldSrc, int rows, int cols, float[] dst, int dOff, int ldDst) {
        for (int i = 0; i < rows; i++) {
            System.arraycopy(src, sOff + i * ldSrc, dst, dOff + i * ldDst, cols);
        }
    }

    /**
     * {@code dst[dOff + j*ldDst + i] = src[sOff + i*ldSrc + j]}: a rows x cols matrix (rows ldSrc apart) into cols x rows (rows ldDst apart),
     * in 32 x 32 blocks so that both sides stay in cache, writing contiguously (at H = I = 512,
     * packing both matrices took 2.1 ms row by row, 1.1 ms in blocks read contiguously, 0.36 ms so,
     * in PhaseBenchmark).
     */
    static void transpose(float[] src, int sOff, int rows, int cols, int ldSrc, float[] dst, int dOff, int ldDst) {
        final int block = 32;
        for (int i0 = 0; i0 < rows; i0 += block) {
            int i1 = Math.min(i0 + block, rows);
            for (int j0 = 0; j0 < cols; j0 += block) {
                int j1 = Math.min(j0 + block, cols);
                for (int j = j0; j < j1; j++) {
                    int d = dOff + j * ldDst;
                    for (int i = i0; i < i1; i++) {
                        dst[d + i] = src[sOff + i * ldSrc + j];
                    }
                }
            }
        }
    }
}
