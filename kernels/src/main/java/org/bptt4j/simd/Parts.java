package org.bptt4j.simd;

import org.bptt4j.ComputePool;

/**
 * A step of the recurrence split for a {@link ComputePool} by blocks of hidden units (each block
 * its own product descriptor, the cell's step on its units); a big product splits through
 * {@link ColumnSplit}. One lives in each workspace and is refilled before each run, so that a split
 * allocates nothing. Every element is computed whole by one part, as one thread would.
 */
final class Parts implements ComputePool.Job {
    private enum Kind { FORWARD, BACKWARD }

    private final SimdLayer layer;
    private final SimdWorkspace ws;
    /** One descriptor per block of hidden units: parts run at once. */
    private final Product[] products;
    private Kind kind;
    private int t;
    private float[] params, dh;
    private int bhn, dhOffset, lddh;
    /** The width of a part: units of a step. */
    int width;

    Parts(SimdLayer layer, SimdWorkspace ws) {
        this.layer = layer;
        this.ws = ws;
        this.products = ws.partProducts;
    }

    /** Step t of forward, blocks of {@code block} units. */
    void forward(int t, int block, float[] params, int bhn) {
        this.kind = Kind.FORWARD;
        this.t = t;
        this.width = block;
        this.params = params;
        this.bhn = bhn;
    }

    /** Step t of backward, blocks of {@code block} units. */
    void backward(int t, int block, float[] dh, int dhOffset, int lddh) {
        this.kind = Kind.BACKWARD;
        this.t = t;
        this.width = block;
        this.dh = dh;
        this.dhOffset = dhOffset;
        this.lddh = lddh;
    }

    @Override
    public void part(int index) {
        int from = index * width;
        switch (kind) {
            case FORWARD -> layer.forwardBlock(products[index], params, bhn, ws, t, from,
                    Math.min(ws.shape().hiddenSize(), from + width));
            case BACKWARD -> layer.backwardBlock(products[index], dh, dhOffset, lddh, ws, t, from,
                    Math.min(ws.shape().hiddenSize(), from + width));
        }
    }
}
