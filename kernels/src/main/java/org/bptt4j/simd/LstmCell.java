package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The LSTM's step, PyTorch's gate order {@code i, f, g, o}:
 * <pre>
 * forward:   i, f, o = sigmoid(a_i, a_f, a_o),  g = tanh(a_g)         (in place: ws.gates keeps them)
 *            c_t = f*c_{t-1} + i*g,  h_t = o*tanh(c_t)
 * backward:  with dh the whole gradient of h_t and dc that of c_t from step t+1 (ws.cellCarry),
 *            tc = tanh(c_t) recomputed (it costs less than T*B*H floats saved)
 *            da_o = dh*tc * o(1-o)
 *            dc  += dh*o * (1 - tc^2)
 *            da_i = dc*g * i(1-i),  da_f = dc*c_{t-1} * f(1-f),  da_g = dc*i * (1 - g^2)
 *            ws.cellCarry = dc*f                                       (the gradient of c_{t-1})
 * </pre>
 * {@code c_0 .. c_T} live in {@code ws.cellStates}. Sigmoid is {@code 0.5 + 0.5 tanh(x/2)} on
 * {@link VectorMath}'s tanh, so every bit is independent of the JIT's state.
 */
final class LstmCell extends SimdCell {
    static final LstmCell INSTANCE = new LstmCell();

    private LstmCell() {
    }

    @Override
    void forward(SimdWorkspace ws, int t, int u0, int u1) {
        int batch = ws.shape().batch(), hid = ws.shape().hiddenSize(), gh = 4 * hid;
        float[] gates = ws.gates, c = ws.cellStates, h = ws.states;
        for (int b = 0; b < batch; b++) {
            int gRow = ((t - 1) * batch + b) * gh;
            int prev = ((t - 1) * batch + b) * hid, next = (t * batch + b) * hid;
            for (int j = u0; j < u1; j += L) {
                int lanes = Math.min(L, u1 - j);
                VectorMask<Float> m = mask(lanes);
                int gi = gRow + j, gf = gi + hid, gg = gf + hid, go = gg + hid;
                sigmoid(gates, gi, lanes);
                sigmoid(gates, gf, lanes);
                VectorMath.tanh(gates, gg, lanes);
                sigmoid(gates, go, lanes);
                FloatVector i = FloatVector.fromArray(S, gates, gi, m);
                FloatVector f = FloatVector.fromArray(S, gates, gf, m);
                FloatVector g = FloatVector.fromArray(S, gates, gg, m);
                FloatVector cPrev = FloatVector.fromArray(S, c, prev + j, m);
                FloatVector cNext = f.mul(cPrev).add(i.mul(g));
                cNext.intoArray(c, next + j, m);
                cNext.intoArray(h, next + j, m);
                VectorMath.tanh(h, next + j, lanes);
                FloatVector.fromArray(S, h, next + j, m).mul(FloatVector.fromArray(S, gates, go, m)).intoArray(h, next + j, m);
            }
        }
    }

    @Override
    void backward(SimdWorkspace ws, int t, int u0, int u1) {
        int batch = ws.shape().batch(), hid = ws.shape().hiddenSize(), gh = 4 * hid;
        float[] gates = ws.gates, c = ws.cellStates, dz = ws.stepGradients, carry = ws.carry, cellCarry = ws.cellCarry;
        for (int b = 0; b < batch; b++) {
            int gRow = ((t - 1) * batch + b) * gh;
            int prev = ((t - 1) * batch + b) * hid, next = (t * batch + b) * hid, row = b * hid;
            for (int j = u0; j < u1; j += L) {
                int lanes = Math.min(L, u1 - j);
                VectorMask<Float> m = mask(lanes);
                int gi = gRow + j, gf = gi + hid, gg = gf + hid, go = gg + hid;
                // tanh(c_t), computed in the slot of da_o, which is written last.
                FloatVector.fromArray(S, c, next + j, m).intoArray(dz, go, m);
                VectorMath.tanh(dz, go, lanes);
                FloatVector tc = FloatVector.fromArray(S, dz, go, m);
                FloatVector i = FloatVector.fromArray(S, gates, gi, m);
                FloatVector f = FloatVector.fromArray(S, gates, gf, m);
                FloatVector g = FloatVector.fromArray(S, gates, gg, m);
                FloatVector o = FloatVector.fromArray(S, gates, go, m);
                FloatVector dh = FloatVector.fromArray(S, carry, row + j, m);
                FloatVector one = FloatVector.broadcast(S, 1f);
                FloatVector dc = FloatVector.fromArray(S, cellCarry, row + j, m)
                        .add(dh.mul(o).mul(one.sub(tc.mul(tc))));
                dc.mul(g).mul(i.mul(one.sub(i))).intoArray(dz, gi, m);
                dc.mul(FloatVector.fromArray(S, c, prev + j, m)).mul(f.mul(one.sub(f))).intoArray(dz, gf, m);
                dc.mul(i).mul(one.sub(g.mul(g))).intoArray(dz, gg, m);
                dh.mul(tc).mul(o.mul(one.sub(o))).intoArray(dz, go, m);
                dc.mul(f).intoArray(cellCarry, row + j, m);
            }
        }
    }
}
