package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The vanilla RNN's step: {@code h_t = f(a_t)}, f = tanh or ReLU, and back
 * {@code dz_t = dh_t * f'(h_t)} with f' from the stored {@code h_t} ({@code 1 - h^2}, or
 * {@code [h > 0]}). The pre-activation sits in the row of {@code h_t} in {@code ws.states} (the
 * vanilla cell's gates are its states), so forward works in place.
 */
final class VanillaCell extends SimdCell {
    static final VanillaCell TANH = new VanillaCell(true);
    static final VanillaCell RELU = new VanillaCell(false);

    private final boolean tanh;

    private VanillaCell(boolean tanh) {
        this.tanh = tanh;
    }

    @Override
    void forward(SimdWorkspace ws, int t, int u0, int u1) {
        int batch = ws.shape().batch(), hid = ws.shape().hiddenSize();
        float[] h = ws.states;
        for (int b = 0; b < batch; b++) {
            int row = (t * batch + b) * hid;
            for (int j = u0; j < u1; j += L) {
                int lanes = Math.min(L, u1 - j);
                if (tanh) {
                    VectorMath.tanh(h, row + j, lanes);
                } else {
                    VectorMask<Float> m = mask(lanes);
                    FloatVector.fromArray(S, h, row + j, m).lanewise(VectorOperators.MAX, 0f).intoArray(h, row + j, m);
                }
            }
        }
    }

    @Override
    void backward(SimdWorkspace ws, int t, int u0, int u1) {
        int batch = ws.shape().batch(), hid = ws.shape().hiddenSize();
        float[] h = ws.states, dh = ws.carry, dz = ws.stepGradients;
        for (int b = 0; b < batch; b++) {
            int hRow = (t * batch + b) * hid, dzRow = ((t - 1) * batch + b) * ws.ldz, carryRow = b * hid;
            for (int j = u0; j < u1; j += L) {
                VectorMask<Float> m = mask(u1 - j);
                FloatVector hv = FloatVector.fromArray(S, h, hRow + j, m);
                FloatVector derivative = tanh
                        ? FloatVector.broadcast(S, 1f).sub(hv.mul(hv))
                        : FloatVector.zero(S).blend(1f, hv.compare(VectorOperators.GT, 0f));
                FloatVector.fromArray(S, dh, carryRow + j, m).mul(derivative).intoArray(dz, dzRow + j, m);
            }
        }
    }
}
