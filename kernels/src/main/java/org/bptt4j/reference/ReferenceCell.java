package org.bptt4j.reference;

import org.bptt4j.Activation;
import org.bptt4j.LayerShape;

/**
 * One cell's step for one row, written plainly from its equations: the scalar twin of a SIMD cell.
 * {@link ReferenceLayer} computes the row's sums first; the cell does the rest.
 */
abstract class ReferenceCell {
    final int hid;

    ReferenceCell(LayerShape shape) {
        this.hid = shape.hiddenSize();
    }

    static ReferenceCell of(LayerShape shape) {
        return switch (shape.cell()) {
            case VANILLA -> new ReferenceVanillaCell(shape, shape.activation() == Activation.TANH);
            case LSTM -> new ReferenceLstmCell(shape);
            case GRU -> new ReferenceGruCell(shape);
        };
    }

    /**
     * Forward, row {@code row} (= (t-1)*B + b) of step t: {@code ws.inputSums} holds the row's
     * {@code x_t W_x + b}, {@code ws.recurrentSums} its {@code h_{t-1} W_h} (G*H each), and
     * {@code bhn} the GRU's b_hn from its offset in params. Reads state row {@code prevRow} (h_{t-1},
     * c_{t-1}) and writes {@code h_t}, {@code c_t} into state row {@code nextRow}, and the values
     * backward reads at index {@code row} of each buffer.
     */
    abstract void forward(ReferenceWorkspace ws, float[] params, int bhn, int row, int prevRow, int nextRow);

    /**
     * Backward, the same row: {@code ws.carry} (from {@code b*H}) holds the whole gradient of h_t,
     * {@code ws.cellCarry} that of c_t. Writes the row of {@code dz_t} as W_h sees it
     * ({@code ws.stepGradients}) and as W_x sees it ({@code ws.inputStepGradients}), the gradient of
     * c_{t-1} into {@code ws.cellCarry}, and the part of h_{t-1}'s gradient that does not pass through
     * W_h into {@code ws.direct}.
     */
    abstract void backward(ReferenceWorkspace ws, int row, int b, int prevRow, int nextRow);

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }
}
