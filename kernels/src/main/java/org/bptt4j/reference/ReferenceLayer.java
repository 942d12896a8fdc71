package org.bptt4j.reference;

import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.StepRows;
import org.bptt4j.Workspace;

/**
 * The scalar reference of every cell, written plainly from the equations: one step and one row at
 * a time, plain loops, each sum a {@code float} accumulated in index order. It is the oracle every
 * SIMD kernel is tested against and the baseline the benchmarks divide by; it shares nothing with
 * the SIMD code but the public types. With G gates ({@code gh = G*H}) and a {@link ReferenceCell}:
 *
 * <pre>
 * forward, t = 1..T, each row b:  xw = x_t W_x + b,  hw = h_{t-1} W_h          (gh sums each)
 *                                 cell.forward: h_t (and c_t) from xw, hw
 * backward, t = T..1, each row:   dh = upstream + carry;  cell.backward: dz_t, dc_{t-1}, direct part
 *                                 carry = direct + dz_t W_h^T                  (the gradient of h_{t-1})
 *          dW_h += sum_t h_{t-1}^T dz_t,  dW_x += sum_t x_t^T dz_t,  db += sum_t dz_t,  dx_t = dz_t W_x^T
 * </pre>
 * In a {@linkplain StepRows#reversed() reversed} pass (a bidirectional stack's reverse direction)
 * the steps run T..1 forward and 1..T backward, {@code h_{t-1}} meaning the state of the step
 * before in that order ({@link StepRows#previousRow(int, int)}), and dx may be added to rather
 * than written.
 * For the GRU, W_h and W_x see different dz (see {@link ReferenceGruCell}) and {@code db_hn} gets
 * the n part of the W_h one. Each gradient element is summed over all steps and rows first and then
 * added to the gradient array once, so two backward calls add exactly twice what one adds.
 */
public final class ReferenceLayer extends RecurrentLayer {
    private final ReferenceCell cell;

    /**
     * A reference layer of {@code shape}.
     *
     * @param shape the layer's shape, any cell
     * @throws IllegalArgumentException if shape is null
     */
    public ReferenceLayer(LayerShape shape) {
        super(shape);
        this.cell = ReferenceCell.of(shape);
    }

    @Override
    protected Workspace createWorkspace(boolean variableLengths, float[] states, int statesOffset, int ldStates) {
        return new ReferenceWorkspace(shape(), states, statesOffset, ldStates);
    }

    @Override
    protected boolean accepts(Workspace ws) {
        return ws instanceof ReferenceWorkspace;
    }

    @Override
    protected void computeForward(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens, float[] state0,
                                  Workspace workspace) {
        ReferenceWorkspace ws = (ReferenceWorkspace) workspace;
        StepRows rows = ws.stepRows();
        LayerShape s = shape();
        ParameterLayout p = layout();
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize(), gh = s.gateWidth(), bh = batch * hid;
        int wx = offset + p.inputWeightsOffset(), wh = offset + p.recurrentWeightsOffset(), bias = offset + p.biasOffset();
        for (int n = 0; n < bh; n++) {
            ws.states[ws.stateIndex(n / hid) + n % hid] = state0 == null ? 0f : state0[n];
            ws.cellStates[n] = state0 == null || s.cell().states() < 2 ? 0f : state0[bh + n];
        }
        for (int n = 1; n <= rows.steps(); n++) {
            int t = rows.stepAt(n);
            for (int b = 0; b < rows.active(t); b++) {
                int row = rows.start(t) + b, prev = rows.previousRow(t, b);
                for (int c = 0; c < gh; c++) {
                    float xw = params[bias + c];
                    if (x != null) {
                        for (int i = 0; i < in; i++) {
                            xw += x[xOffset + row * ldx + i] * params[wx + i * gh + c];
                        }
                    } else {
                        xw += params[wx + tokens[row] * gh + c]; // the one-hot row's product
                    }
                    float hw = 0f;
                    for (int k = 0; k < hid; k++) {
                        hw += ws.states[ws.stateIndex(prev) + k] * params[wh + k * gh + c];
                    }
                    ws.inputSums[c] = xw;
                    ws.recurrentSums[c] = hw;
                }
                cell.forward(ws, params, offset + p.recurrentNewGateBiasOffset(), row, prev, rows.stateRow(t) + b);
            }
        }
    }

    @Override
    protected void copyFinalState(Workspace workspace, float[] stateT) {
        ReferenceWorkspace ws = (ReferenceWorkspace) workspace;
        StepRows rows = ws.stepRows();
        int hid = shape().hiddenSize(), bh = shape().hiddenLength();
        for (int b = 0; b < rows.sequences(); b++) {
            int last = rows.stateRow(rows.finalStep(b)) + b;
            System.arraycopy(ws.states, ws.stateIndex(last), stateT, b * hid, hid);
            if (shape().cell().states() > 1) {
                System.arraycopy(ws.cellStates, last * hid, stateT, bh + b * hid, hid);
            }
        }
    }

