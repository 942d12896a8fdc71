package org.bptt4j.simd;

import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.RecurrentLayerContractTest;

/** The SIMD layer under the same contract as the reference: the same checks, the same errors. */
class SimdContractTest extends RecurrentLayerContractTest {
    @Override
    protected RecurrentLayer layer(LayerShape shape) {
        return new SimdLayer(shape);
    }
}
