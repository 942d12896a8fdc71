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
     * in PhaseBenchmark). With 512-bit vectors, each whole 16 x 16 block is transposed in registers
     * ({@link #transpose16}); the rest float by float. It only moves floats: the same bits either way.
     */
    static void transpose(float[] src, int sOff, int rows, int cols, int ldSrc, float[] dst, int dOff, int ldDst) {
        final int block = 32;
        boolean inRegisters = S.length() == 16;
        for (int i0 = 0; i0 < rows; i0 += block) {
            int i1 = Math.min(i0 + block, rows);
            for (int j0 = 0; j0 < cols; j0 += block) {
                int j1 = Math.min(j0 + block, cols);
                if (inRegisters && i1 - i0 == block && j1 - j0 == block) {
                    for (int i = i0; i < i1; i += 16) {
                        for (int j = j0; j < j1; j += 16) {
                            transpose16(src, sOff + i * ldSrc + j, ldSrc, dst, dOff + j * ldDst + i, ldDst);
                        }
                    }
                    continue;
                }
                for (int j = j0; j < j1; j++) {
                    int d = dOff + j * ldDst;
                    for (int i = i0; i < i1; i++) {
                        dst[d + i] = src[sOff + i * ldSrc + j];
                    }
                }
            }
        }
    }

    private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
    /** The lanes each stage of {@link #transpose16} takes from its two rows (indices 16 and up: the second row). */
    private static final float[] LO8 = stageLanes(8, false), HI8 = stageLanes(8, true), LO4 = stageLanes(4, false), HI4 = stageLanes(4, true),
            LO2 = stageLanes(2, false), HI2 = stageLanes(2, true), LO1 = stageLanes(1, false), HI1 = stageLanes(1, true);

    /**
     * @return for rows x (first) and y (second) of a stage that swaps blocks of b lanes: the lanes
     *         of the new x ({@code high} false: x's blocks at even block positions, then y's) or
     *         of the new y (x's blocks at odd positions, then y's)
     */
    private static float[] stageLanes(int b, boolean high) {
        float[] lanes = new float[16];
        for (int j = 0; j < 16; j++) {
            boolean even = (j & b) == 0;
            lanes[j] = high ? (even ? j + b : 16 + j) : (even ? j : 16 + j - b);
        }
        return lanes;
    }

    /**
     * One 16 x 16 block, {@code dst[d + j*ldDst + i] = src[s + i*ldSrc + j]}, in four stages that
     * swap the off-diagonal blocks of 8, 4, 2 and 1 lanes between pairs of rows (two-vector
     * {@code selectFrom}). Its 16 rows are local variables, never an array (an array of vectors
     * boxes them), and its index vectors are loaded here from arrays (from a static array of
     * vectors, C2 found no static binding and boxed). It has no loop: called once per block, C2
     * compiles it whole, where a version with its loops inside ran in C1's code and an OSR
     * compilation only in 1 JVM of 6 (16-40 ms and 61 MB per 4096 x 512). Measured 2026-11-27:
     * 4096 x 512 in chunks of 128 rows, 0.6-1.4 ms against 1.6-3.5 ms float by float (8 JVMs, no
     * allocation in any).
     */
    private static void transpose16(float[] src, int s, int ldSrc, float[] dst, int d, int ldDst) {
        FloatVector lo8 = FloatVector.fromArray(S16, LO8, 0), hi8 = FloatVector.fromArray(S16, HI8, 0);
        FloatVector lo4 = FloatVector.fromArray(S16, LO4, 0), hi4 = FloatVector.fromArray(S16, HI4, 0);
        FloatVector lo2 = FloatVector.fromArray(S16, LO2, 0), hi2 = FloatVector.fromArray(S16, HI2, 0);
        FloatVector lo1 = FloatVector.fromArray(S16, LO1, 0), hi1 = FloatVector.fromArray(S16, HI1, 0);
        FloatVector r0 = FloatVector.fromArray(S16, src, s);
        FloatVector r1 = FloatVector.fromArray(S16, src, s + 1 * ldSrc);
        FloatVector r2 = FloatVector.fromArray(S16, src, s + 2 * ldSrc);
        FloatVector r3 = FloatVector.fromArray(S16, src, s + 3 * ldSrc);
        FloatVector r4 = FloatVector.fromArray(S16, src, s + 4 * ldSrc);
        FloatVector r5 = FloatVector.fromArray(S16, src, s + 5 * ldSrc);
        FloatVector r6 = FloatVector.fromArray(S16, src, s + 6 * ldSrc);
        FloatVector r7 = FloatVector.fromArray(S16, src, s + 7 * ldSrc);
        FloatVector r8 = FloatVector.fromArray(S16, src, s + 8 * ldSrc);
        FloatVector r9 = FloatVector.fromArray(S16, src, s + 9 * ldSrc);
        FloatVector r10 = FloatVector.fromArray(S16, src, s + 10 * ldSrc);
        FloatVector r11 = FloatVector.fromArray(S16, src, s + 11 * ldSrc);
        FloatVector r12 = FloatVector.fromArray(S16, src, s + 12 * ldSrc);
        FloatVector r13 = FloatVector.fromArray(S16, src, s + 13 * ldSrc);
        FloatVector r14 = FloatVector.fromArray(S16, src, s + 14 * ldSrc);
        FloatVector r15 = FloatVector.fromArray(S16, src, s + 15 * ldSrc);
        // rows i and i + 8 swap their off-diagonal blocks of 8 lanes
        FloatVector a0 = lo8.selectFrom(r0, r8), a8 = hi8.selectFrom(r0, r8);
        FloatVector a1 = lo8.selectFrom(r1, r9), a9 = hi8.selectFrom(r1, r9);
        FloatVector a2 = lo8.selectFrom(r2, r10), a10 = hi8.selectFrom(r2, r10);
        FloatVector a3 = lo8.selectFrom(r3, r11), a11 = hi8.selectFrom(r3, r11);
        FloatVector a4 = lo8.selectFrom(r4, r12), a12 = hi8.selectFrom(r4, r12);
        FloatVector a5 = lo8.selectFrom(r5, r13), a13 = hi8.selectFrom(r5, r13);
        FloatVector a6 = lo8.selectFrom(r6, r14), a14 = hi8.selectFrom(r6, r14);
        FloatVector a7 = lo8.selectFrom(r7, r15), a15 = hi8.selectFrom(r7, r15);
        // rows i and i + 4 swap their off-diagonal blocks of 4 lanes
        FloatVector b0 = lo4.selectFrom(a0, a4), b4 = hi4.selectFrom(a0, a4);
        FloatVector b1 = lo4.selectFrom(a1, a5), b5 = hi4.selectFrom(a1, a5);
        FloatVector b2 = lo4.selectFrom(a2, a6), b6 = hi4.selectFrom(a2, a6);
        FloatVector b3 = lo4.selectFrom(a3, a7), b7 = hi4.selectFrom(a3, a7);
        FloatVector b8 = lo4.selectFrom(a8, a12), b12 = hi4.selectFrom(a8, a12);
        FloatVector b9 = lo4.selectFrom(a9, a13), b13 = hi4.selectFrom(a9, a13);
        FloatVector b10 = lo4.selectFrom(a10, a14), b14 = hi4.selectFrom(a10, a14);
        FloatVector b11 = lo4.selectFrom(a11, a15), b15 = hi4.selectFrom(a11, a15);
        // rows i and i + 2 swap their off-diagonal blocks of 2 lanes
        FloatVector c0 = lo2.selectFrom(b0, b2), c2 = hi2.selectFrom(b0, b2);
        FloatVector c1 = lo2.selectFrom(b1, b3), c3 = hi2.selectFrom(b1, b3);
        FloatVector c4 = lo2.selectFrom(b4, b6), c6 = hi2.selectFrom(b4, b6);
        FloatVector c5 = lo2.selectFrom(b5, b7), c7 = hi2.selectFrom(b5, b7);
        FloatVector c8 = lo2.selectFrom(b8, b10), c10 = hi2.selectFrom(b8, b10);
        FloatVector c9 = lo2.selectFrom(b9, b11), c11 = hi2.selectFrom(b9, b11);
        FloatVector c12 = lo2.selectFrom(b12, b14), c14 = hi2.selectFrom(b12, b14);
        FloatVector c13 = lo2.selectFrom(b13, b15), c15 = hi2.selectFrom(b13, b15);
        // rows i and i + 1 swap their off-diagonal blocks of 1 lanes
        FloatVector d0 = lo1.selectFrom(c0, c1), d1 = hi1.selectFrom(c0, c1);
        FloatVector d2 = lo1.selectFrom(c2, c3), d3 = hi1.selectFrom(c2, c3);
        FloatVector d4 = lo1.selectFrom(c4, c5), d5 = hi1.selectFrom(c4, c5);
        FloatVector d6 = lo1.selectFrom(c6, c7), d7 = hi1.selectFrom(c6, c7);
        FloatVector d8 = lo1.selectFrom(c8, c9), d9 = hi1.selectFrom(c8, c9);
        FloatVector d10 = lo1.selectFrom(c10, c11), d11 = hi1.selectFrom(c10, c11);
        FloatVector d12 = lo1.selectFrom(c12, c13), d13 = hi1.selectFrom(c12, c13);
        FloatVector d14 = lo1.selectFrom(c14, c15), d15 = hi1.selectFrom(c14, c15);
        d0.intoArray(dst, d);
        d1.intoArray(dst, d + 1 * ldDst);
        d2.intoArray(dst, d + 2 * ldDst);
        d3.intoArray(dst, d + 3 * ldDst);
        d4.intoArray(dst, d + 4 * ldDst);
        d5.intoArray(dst, d + 5 * ldDst);
        d6.intoArray(dst, d + 6 * ldDst);
        d7.intoArray(dst, d + 7 * ldDst);
        d8.intoArray(dst, d + 8 * ldDst);
        d9.intoArray(dst, d + 9 * ldDst);
        d10.intoArray(dst, d + 10 * ldDst);
        d11.intoArray(dst, d + 11 * ldDst);
        d12.intoArray(dst, d + 12 * ldDst);
        d13.intoArray(dst, d + 13 * ldDst);
        d14.intoArray(dst, d + 14 * ldDst);
        d15.intoArray(dst, d + 15 * ldDst);
    }
}
