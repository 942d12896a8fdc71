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
 *            dz_t as W_x sees it: (da_r, da_z, dn)    into ws.stepGradients
 *            dz_t as W_h sees it: (da_r, da_z, dn*r), its n part dn*r into ws.newGateGradients
 *                                 (its r and z parts are stepGradients': stored once)
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
            int gr = ws.origin + (rows.start(t) + b) * ldg + u0, gz = gr + hid, gn = gz + hid, hnRow = ws.origin + (rows.start(t) + b) * hid + u0;
            int prev = ws.stateIndex(rows.previousRow(t, b)) + u0, next = ws.stateIndex(rows.stateRow(t) + b) + u0;
            // One operation at a time over the row's units, sigmoid and tanh in calls apart from the
            // vector arithmetic, as in LstmCell (C2's inlining budget).
            VectorMath.sigmoid(gates, gr, units);
            VectorMath.sigmoid(gates, gz, units);
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
        int hid = ws.shape().hiddenSize(), ldg = ws.ldg, units = u1 - u0;
        for (int b = b0; b < b1; b++) {
            int gr = ws.origin + (rows.start(t) + b) * ldg + u0, hnRow = ws.origin + (rows.start(t) + b) * hid + u0;
            int dnr = ws.origin + (rows.start(t) + b) * ws.ldn + u0;
            int prev = ws.stateIndex(rows.previousRow(t, b)) + u0, row = ws.carryOrigin + b * hid + u0;
            // Two methods, each small enough for C1: as one (the loop with its body), C1's tier-3
            // compilation ran out of virtual registers in some runs, C2 then did not compile it,
            // and its vectors were boxed (226 MB per 200 passes at B = 1, H = 128).
            for (int j = 0; j < units; j += L) {
                updateAndNewGradients(ws, gr + j, hid, prev + j, row + j, Math.min(L, units - j));
            }
            for (int j = 0; j < units; j += L) {
                resetGradient(ws, gr + j, hid, hnRow + j, dnr + j, Math.min(L, units - j));
            }
        }
    }

    /**
     * Of one vector of units ({@code lanes}): {@code dn = dh*(1-z)*(1-n^2)} (into dz's n slot, as
     * W_x sees it), {@code da_z = dh*(h_{t-1} - n)*z*(1-z)}, and the carry {@code dh*z}.
     */
    private static void updateAndNewGradients(SimdWorkspace ws, int gr, int hid, int prev, int row, int lanes) {
        float[] gates = ws.gates, carry = ws.carry, dz = ws.stepGradients;
        VectorMask<Float> m = S.indexInRange(0, lanes);
        int gz = gr + hid, gn = gz + hid;
        FloatVector z = FloatVector.fromArray(S, gates, gz, m);
        FloatVector n = FloatVector.fromArray(S, gates, gn, m);
        FloatVector hPrev = FloatVector.fromArray(S, ws.states, prev, m);
        FloatVector dh = FloatVector.fromArray(S, carry, row, m);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector daz = dh.mul(hPrev.sub(n)).mul(z.mul(one.sub(z)));
        daz.intoArray(dz, gz, m);
        dh.mul(one.sub(z)).mul(one.sub(n.mul(n))).intoArray(dz, gn, m);
        dh.mul(z).intoArray(carry, row, m);
    }

    /** Of one vector of units ({@code lanes}), from dn (in dz's n slot): {@code da_r = dn*hn*r*(1-r)}, and W_h's n part {@code dn*r} (at {@code dnr} in newGateGradients). */
    private static void resetGradient(SimdWorkspace ws, int gr, int hid, int hi, int dnr, int lanes) {
        float[] dz = ws.stepGradients;
        VectorMask<Float> m = S.indexInRange(0, lanes);
        int gn = gr + 2 * hid;
        FloatVector r = FloatVector.fromArray(S, ws.gates, gr, m);
        FloatVector dn = FloatVector.fromArray(S, dz, gn, m);
        FloatVector dar = dn.mul(FloatVector.fromArray(S, ws.newGateSums, hi, m)).mul(r.mul(FloatVector.broadcast(S, 1f).sub(r)));
        dar.intoArray(dz, gr, m);
        dn.mul(r).intoArray(ws.newGateGradients, dnr, m);
    }
}
