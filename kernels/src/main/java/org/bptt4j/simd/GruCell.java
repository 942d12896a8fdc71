package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.bptt4j.StepRows;

/**
 * The GRU's step, PyTorch's gate order {@code r, z, n} and its "linear before reset" n gate:
 * <pre>
 * forward:   r, z = sigmoid(a_r, a_z)                                 (in place: ws.gates keeps them)
 *            n = tanh(xn + r*hn)    xn = x W_xn + b_n (in the gates), hn = h_{t-1} W_hn + b_hn (ws.newGateSums, kept)
 *            h_t = (1 - z)*n + z*h_{t-1}                               (n kept in the gates)
 * backward:  with dh the whole gradient of h_t,
 *            dn = dh*(1 - z) * (1 - n^2)                               (the gradient of n's pre-activation)
 *            da_z = dh*(h_{t-1} - n) * z(1-z),  da_r = dn*hn * r(1-r)
 *            dz_t as W_h sees it: (da_r, da_z, dn*r)  into ws.stepGradients
 *            dz_t as W_x sees it: (da_r, da_z, dn)    into ws.inputStepGradients
 *            ws.carry = dh*z                                           (the direct path into h_{t-1})
 * </pre>
 * The driver then starts the next product from {@code ws.carry}:
 * {@code dh_{t-1} = dh_t*z + dz_t W_h^T}.
 */
final class GruCell extends SimdCell {
    static final GruCell INSTANCE = new GruCell();

    private GruCell() {
    }

    @Override
    void forward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = ws.shape().hiddenSize(), ldg = ws.ldg, units = u1 - u0;
        float[] gates = ws.gates, hn = ws.newGateSums, h = ws.states;
        for (int b = b0; b < b1; b++) {
            int gr = (rows.start(t) + b) * ldg + u0, gz = gr + hid, gn = gz + hid, hnRow = (rows.start(t) + b) * hid + u0;
            int prev = (rows.stateRow(t - 1) + b) * hid + u0, next = (rows.stateRow(t) + b) * hid + u0;
            // One operation at a time over the row's units, sigmoid and tanh in calls apart from the
            // vector arithmetic, as in LstmCell (C2's inlining budget).
            sigmoid(gates, gr, units);
            sigmoid(gates, gz, units);
            resetNewGate(gates, gr, gn, hn, hnRow, units);
            VectorMath.tanh(gates, gn, units);
            interpolate(gates, gz, gn, h, prev, next, units);
        }
    }

    /** The n gate's pre-activation: {@code xn + r*hn}, in place of xn, for {@code units} units. */
    private static void resetNewGate(float[] gates, int gr, int gn, float[] hn, int hi, int units) {
        for (int j = 0; j < units; j += L) {
            VectorMask<Float> m = S.indexInRange(j, units);
            FloatVector r = FloatVector.fromArray(S, gates, gr + j, m);
            FloatVector.fromArray(S, gates, gn + j, m).add(r.mul(FloatVector.fromArray(S, hn, hi + j, m))).intoArray(gates, gn + j, m);
        }
    }

    /** {@code h_t = (1 - z)*n + z*h_{t-1}} for {@code units} units. */
    private static void interpolate(float[] gates, int gz, int gn, float[] h, int prev, int next, int units) {
        for (int j = 0; j < units; j += L) {
            VectorMask<Float> m = S.indexInRange(j, units);
            FloatVector n = FloatVector.fromArray(S, gates, gn + j, m);
            FloatVector z = FloatVector.fromArray(S, gates, gz + j, m);
            FloatVector hPrev = FloatVector.fromArray(S, h, prev + j, m);
            FloatVector.broadcast(S, 1f).sub(z).mul(n).add(z.mul(hPrev)).intoArray(h, next + j, m);
        }
    }

    @Override
    void backward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = ws.shape().hiddenSize(), ldg = ws.ldg;
        float[] gates = ws.gates, hn = ws.newGateSums, h = ws.states, carry = ws.carry;
        float[] dzRec = ws.stepGradients, dzIn = ws.inputStepGradients;
        for (int b = b0; b < b1; b++) {
            int gRow = (rows.start(t) + b) * ldg, hnRow = (rows.start(t) + b) * hid;
            int prev = (rows.stateRow(t - 1) + b) * hid, row = b * hid;
            for (int j = u0; j < u1; j += L) {
                VectorMask<Float> m = S.indexInRange(0, u1 - j);
                int gr = gRow + j, gz = gr + hid, gn = gz + hid;
                FloatVector r = FloatVector.fromArray(S, gates, gr, m);
                FloatVector z = FloatVector.fromArray(S, gates, gz, m);
                FloatVector n = FloatVector.fromArray(S, gates, gn, m);
                FloatVector hPrev = FloatVector.fromArray(S, h, prev + j, m);
                FloatVector dh = FloatVector.fromArray(S, carry, row + j, m);
                FloatVector one = FloatVector.broadcast(S, 1f);
                FloatVector dn = dh.mul(one.sub(z)).mul(one.sub(n.mul(n)));
                FloatVector daz = dh.mul(hPrev.sub(n)).mul(z.mul(one.sub(z)));
                FloatVector dar = dn.mul(FloatVector.fromArray(S, hn, hnRow + j, m)).mul(r.mul(one.sub(r)));
                dar.intoArray(dzRec, gr, m);
                daz.intoArray(dzRec, gz, m);
                dn.mul(r).intoArray(dzRec, gn, m);
                dar.intoArray(dzIn, gr, m);
                daz.intoArray(dzIn, gz, m);
                dn.intoArray(dzIn, gn, m);
                dh.mul(z).intoArray(carry, row + j, m);
            }
        }
    }
}
