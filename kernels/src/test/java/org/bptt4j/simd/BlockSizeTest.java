package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The block sizes' and the register file's system properties are read and checked. That results
 * do not depend on them is checked by the surefire executions {@code other-block-sizes}, which runs
 * the bit-identity, product and SIMD-against-reference suites with other K_BLOCK, K_CHUNK and
 * PANEL_GROUP (40 KiB: groups of one panel where k is long, of several where it is short, and
 * groups cut short by the last block), and
 * {@code simd-256-bits}, which runs them with the 6 x 2 tiles of a 16-register CPU.
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

    @Test
    void theRegisterFileIs16Or32() {
        assertEquals(16, MatMul.vectorRegisters(" 16"));
        assertEquals(32, MatMul.vectorRegisters("32"));
        int byDefault = MatMul.vectorRegisters(null);
        assertTrue(byDefault == 16 || byDefault == 32, "the default is 16 or 32: " + byDefault);
        for (String bad : new String[]{"8", "24", "x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatMul.vectorRegisters(bad));
            assertTrue(e.getMessage().startsWith("bptt4j.vectorRegisters must be 16 or 32"), e.getMessage());
        }
    }
}
