package org.bptt4j.reference;

import org.bptt4j.LayerShape;

/**
 * The LSTM step, gates {@code i, f, g, o}: {@code c_t = f*c_{t-1} + i*g}, {@code h_t = o*tanh(c_t)};
 * back: {@code dc = dc_next + dh*o*(1 - tanh^2 c_t)}, {@code da_i = dc*g*i(1-i)},
 * {@code da_f = dc*c_{t-1}*f(1-f)}, {@code da_g = dc*i*(1-g^2)}, {@code da_o = dh*tanh(c_t)*o(1-o)},
 * {@code dc_{t-1} = dc*f}.
 */
final class ReferenceLstmCell extends ReferenceCell {
    ReferenceLstmCell(LayerShape shape) {
        super(shape);
    }

    @Override
    void forward(ReferenceWorkspace ws, float[] params, int bhn, int row, int prevRow, int nextRow) {
        int g4 = row * 4 * hid, prevCell = prevRow * hid, nextCell = nextRow * hid, nextState = ws.stateIndex(nextRow);
        for (int j = 0; j < hid; j++) {
            float i = sigmoid(ws.inputSums[j] + ws.recurrentSums[j]);
            float f = sigmoid(ws.inputSums[hid + j] + ws.recurrentSums[hid + j]);
            float g = (float) Math.tanh(ws.inputSums[2 * hid + j] + ws.recurrentSums[2 * hid + j]);
            float o = sigmoid(ws.inputSums[3 * hid + j] + ws.recurrentSums[3 * hid + j]);
            float c = f * ws.cellStates[prevCell + j] + i * g;
            ws.cellStates[nextCell + j] = c;
            ws.states[nextState + j] = o * (float) Math.tanh(c);
            ws.gates[g4 + j] = i;
            ws.gates[g4 + hid + j] = f;
            ws.gates[g4 + 2 * hid + j] = g;
            ws.gates[g4 + 3 * hid + j] = o;
        }
    }

    @Override
    void backward(ReferenceWorkspace ws, int row, int b, int prevRow, int nextRow) {
        int g4 = row * 4 * hid, prevCell = prevRow * hid, nextCell = nextRow * hid;
        for (int j = 0; j < hid; j++) {
            float i = ws.gates[g4 + j], f = ws.gates[g4 + hid + j], g = ws.gates[g4 + 2 * hid + j], o = ws.gates[g4 + 3 * hid + j];
            float tc = (float) Math.tanh(ws.cellStates[nextCell + j]);
            float dh = ws.carry[b * hid + j];
            float dc = ws.cellCarry[b * hid + j] + dh * o * (1f - tc * tc);
            set(ws, g4 + j, dc * g * i * (1f - i));
            set(ws, g4 + hid + j, dc * ws.cellStates[prevCell + j] * f * (1f - f));
            set(ws, g4 + 2 * hid + j, dc * i * (1f - g * g));
            set(ws, g4 + 3 * hid + j, dh * tc * o * (1f - o));
            ws.cellCarry[b * hid + j] = dc * f;
            ws.direct[b * hid + j] = 0f;
        }
    }

    /** W_h and W_x see the same dz in an LSTM. */
    private static void set(ReferenceWorkspace ws, int index, float dz) {
        ws.stepGradients[index] = dz;
        ws.inputStepGradients[index] = dz;
    }
}
