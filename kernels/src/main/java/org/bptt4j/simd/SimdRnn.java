package org.bptt4j.simd;

import org.bptt4j.Activation;
import org.bptt4j.Cell;
import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;
import org.bptt4j.simd.MatMul.Epilogue;

/**
 * The vanilla RNN on the Vector API, structured as the fastest engines are: the big products over
 * all T*B rows at once, and a thin sequential loop of one fused product per step.
 *
 * <pre>
 * forward:   h_1..h_T rows := x W_x + b                      one product over T*B rows (bias in its start)
 *            h_t := f(h_t + h_{t-1} W_h)   for t = 1..T       per step, f and the store in the epilogue
 * backward:  dz_T := dh_T * f'(h_T)                           (a product with k = 0: the epilogue alone)
 *            dz_t := (dh_t + dz_{t+1} W_h^T) * f'(h_t)        per step, injection, f' and store in the epilogue
 *            dh_0 := dz_1 W_h^T
 *            dW_h += H^T dZ,  dW_x += X^T dZ,  db += 1^T dZ,  dX := dZ W_x^T   each one product over T*B rows
 * </pre>
 * In last-step mode no upstream array is read for t below T. {@code W_h^T} and {@code W_x^T} are
 * packed into the workspace at the start of backward, so that every product reads rows.
 *
 * <p>Results agree with {@link org.bptt4j.reference.ReferenceRnn} to rounding (fused multiply-adds
 * and a vector tanh round differently from the reference's scalar loops) and are bit-identical
 * from run to run. Forward and backward allocate nothing once the JIT has compiled them.
 * The vector width is {@link VectorWidth}'s.
 */
public final class SimdRnn extends RecurrentLayer {

    /**
     * @param shape a {@link Cell#VANILLA} layer shape
     * @throws IllegalArgumentException if shape is null or not a vanilla cell
     */
    public SimdRnn(LayerShape shape) {
        super(shape, Cell.VANILLA);
    }

    @Override
    protected void computeForward(float[] params, int offset, float[] x, int[] tokens, int steps, float[] h0, Workspace ws) {
        LayerShape s = shape();
        ParameterLayout p = layout(); // made once: a new one per call would allocate where escape analysis fails
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize();
        int bh = batch * hid;
        float[] states = ws.states();
        int wx = offset + p.inputWeightsOffset();
        int bias = offset + p.biasOffset();
        if (x != null) {
            // Input projection of every step at once, bias as the accumulators' start: rows of h_1..h_T.
            MatMul.multiply(steps * batch, hid, in, x, 0, in, 1, params, wx, hid,
                    states, bh, hid, Epilogue.START_U, params, bias, 0, null, 0);
        } else {
            // A one-hot row's projection is a row of W_x: read it.
            for (int r = 0; r < steps * batch; r++) {
                Rows.sum(params, wx + tokens[r] * hid, params, bias, states, bh + r * hid, hid);
            }
        }
        if (h0 == null) {
            java.util.Arrays.fill(states, 0, bh, 0f);
        } else {
            System.arraycopy(h0, 0, states, 0, bh);
        }
        Epilogue activation = s.activation() == Activation.TANH ? Epilogue.TANH : Epilogue.RELU;
        for (int t = 1; t <= steps; t++) {
            MatMul.multiply(batch, hid, hid, states, (t - 1) * bh, hid, 1, params, offset + p.recurrentWeightsOffset(), hid,
                    states, t * bh, hid, activation, null, 0, 0, null, 0);
        }
    }

    @Override
    protected void computeBackward(float[] params, int offset, float[] x, int[] tokens, float[] dh, boolean everyStep,
                                   Workspace ws, float[] grads, float[] dx, float[] dh0) {
        LayerShape s = shape();
        ParameterLayout p = layout(); // made once: a new one per call would allocate where escape analysis fails
        int steps = ws.steps();
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize();
        int bh = batch * hid;
        int rows = steps * batch;
        float[] states = ws.states();
        float[] dz = ws.stepGradients();
        float[] packed = ws.transposedWeights();
        int whT = 0;
        int wxT = hid * hid;
        int wx = offset + p.inputWeightsOffset();
        int wh = offset + p.recurrentWeightsOffset();
        Rows.transpose(params, wh, hid, hid, packed, whT);
        if (dx != null) {
            Rows.transpose(params, wx, in, hid, packed, wxT);
        }
        Epilogue dzOf = s.activation() == Activation.TANH ? Epilogue.DZ_TANH : Epilogue.DZ_RELU;

        // dz_T: nothing flows back from a later step, so the epilogue alone (k = 0).
        int upstreamT = everyStep ? (steps - 1) * bh : 0;
        MatMul.multiply(batch, hid, 0, null, 0, 0, 0, null, 0, 0,
                dz, (steps - 1) * bh, hid, dzOf, dh, upstreamT, hid, states, steps * bh);
        // dz_t = (dh_t + dz_{t+1} W_h^T) * f'(h_t), t = T-1..1; in last-step mode dh_t is zero.
        for (int t = steps - 1; t >= 1; t--) {
            MatMul.multiply(batch, hid, hid, dz, t * bh, hid, 1, packed, whT, hid,
                    dz, (t - 1) * bh, hid, dzOf, everyStep ? dh : null, (t - 1) * bh, hid, states, t * bh);
        }
        if (dh0 != null) {
            MatMul.multiply(batch, hid, hid, dz, 0, hid, 1, packed, whT, hid,
                    dh0, 0, hid, Epilogue.STORE, null, 0, 0, null, 0);
        }

        // The sums over all steps, each one product over T*B rows; H's rows 0..T-1 are h_0..h_{T-1}.
        float[] staging = ws.gradientStaging();
        MatMul.multiplyAdd(hid, hid, rows, states, 0, 1, hid, dz, 0, hid, grads, wh, hid, staging);
        if (x != null) {
            MatMul.multiplyAdd(in, hid, rows, x, 0, 1, in, dz, 0, hid, grads, wx, hid, staging);
        } else {
            // dW_x = X^T dZ with one-hot rows: each step's dz goes to the row of its token, summed in
            // staging first so that the gradient array gets each sum once (as from the product).
            java.util.Arrays.fill(staging, 0, in * hid, 0f);
            for (int r = 0; r < rows; r++) {
                Rows.accumulate(dz, r * hid, staging, tokens[r] * hid, hid);
            }
            Rows.accumulate(staging, 0, grads, wx, in * hid);
        }
        MatMul.multiplyAdd(1, hid, rows, MatMul.ONE, 0, 0, 0, dz, 0, hid, grads, offset + p.biasOffset(), hid, staging);
        if (dx != null) {
            MatMul.multiply(rows, in, hid, dz, 0, hid, 1, packed, wxT, in,
                    dx, 0, in, Epilogue.STORE, null, 0, 0, null, 0);
        }
    }
}
