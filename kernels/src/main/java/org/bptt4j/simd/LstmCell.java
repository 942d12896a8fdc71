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
     * Each step runs a row's units [u0, u1) through one operation at a time: sigmoid and tanh (large,
     * inlined or not as C2 decides) in calls of their own, the vector arithmetic in others, never
     * both in one method: in one method, the inlined copies of tanh used up C2's inlining budget, the
     * Vector API calls after them were no longer inlined, and their vectors were boxed (allocation,
     * and a many-fold slowdown), caught by SimdAllocationTest. A whole range per call, not one
     * vector: what a call stores, the next reads after the range's other vectors, not at once.
     */

    @Override
    void forward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = ws.shape().hiddenSize(), ldg = ws.ldg, units = u1 - u0;
        float[] gates = ws.gates, c = ws.cellStates, h = ws.states;
        for (int b = b0; b < b1; b++) {
            int gi = ws.origin + (rows.start(t) + b) * ldg + u0;
            // c's rows are H apart, h's ldh (a bidirectional stack's shared rows).
            int prev = ws.origin + rows.previousRow(t, b) * hid + u0, next = ws.origin + (rows.stateRow(t) + b) * hid + u0;
            int hNext = ws.stateIndex(rows.stateRow(t) + b) + u0;
            VectorMath.sigmoid(gates, gi, units);
            VectorMath.sigmoid(gates, gi + hid, units);
            VectorMath.tanh(gates, gi + 2 * hid, units);
            VectorMath.sigmoid(gates, gi + 3 * hid, units);
            updateCell(gates, gi, hid, c, prev, next, units);
            VectorMath.tanh(c, next, h, hNext, units);
            gateOutput(gates, gi + 3 * hid, h, hNext, units);
        }
    }

    /** {@code c_t = f*c_{t-1} + i*g} into {@code c[next..]}, for {@code units} units. */
    private static void updateCell(float[] gates, int gi, int hid, float[] c, int prev, int next, int units) {
        for (int j = 0; j < units; j += L) {
            VectorMask<Float> m = S.indexInRange(j, units);
            FloatVector i = FloatVector.fromArray(S, gates, gi + j, m);
            FloatVector f = FloatVector.fromArray(S, gates, gi + hid + j, m);
            FloatVector g = FloatVector.fromArray(S, gates, gi + 2 * hid + j, m);
            FloatVector cNext = f.mul(FloatVector.fromArray(S, c, prev + j, m)).add(i.mul(g));
            cNext.intoArray(c, next + j, m);
        }
    }

    /** {@code h[hi..] = o * h[hi..]} for {@code units} units, h holding tanh(c_t). */
    private static void gateOutput(float[] gates, int go, float[] h, int hi, int units) {
        for (int j = 0; j < units; j += L) {
            VectorMask<Float> m = S.indexInRange(j, units);
            FloatVector.fromArray(S, h, hi + j, m).mul(FloatVector.fromArray(S, gates, go + j, m)).intoArray(h, hi + j, m);
        }
    }

    @Override
    void backward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = ws.shape().hiddenSize(), ldg = ws.ldg, units = u1 - u0;
        float[] c = ws.cellStates, dz = ws.stepGradients;
        for (int b = b0; b < b1; b++) {
            int gi = ws.origin + (rows.start(t) + b) * ldg + u0;
            int prev = ws.origin + rows.previousRow(t, b) * hid + u0, next = ws.origin + (rows.stateRow(t) + b) * hid + u0,
                    row = ws.carryOrigin + b * hid + u0;
            // tanh(c_t), into the slots of da_o, which are written last.
            VectorMath.tanh(c, next, dz, gi + 3 * hid, units);
            for (int j = 0; j < units; j += L) {
                cellGradient(ws, gi + j, hid, row + j, Math.min(L, units - j));
            }
            for (int j = 0; j < units; j += L) {
                gateGradients(ws, gi + j, hid, prev + j, row + j, Math.min(L, units - j));
            }
        }
    }

    /**
     * {@code dc} (into {@code ws.cellCarry}, for {@link #gateGradients}) and {@code da_o} (in place
     * of tanh(c_t), which waits in the slot of da_o) of one vector of units ({@code lanes} of them).
     * The gate gradients are two methods, each small enough for C1: in one, C1's tier-3 compilation
     * ran out of virtual registers in some runs, C2 then did not compile it for seconds, and its
     * vectors were boxed meanwhile (390 MB per 9 backward passes at B = 64, H = 512).
     */
    private static void cellGradient(SimdWorkspace ws, int gi, int hid, int row, int lanes) {
        float[] gates = ws.gates, dz = ws.stepGradients, cellCarry = ws.cellCarry;
        VectorMask<Float> m = S.indexInRange(0, lanes);
        int go = gi + 3 * hid;
        FloatVector tc = FloatVector.fromArray(S, dz, go, m);
        FloatVector o = FloatVector.fromArray(S, gates, go, m);
        FloatVector dh = FloatVector.fromArray(S, ws.carry, row, m);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector.fromArray(S, cellCarry, row, m).add(dh.mul(o).mul(one.sub(tc.mul(tc)))).intoArray(cellCarry, row, m);
        dh.mul(tc).mul(o.mul(one.sub(o))).intoArray(dz, go, m);
    }

    /** {@code da_i, da_f, da_g} of one vector of units from dc (in {@code ws.cellCarry}), which becomes {@code dc*f}. */
    private static void gateGradients(SimdWorkspace ws, int gi, int hid, int prev, int row, int lanes) {
        float[] gates = ws.gates, dz = ws.stepGradients, cellCarry = ws.cellCarry;
        VectorMask<Float> m = S.indexInRange(0, lanes);
        int gf = gi + hid, gg = gf + hid;
        FloatVector dc = FloatVector.fromArray(S, cellCarry, row, m);
        FloatVector i = FloatVector.fromArray(S, gates, gi, m);
        FloatVector f = FloatVector.fromArray(S, gates, gf, m);
        FloatVector g = FloatVector.fromArray(S, gates, gg, m);
        FloatVector one = FloatVector.broadcast(S, 1f);
        dc.mul(g).mul(i.mul(one.sub(i))).intoArray(dz, gi, m);
        dc.mul(FloatVector.fromArray(S, ws.cellStates, prev, m)).mul(f.mul(one.sub(f))).intoArray(dz, gf, m);
        dc.mul(i).mul(one.sub(g.mul(g))).intoArray(dz, gg, m);
        dc.mul(f).intoArray(cellCarry, row, m);
    }
}
