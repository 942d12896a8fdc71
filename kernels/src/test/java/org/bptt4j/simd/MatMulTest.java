package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The product kernel against a scalar loop with the same operations: each element of C is its
 * start, then one fused multiply-add per p = 0..k-1 in order. So the comparison is exact, bit for
 * bit, whatever the tiles, the packing, the groups of panels, the blocks of k and the vector width
 * (the surefire runs at 256 and 128 bits, and with other block sizes, run this test too).
 */
class MatMulTest {
    private static final int[] ROWS = {1, 3, 4, 6, 8, 13, 64};
    private static final int[] COLUMNS = {1, 17, 64, 130, 300};
    private static final int[] SUMS = {1, 7, 100, 600, 1100}; // 1100: above K_BLOCK, split in chunks one column block at a time

    @Test
    void multiplyIsTheScalarSumInOrderForEveryLayoutStartAndPackBuffer() {
        Random random = new Random(11);
        for (int m : ROWS) {
            for (int n : COLUMNS) {
                for (int k : SUMS) {
                    for (boolean transposed : new boolean[]{false, true}) {
                        for (MatMul.Start start : MatMul.Start.values()) {
                            for (int packing = 0; packing < 4; packing++) {
                                check(random, m, n, k, transposed, start, packing);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aProductWithALargeARunsItsChunksOfKOverAllColumnsWithTheSameSums() {
        // m*k above CHUNKS_FIRST_FLOATS, k above K_BLOCK: the chunks of k go first, each over all
        // columns in groups of panels (a last partial block and a tail of n % L included).
        int m = 2049, n = 67, k = 2050;
        assertTrue((long) m * k > MatMul.CHUNKS_FIRST_FLOATS && k > MatMul.K_BLOCK);
        Random random = new Random(13);
        check(random, m, n, k, false, MatMul.Start.ROWS, 0);
        check(random, m, n, k, false, MatMul.Start.C, 1);
    }

    @Test
    void multiplyAddAddsTheWholeSumOnceForEveryLayout() {
        Random random = new Random(12);
        for (int m : new int[]{3, 8, 13, 100}) {
            for (int n : new int[]{17, 130}) {
                for (int k : new int[]{1, 100, 300}) {
                    for (int layout = 0; layout < 4; layout++) {
                        // A row-major or transposed; staging as the workspace sizes it (its sums
                        // panel by panel where A is transposed, else rows apart) or m*n floats only
                        // (rows n apart, as the softmax head's).
                        boolean transposed = layout % 2 == 1, roomy = layout < 2;
                        float[] a = fill(random, m * k);
                        float[] b = fill(random, k * n);
                        float[] c = fill(random, m * n);
                        float[] expected = c.clone();
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                float sum = 0f;
                                for (int p = 0; p < k; p++) {
                                    sum = Math.fma(transposed ? a[p * m + i] : a[i * k + p], b[p * n + j], sum);
                                }
                                expected[i * n + j] = c[i * n + j] + sum;
                            }
                        }
                        Product p = new Product(new float[MatMul.packLength(MatMul.K_CHUNK, n) + MatMul.L]).size(m, n, k);
                        if (transposed) {
                            p.aTransposed(a, 0, m);
                        } else {
                            p.a(a, 0, k);
                        }
                        p.b(b, 0, n).c(c, 0, n).runAdding(new float[roomy ? (int) MatMul.stagingLength(m, n) + MatMul.L : m * n]);
                        assertSame(expected, c, m, n, "multiplyAdd " + m + " x " + n + " x " + k + (transposed ? " A^T" : "") + (roomy ? "" : ", small staging"));
                    }
                }
            }
        }
    }

    /**
     * One product. {@code packing}: 0, a pack buffer as the workspaces size it (the largest group);
     * 1, room for 3 panels (groups cut short by the last column blocks); 2, one panel; 3, none.
     */
    private static void check(Random random, int m, int n, int k, boolean transposed, MatMul.Start start, int packing) {
        float[] a = fill(random, m * k);
        float[] b = fill(random, k * n);
        float[] u = fill(random, m * n);
        float[] c = fill(random, m * n);
        int kBlock = Math.min(k, MatMul.K_BLOCK);
        float[] pack = switch (packing) {
            case 0 -> new float[MatMul.packLength(k, n)];
            case 1 -> new float[3 * kBlock * MatMul.W];
            case 2 -> new float[kBlock * MatMul.W];
            default -> null;
        };
        float[] expected = new float[c.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = switch (start) {
                    case ZERO -> 0f;
                    case C -> c[i * n + j];
                    case ROWS -> u[i * n + j];
                };
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(transposed ? a[p * m + i] : a[i * k + p], b[p * n + j], acc);
                }
                expected[i * n + j] = acc;
            }
        }
        Product p = new Product(pack).size(m, n, k);
        if (transposed) {
            p.aTransposed(a, 0, m);
        } else {
            p.a(a, 0, k);
        }
        p.b(b, 0, n).c(c, 0, n);
        if (start == MatMul.Start.C) {
            p.startFromC();
        } else if (start == MatMul.Start.ROWS) {
            p.startFromRows(u, 0, n);
        }
        p.run();
        assertSame(expected, c, m, n, m + " x " + n + " x " + k + (transposed ? " A^T" : "") + ", start " + start + ", packing " + packing);
    }

    private static void assertSame(float[] expected, float[] actual, int m, int n, String what) {
        for (int i = 0; i < m * n; i++) {
            int row = i / n, column = i % n;
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    () -> what + ": C(" + row + ", " + column + ") differs");
        }
    }

    /** Random values in [-1, 1), and a vector's worth of padding after them, as the workspaces pad their buffers. */
    private static float[] fill(Random random, int length) {
        float[] x = new float[length + MatMul.L];
        for (int i = 0; i < length; i++) {
            x[i] = 2 * random.nextFloat() - 1;
        }
        return x;
    }
}
