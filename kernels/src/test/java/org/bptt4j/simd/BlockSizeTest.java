package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The block sizes' system properties are read and checked. That results do not depend on them is
 * checked by the surefire execution {@code other-block-sizes}, which runs the bit-identity and
 * SIMD-against-reference suites with other K_BLOCK and K_CHUNK.
 */
class BlockSizeTest {
    @Test
    void aPropertyOverridesTheDefaultWithinItsRange() {
        assertEquals(512, MatMul.blockSize("p", null, 512, 1000));
        assertEquals(96, MatMul.blockSize("p", " 96 ", 512, 1000));
        for (String bad : new String[]{"0", "-3", "1001", "x", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatMul.blockSize("bptt4j.kChunk", bad, 128, 1000));
            assertTrue(e.getMessage().startsWith("bptt4j.kChunk must be an integer in [1, 1000]"), e.getMessage());
        }
        assertTrue(MatMul.K_CHUNK <= MatMul.K_BLOCK, "a chunk never exceeds a block");
    }
}