    @Override
    protected void computeBackward(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens,
                                   float[] dh, int dhOffset, int lddh, float[] dStateT, Workspace workspace,
                                   float[] grads, float[] dx, int dxOffset, int lddx, boolean addDx, float[] dState0) {
        ReferenceWorkspace ws = (ReferenceWorkspace) workspace;
        StepRows rows = ws.stepRows();
        LayerShape s = shape();
        ParameterLayout p = layout();
        int steps = rows.steps();
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize(), gh = s.gateWidth(), bh = batch * hid;
        int wx = offset + p.inputWeightsOffset(), wh = offset + p.recurrentWeightsOffset(), bias = offset + p.biasOffset();
        boolean lstm = s.cell().states() > 1;

        // The sequential part: dz_t for the steps in the recurrence's reverse order. A row joins at
        // the step of its final state, carrying that state's gradient; its carry ends as dh_0.
        for (int n = steps; n >= 1; n--) {
            int t = rows.stepAt(n);
            for (int b = rows.continuing(t); b < rows.active(t); b++) {
                for (int j = 0; j < hid; j++) {
                    ws.carry[b * hid + j] = dStateT == null ? 0f : dStateT[b * hid + j];
                    ws.cellCarry[b * hid + j] = dStateT != null && lstm ? dStateT[bh + b * hid + j] : 0f;
                }
            }
            if (dh != null) {
                for (int b = 0; b < rows.active(t); b++) {
                    for (int j = 0; j < hid; j++) {
                        ws.carry[b * hid + j] += dh[dhOffset + (rows.start(t) + b) * lddh + j];
                    }
                }
            }
            for (int b = 0; b < rows.active(t); b++) {
                int row = rows.start(t) + b;
                cell.backward(ws, row, b, rows.previousRow(t, b), rows.stateRow(t) + b);
            }
            for (int b = 0; b < rows.active(t); b++) {
                int row = rows.start(t) + b;
                for (int k = 0; k < hid; k++) {
                    float sum = ws.direct[b * hid + k];
                    for (int c = 0; c < gh; c++) {
                        sum += ws.stepGradients[row * gh + c] * params[wh + k * gh + c];
                    }
                    ws.carry[b * hid + k] = sum;
                }
            }
        }
        if (dState0 != null) {
            System.arraycopy(ws.carry, 0, dState0, 0, bh);
            if (lstm) {
                System.arraycopy(ws.cellCarry, 0, dState0, bh, bh);
            }
        }

        // The sums over all steps and rows, in the order of the packed rows.
        int total = rows.rows();
        for (int i = 0; i < in; i++) {
            for (int c = 0; c < gh; c++) {
                float sum = 0f;
                for (int r = 0; r < total; r++) {
                    if (x != null) {
                        sum += x[xOffset + r * ldx + i] * ws.inputStepGradients[r * gh + c];
                    } else if (tokens[r] == i) {
                        sum += ws.inputStepGradients[r * gh + c]; // x[r][i] is 1 here and 0 elsewhere
                    }
                }
                grads[wx + i * gh + c] += sum;
            }
        }
        for (int k = 0; k < hid; k++) {
            for (int c = 0; c < gh; c++) {
                float sum = 0f;
                for (int t = 1; t <= steps; t++) {
                    for (int b = 0; b < rows.active(t); b++) {
                        sum += ws.states[ws.stateIndex(rows.previousRow(t, b)) + k] * ws.stepGradients[(rows.start(t) + b) * gh + c];
                    }
                }
                grads[wh + k * gh + c] += sum;
            }
        }
        for (int c = 0; c < gh; c++) {
            float sum = 0f;
            for (int r = 0; r < total; r++) {
                sum += ws.inputStepGradients[r * gh + c];
            }
            grads[bias + c] += sum;
        }
        if (s.cell() == org.bptt4j.Cell.GRU) {
            int bhn = offset + p.recurrentNewGateBiasOffset();
            for (int j = 0; j < hid; j++) {
                float sum = 0f;
                for (int r = 0; r < total; r++) {
                    sum += ws.stepGradients[r * gh + 2 * hid + j];
                }
                grads[bhn + j] += sum;
            }
        }
        if (dx != null) {
            for (int r = 0; r < total; r++) {
                for (int i = 0; i < in; i++) {
                    float sum = 0f;
                    for (int c = 0; c < gh; c++) {
                        sum += ws.inputStepGradients[r * gh + c] * params[wx + i * gh + c];
                    }
                    if (addDx) {
                        dx[dxOffset + r * lddx + i] += sum;
                    } else {
                        dx[dxOffset + r * lddx + i] = sum;
                    }
                }
            }
        }
    }
}
