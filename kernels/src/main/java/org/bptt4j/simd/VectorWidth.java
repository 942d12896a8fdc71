package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector species every SIMD kernel uses: {@link FloatVector#SPECIES_PREFERRED} unless the
 * system property {@value #PROPERTY} names a narrower width in bits (128 or 256; 512 where the CPU
 * has it). It is read once, when the first kernel class loads; a constant, so that the JIT can
 * compile the kernels for it.
 */
public final class VectorWidth {
    /** The system property that overrides the width: 128, 256 or 512 (bits). */
    public static final String PROPERTY = "bptt4j.vector.bits";

    static final VectorSpecies<Float> SPECIES = select(System.getProperty(PROPERTY));

    private VectorWidth() {
    }

    /**
     * The species every SIMD kernel uses.
     *
     * @return the species every kernel uses
     */
    public static VectorSpecies<Float> species() {
        return SPECIES;
    }

    /**
     * The vector width in bits.
     *
     * @return the width in bits of the kernels' vectors
     */
    public static int bits() {
        return SPECIES.vectorBitSize();
    }

    private static VectorSpecies<Float> select(String value) {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (value == null || value.isBlank()) {
            return preferred;
        }
        int bits;
        try {
            bits = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be 128, 256 or 512, was \"" + value + "\"");
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException(PROPERTY + " must be 128, 256 or 512, was " + bits);
        }
        if (bits > preferred.vectorBitSize()) {
            throw new IllegalArgumentException(PROPERTY + "=" + bits + " is wider than this CPU's "
                    + preferred.vectorBitSize() + "-bit vectors");
        }
        return FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(bits));
    }
}
