package org.bptt4j.reference;

import org.bptt4j.LayerShape;

/** The vanilla step: {@code h_t = f(a)}, {@code dz = dh * f'(h_t)}; f = tanh ({@code f' = 1 - h^2}) or ReLU ({@code [h > 0]}). */
final class ReferenceVanillaCell extends ReferenceCell {
    private final boolean tanh;

    ReferenceVanillaCell(LayerShape shape, boolean tanh) {
        super(shape);
        this.tanh = tanh;
    }

    @Override
    void forward(ReferenceWorkspace ws, float[] params, int bhn, int row, int prevRow, int nextRow) {
        int nextState = ws.stateIndex(nextRow);
        for (int j = 0; j < hid; j++) {
            float a = ws.inputSums[j] + ws.recurrentSums[j];
            ws.states[nextState + j] = tanh ? (float) Math.tanh(a) : Math.max(a, 0f);
        }
    }

    @Override
    void backward(ReferenceWorkspace ws, int row, int b, int prevRow, int nextRow) {
        int nextState = ws.stateIndex(nextRow);
        for (int j = 0; j < hid; j++) {
            float h = ws.states[nextState + j];
            float dz = ws.carry[b * hid + j] * (tanh ? 1f - h * h : (h > 0f ? 1f : 0f));
            ws.stepGradients[row * hid + j] = dz;
            ws.inputStepGradients[row * hid + j] = dz;
            ws.direct[b * hid + j] = 0f;
        }
    }
}
