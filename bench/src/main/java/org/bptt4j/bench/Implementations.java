package org.bptt4j.bench;

import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.reference.ReferenceRnn;

/** The implementations a benchmark's {@code impl} parameter names. */
final class Implementations {
    private Implementations() {
    }

    static RecurrentLayer layer(String impl, LayerShape shape) {
        return switch (impl) {
            case "reference" -> new ReferenceRnn(shape);
            default -> throw new IllegalArgumentException("impl must be reference, was " + impl);
        };
    }
}
