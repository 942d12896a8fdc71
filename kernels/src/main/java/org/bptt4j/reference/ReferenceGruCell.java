package org.bptt4j.reference;

import org.bptt4j.LayerShape;

/**
 * The GRU step, gates {@code r, z, n}, as PyTorch: {@code n = tanh(x W_xn + b_n + r*(h_{t-1} W_hn + b_hn))},
 * {@code h_t = (1-z)*n + z*h_{t-1}}; back: {@code dn = dh*(1-z)*(1-n^2)}, {@code da_z = dh*(h_{t-1}-n)*z(1-z)},
 * {@code da_r = dn*(h_{t-1} W_hn + b_hn)*r(1-r)}; W_h sees {@code (da_r, da_z, dn*r)}, W_x sees
 * {@code (da_r, da_z, dn)}, and {@code dh*z} flows straight into h_{t-1}.
 */
final class ReferenceGruCell extends ReferenceCell {
    ReferenceGruCell(LayerShape shape) {
        super(shape);
    }

    @Override
    void forward(ReferenceWorkspace ws, float[] params, int bhn, int row, int prevRow, int nextRow) {
        int g3 = row * 3 * hid, prevState = ws.stateIndex(prevRow), nextState = ws.stateIndex(nextRow);
        for (int j = 0; j < hid; j++) {
            float r = sigmoid(ws.inputSums[j] + ws.recurrentSums[j]);
            float z = sigmoid(ws.inputSums[hid + j] + ws.recurrentSums[hid + j]);
            float hn = ws.recurrentSums[2 * hid + j] + params[bhn + j];
            float n = (float) Math.tanh(ws.inputSums[2 * hid + j] + r * hn);
            ws.states[nextState + j] = (1f - z) * n + z * ws.states[prevState + j];
            ws.gates[g3 + j] = r;
            ws.gates[g3 + hid + j] = z;
            ws.gates[g3 + 2 * hid + j] = n;
            ws.newGateSums[row * hid + j] = hn;
        }
    }

    @Override
    void backward(ReferenceWorkspace ws, int row, int b, int prevRow, int nextRow) {
        int g3 = row * 3 * hid, prevState = ws.stateIndex(prevRow);
        for (int j = 0; j < hid; j++) {
            float r = ws.gates[g3 + j], z = ws.gates[g3 + hid + j], n = ws.gates[g3 + 2 * hid + j];
            float dh = ws.carry[b * hid + j];
            float dn = dh * (1f - z) * (1f - n * n);
            float daz = dh * (ws.states[prevState + j] - n) * z * (1f - z);
            float dar = dn * ws.newGateSums[row * hid + j] * r * (1f - r);
            ws.stepGradients[g3 + j] = dar;
            ws.stepGradients[g3 + hid + j] = daz;
            ws.stepGradients[g3 + 2 * hid + j] = dn * r;
            ws.inputStepGradients[g3 + j] = dar;
            ws.inputStepGradients[g3 + hid + j] = daz;
            ws.inputStepGradients[g3 + 2 * hid + j] = dn;
            ws.direct[b * hid + j] = dh * z;
        }
    }
}
