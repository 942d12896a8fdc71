package org.bptt4j.bench;

import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.reference.ReferenceRnn;
import org.bptt4j.simd.SimdRnn;

/** The implementations a benchmark's {@code impl} parameter names. */
final class Implementations {
    private Implementations() {
    }

    static RecurrentLayer layer(String impl, LayerShape shape) {
        return switch (impl) {
            case "simd" -> new SimdRnn(shape);
            case "reference" -> new ReferenceRnn(shape);
            default -> throw new IllegalArgumentException("impl must be simd or reference, was " + impl);
        };
    }
}
