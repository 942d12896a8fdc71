package org.bptt4j.simd;

import org.bptt4j.reference.ReferenceGoldenTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The SIMD layer against PyTorch's float64 results, with the reference's tolerance. */
class SimdGoldenTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.bptt4j.reference.ReferenceGoldenTest#cases")
    void matchesPyTorch(String name) {
        ReferenceGoldenTest.compare(name, SimdLayer::new, 0);
    }

    @ParameterizedTest(name = "{0} in a workspace for T+3")
    @MethodSource("org.bptt4j.reference.ReferenceGoldenTest#cases")
    void matchesPyTorchBelowCapacity(String name) {
        ReferenceGoldenTest.compare(name, SimdLayer::new, 3);
    }
}
