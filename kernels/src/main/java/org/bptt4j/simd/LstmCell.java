package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.bptt4j.StepRows;

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

    /*
     * Each step is split into methods that either call tanh (large, inlined or not as C2 decides)
     * or do the vector arithmetic, never both: in one method, the inlined copies of tanh used up
     * C2's inlining budget, the Vector API calls after them were no longer inlined, and their
     * vectors were boxed (allocation, and a many-fold slowdown), caught by SimdAllocationTest.
     */

    @Override
    void forward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = ws.shape().hiddenSize(), ldg = ws.ldg;
        float[] gates = ws.gates, c = ws.cellStates, h = ws.states;
        for (int b = b0; b < b1; b++) {
            int gRow = (rows.start(t) + b) * ldg;
            int prev = (rows.stateRow(t - 1) + b) * hid, next = (rows.stateRow(t) + b) * hid;
            for (int j = u0; j < u1; j += L) {
                int lanes = Math.min(L, u1 - j);
                int gi = gRow + j;
                sigmoid(gates, gi, lanes);
                sigmoid(gates, gi + hid, lanes);
                VectorMath.tanh(gates, gi + 2 * hid, lanes);
                sigmoid(gates, gi + 3 * hid, lanes);
                updateCell(gates, gi, hid, c, prev + j, next + j, h, lanes);
                VectorMath.tanh(h, next + j, lanes);
                gateOutput(gates, gi + 3 * hid, h, next + j, lanes);
            }
        }
    }

    /** {@code c_t = f*c_{t-1} + i*g} into {@code c[next]} and, for tanh to come, {@code h[next]}. */
    private static void updateCell(float[] gates, int gi, int hid, float[] c, int prev, int next, float[] h, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector i = FloatVector.fromArray(S, gates, gi, m);
        FloatVector f = FloatVector.fromArray(S, gates, gi + hid, m);
        FloatVector g = FloatVector.fromArray(S, gates, gi + 2 * hid, m);
        FloatVector cNext = f.mul(FloatVector.fromArray(S, c, prev, m)).add(i.mul(g));
        cNext.intoArray(c, next, m);
        cNext.intoArray(h, next, m);
    }

    /** {@code h[hi] = o * h[hi]}, h holding tanh(c_t). */
    private static void gateOutput(float[] gates, int go, float[] h, int hi, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector.fromArray(S, h, hi, m).mul(FloatVector.fromArray(S, gates, go, m)).intoArray(h, hi, m);
    }

    @Override
    void backward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = ws.shape().hiddenSize(), ldg = ws.ldg;
        float[] c = ws.cellStates, dz = ws.stepGradients;
        for (int b = b0; b < b1; b++) {
            int gRow = (rows.start(t) + b) * ldg;
            int prev = (rows.stateRow(t - 1) + b) * hid, next = (rows.stateRow(t) + b) * hid, row = b * hid;
            for (int j = u0; j < u1; j += L) {
                int lanes = Math.min(L, u1 - j);
                int go = gRow + j + 3 * hid;
                // tanh(c_t), computed in the slot of da_o, which is written last.
                copy(c, next + j, dz, go, lanes);
                VectorMath.tanh(dz, go, lanes);
                backwardGates(ws, gRow + j, hid, prev + j, row + j, lanes);
            }
        }
    }

    private static void copy(float[] src, int si, float[] dst, int di, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector.fromArray(S, src, si, m).intoArray(dst, di, m);
    }

    /** The gate gradients of one vector of units, with tanh(c_t) waiting in the slot of da_o. */
    private static void backwardGates(SimdWorkspace ws, int gi, int hid, int prev, int row, int lanes) {
        float[] gates = ws.gates, dz = ws.stepGradients, cellCarry = ws.cellCarry;
        VectorMask<Float> m = S.indexInRange(0, lanes);
        int gf = gi + hid, gg = gf + hid, go = gg + hid;
        FloatVector tc = FloatVector.fromArray(S, dz, go, m);
        FloatVector i = FloatVector.fromArray(S, gates, gi, m);
        FloatVector f = FloatVector.fromArray(S, gates, gf, m);
        FloatVector g = FloatVector.fromArray(S, gates, gg, m);
        FloatVector o = FloatVector.fromArray(S, gates, go, m);
        FloatVector dh = FloatVector.fromArray(S, ws.carry, row, m);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector dc = FloatVector.fromArray(S, cellCarry, row, m).add(dh.mul(o).mul(one.sub(tc.mul(tc))));
        dc.mul(g).mul(i.mul(one.sub(i))).intoArray(dz, gi, m);
        dc.mul(FloatVector.fromArray(S, ws.cellStates, prev, m)).mul(f.mul(one.sub(f))).intoArray(dz, gf, m);
        dc.mul(i).mul(one.sub(g.mul(g))).intoArray(dz, gg, m);
        dh.mul(tc).mul(o.mul(one.sub(o))).intoArray(dz, go, m);
        dc.mul(f).intoArray(cellCarry, row, m);
    }
}
