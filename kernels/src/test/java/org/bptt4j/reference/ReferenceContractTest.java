package org.bptt4j.reference;

import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.RecurrentLayerContractTest;

class ReferenceContractTest extends RecurrentLayerContractTest {
    @Override
    protected RecurrentLayer layer(LayerShape shape) {
        return new ReferenceLayer(shape);
    }
}
