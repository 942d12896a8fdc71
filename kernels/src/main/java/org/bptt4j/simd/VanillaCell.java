package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.bptt4j.StepRows;

/**
 * The vanilla RNN's step: {@code h_t = f(a_t)}, f = tanh or ReLU, and back
 * {@code dz_t = dh_t * f'(h_t)} with f' from the stored {@code h_t} ({@code 1 - h^2}, or
 * {@code [h > 0]}). The pre-activation sits in the row of {@code h_t} in {@code ws.states} (the
 * vanilla cell's gates are its states), so forward works in place.
 *
 * <p>One class per activation, not one with a flag: each method then holds one activation's code,
 * and the call of tanh never shares a method with the ReLU's vector arithmetic (see {@link LstmCell}).
 */
abstract sealed class VanillaCell extends SimdCell {
    static final VanillaCell TANH = new Tanh();
    static final VanillaCell RELU = new Relu();

    /** {@code dz_t = dh_t * f'(h_t)} for the first {@code lanes} units from the given offsets (at most one vector). */
    abstract void derivativeTimesGradient(float[] h, int hi, float[] dh, int di, float[] dz, int zi, int lanes);

    @Override
    final void backward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = ws.shape().hiddenSize();
        for (int b = b0; b < b1; b++) {
            int hRow = ws.stateIndex(rows.stateRow(t) + b), dzRow = ws.origin + (rows.start(t) + b) * ws.ldz, carryRow = ws.carryOrigin + b * hid;
            for (int j = u0; j < u1; j += L) {
                derivativeTimesGradient(ws.states, hRow + j, ws.carry, carryRow + j, ws.stepGradients, dzRow + j, u1 - j);
            }
        }
    }

    private static final class Tanh extends VanillaCell {
        @Override
        void forward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
            StepRows rows = ws.stepRows();
            for (int b = b0; b < b1; b++) {
                VectorMath.tanh(ws.states, ws.stateIndex(rows.stateRow(t) + b) + u0, u1 - u0);
            }
        }

        @Override
        void derivativeTimesGradient(float[] h, int hi, float[] dh, int di, float[] dz, int zi, int lanes) {
            VectorMask<Float> m = S.indexInRange(0, lanes);
            FloatVector hv = FloatVector.fromArray(S, h, hi, m);
            FloatVector.fromArray(S, dh, di, m).mul(FloatVector.broadcast(S, 1f).sub(hv.mul(hv))).intoArray(dz, zi, m);
        }
    }

    private static final class Relu extends VanillaCell {
        @Override
        void forward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
            StepRows rows = ws.stepRows();
            float[] h = ws.states;
            for (int b = b0; b < b1; b++) {
                int row = ws.stateIndex(rows.stateRow(t) + b);
                for (int j = u0; j < u1; j += L) {
                    VectorMask<Float> m = S.indexInRange(0, u1 - j);
                    FloatVector.fromArray(S, h, row + j, m).lanewise(VectorOperators.MAX, 0f).intoArray(h, row + j, m);
                }
            }
        }

        @Override
        void derivativeTimesGradient(float[] h, int hi, float[] dh, int di, float[] dz, int zi, int lanes) {
            VectorMask<Float> m = S.indexInRange(0, lanes);
            FloatVector derivative = FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, h, hi, m).compare(VectorOperators.GT, 0f));
            FloatVector.fromArray(S, dh, di, m).mul(derivative).intoArray(dz, zi, m);
        }
    }
}
