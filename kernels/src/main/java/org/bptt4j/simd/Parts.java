package org.bptt4j.simd;

import org.bptt4j.ComputePool;
import org.bptt4j.StepRows;

/**
 * The recurrence split for a {@link ComputePool}: a whole pass by ranges of batch rows (each part
 * runs every step of its rows, no barrier between steps), or one step by blocks of hidden units,
 * and by ranges of its rows too where the blocks are fewer than the threads (the pool's run is the
 * step's barrier); and the packing of the layer's weights, by panels. Each part has its own
 * product descriptor; a big product splits through {@link ProductSplit}. One lives in each
 * workspace and is refilled before each run, so that a split allocates nothing. Every element is
 * computed whole by one part, as one thread would.
 */
final class Parts implements ComputePool.Job {
    private enum Kind { FORWARD, BACKWARD, FORWARD_ROWS, BACKWARD_ROWS, PACK_FORWARD, PACK_BACKWARD }

    private final SimdLayer layer;
    private final SimdWorkspace ws;
    /** One descriptor per block of hidden units: parts run at once. */
    private final Product[] products;
    private Kind kind;
    private int t;
    private float[] params, dh, dStateT;
    /** Part i of a split by rows takes the step's rows [rowBounds[i], rowBounds[i + 1]). */
    private final int[] rowBounds;
    private int bhn, dhOffset, lddh;
    /** Of a packing: where the layer's weights start (W_h for forward, the layer for backward), and whether W_x^T too. */
    private int weights;
    private boolean inputToo;
    /** The width of a part: units of a step. */
    private int width;
    /** Of a step's split: the blocks of units, and the rows of a range of rows. */
    private int unitParts, height;

    Parts(SimdLayer layer, SimdWorkspace ws) {
        this.layer = layer;
        this.ws = ws;
        this.products = ws.partProducts;
        this.rowBounds = new int[products.length + 1];
    }

    /** Step t of forward, blocks of {@code block} units by {@code rowRanges} ranges of rows; @return the parts */
    int forward(int t, int block, int rowRanges, float[] params, int bhn) {
        this.kind = Kind.FORWARD;
        this.params = params;
        this.bhn = bhn;
        return splitStep(t, block, rowRanges);
    }

    /** Step t of backward, blocks of {@code block} units by {@code rowRanges} ranges of rows; @return the parts */
    int backward(int t, int block, int rowRanges, float[] dh, int dhOffset, int lddh) {
        this.kind = Kind.BACKWARD;
        this.dh = dh;
        this.dhOffset = dhOffset;
        this.lddh = lddh;
        return splitStep(t, block, rowRanges);
    }

    private int splitStep(int t, int block, int rowRanges) {
        int active = ws.stepRows().active(t);
        this.t = t;
        this.width = block;
        this.unitParts = (ws.shape().hiddenSize() + block - 1) / block;
        this.height = MatMul.rangeHeight(active, rowRanges);
        return unitParts * ((active + height - 1) / height);
    }

    /** W_h's panels for forward, one part per panel of W units; @return the parts */
    int packForward(float[] params, int wh, int panels) {
        this.kind = Kind.PACK_FORWARD;
        this.params = params;
        this.weights = wh;
        return panels;
    }

    /** W_h^T's panels and W_x^T for backward, in {@code parts} parts of W units or rows; @return the parts */
    int packBackward(float[] params, int offset, boolean inputToo, int parts) {
        this.kind = Kind.PACK_BACKWARD;
        this.params = params;
        this.weights = offset;
        this.inputToo = inputToo;
        return parts;
    }

    /** A whole forward pass, by {@code parts} ranges of rows. */
    void forwardRows(int parts, float[] params, int bhn) {
        this.kind = Kind.FORWARD_ROWS;
        this.params = params;
        this.bhn = bhn;
        splitRows(parts);
    }

    /** A whole backward pass through the steps, by {@code parts} ranges of rows. */
    void backwardRows(int parts, float[] dh, int dhOffset, int lddh, float[] dStateT) {
        this.kind = Kind.BACKWARD_ROWS;
        this.dh = dh;
        this.dhOffset = dhOffset;
        this.lddh = lddh;
        this.dStateT = dStateT;
        splitRows(parts);
    }

    /**
     * Ranges of rows with about the same number of real steps each (rows are in the steps' order,
     * longest first, so a part of long rows has fewer of them), none empty: at least one row each.
     */
    private void splitRows(int parts) {
        StepRows rows = ws.stepRows();
        int sequences = rows.sequences();
        long total = rows.rows(), done = 0;
        int t = rows.steps();
        rowBounds[0] = 0;
        int part = 1;
        for (int b = 0; b < sequences && part < parts; b++) {
            while (t > 0 && rows.active(t) <= b) {
                t--; // t: the length of row b, as rows shorten further down
            }
            done += t;
            // End the part after row b once the parts so far hold their share of the steps, as long
            // as each part to come keeps a row; and at the latest when only that many rows are left.
            int rowsLeft = sequences - (b + 1), partsLeft = parts - part;
            if (done * parts >= total * part && rowsLeft >= partsLeft || rowsLeft == partsLeft) {
                rowBounds[part++] = b + 1;
            }
        }
        rowBounds[parts] = sequences;
    }

    @Override
    public void part(int index) {
        switch (kind) {
            case FORWARD, BACKWARD -> stepPart(index);
            case FORWARD_ROWS -> layer.forwardRows(products[index], params, bhn, ws, rowBounds[index], rowBounds[index + 1]);
            case BACKWARD_ROWS -> layer.backwardRows(products[index], dh, dhOffset, lddh, dStateT, ws, rowBounds[index],
                    rowBounds[index + 1]);
            case PACK_FORWARD -> layer.packRecurrentPanel(params, weights, ws, index);
            case PACK_BACKWARD -> layer.packTransposed(params, weights, inputToo, ws, index);
        }
    }

    /** Part {@code index} of a split step: a block of units (the index's remainder) of a range of rows (its quotient). */
    private void stepPart(int index) {
        int u0 = index % unitParts * width, u1 = Math.min(ws.shape().hiddenSize(), u0 + width);
        int b0 = index / unitParts * height, b1 = Math.min(ws.stepRows().active(t), b0 + height);
        if (kind == Kind.FORWARD) {
            layer.forwardBlock(products[index], params, bhn, ws, t, b0, b1, u0, u1);
        } else {
            layer.backwardBlock(products[index], dh, dhOffset, lddh, ws, t, b0, b1, u0, u1);
        }
    }
}
