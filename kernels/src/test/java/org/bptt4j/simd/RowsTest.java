package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The transposition against a loop over every element: exact, for sizes below, at and beyond its
 * 16 x 16 register blocks and 32 x 32 cache blocks, with padded row strides and offsets (the
 * surefire runs at 256 and 128 bits take the float-by-float path only).
 */
class RowsTest {
    private static final int[] SIZES = {1, 15, 16, 17, 31, 32, 33, 64, 100};

    @Test
    void transposeMovesEveryFloatToItsPlace() {
        Random random = new Random(5);
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                int ldSrc = cols + 3, ldDst = rows + 5, sOff = 7, dOff = 2;
                float[] src = new float[sOff + rows * ldSrc + 16];
                for (int i = 0; i < src.length; i++) {
                    src[i] = random.nextFloat();
                }
                float[] dst = new float[dOff + cols * ldDst + 16];
                float[] expected = dst.clone();
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        expected[dOff + j * ldDst + i] = src[sOff + i * ldSrc + j];
                    }
                }
                Rows.transpose(src, sOff, rows, cols, ldSrc, dst, dOff, ldDst);
                for (int i = 0; i < dst.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(dst[i]),
                            rows + " x " + cols + ": dst[" + i + "]");
                }
            }
        }
    }
}
