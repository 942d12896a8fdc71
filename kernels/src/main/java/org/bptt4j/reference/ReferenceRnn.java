package org.bptt4j.reference;

import org.bptt4j.Activation;
import org.bptt4j.Cell;
import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;

/**
 * The scalar reference of the vanilla RNN, written plainly from the equations: one step at a time,
 * plain loops, each output element one dot product summed in index order in a {@code float}. It is
 * the oracle every SIMD kernel is tested against and the baseline the benchmarks divide by; it
 * shares nothing with the SIMD code but the public types.
 *
 * <pre>
 * forward:   a_t = x_t W_x + h_{t-1} W_h + b,   h_t = f(a_t)
 * backward:  dh_t = dL_t/dh_t + dz_{t+1} W_h^T,  dz_t = dh_t * f'(h_t)        (t = T..1)
 *            dW_h += sum_t h_{t-1}^T dz_t,  dW_x += sum_t x_t^T dz_t,  db += sum_t dz_t
 *            dx_t = dz_t W_x^T,  dh_0 = dz_1 W_h^T
 * </pre>
 * Each gradient element is summed over all steps and rows first and then added to the gradient
 * array once, so two backward calls add exactly twice what one adds.
 */
public final class ReferenceRnn extends RecurrentLayer {

    /**
     * @param shape a {@link Cell#VANILLA} layer shape
     * @throws IllegalArgumentException if shape is null or not a vanilla cell
     */
    public ReferenceRnn(LayerShape shape) {
        super(shape, Cell.VANILLA);
    }

    @Override
    protected void computeForward(float[] params, int offset, float[] x, int[] tokens, int steps, float[] h0, Workspace ws) {
        LayerShape s = shape();
        ParameterLayout p = layout(); // made once: a new one per call would allocate where escape analysis fails
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize();
        int wx = offset + p.inputWeightsOffset(), wh = offset + p.recurrentWeightsOffset(), bias = offset + p.biasOffset();
        float[] h = ws.states();
        for (int n = 0; n < batch * hid; n++) {
            h[n] = h0 == null ? 0f : h0[n];
        }
        for (int t = 0; t < steps; t++) {
            int prev = t * batch * hid;
            int next = (t + 1) * batch * hid;
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hid; j++) {
                    float a = params[bias + j];
                    if (x != null) {
                        for (int i = 0; i < in; i++) {
                            a += x[(t * batch + b) * in + i] * params[wx + i * hid + j];
                        }
                    } else {
                        a += params[wx + tokens[t * batch + b] * hid + j]; // the one-hot row's product
                    }
                    for (int k = 0; k < hid; k++) {
                        a += h[prev + b * hid + k] * params[wh + k * hid + j];
                    }
                    h[next + b * hid + j] = activate(a);
                }
            }
        }
    }

    @Override
    protected void computeBackward(float[] params, int offset, float[] x, int[] tokens, float[] dh, boolean everyStep,
                                   Workspace ws, float[] grads, float[] dx, float[] dh0) {
        LayerShape s = shape();
        ParameterLayout p = layout(); // made once: a new one per call would allocate where escape analysis fails
        int steps = ws.steps();
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize();
        int wx = offset + p.inputWeightsOffset(), wh = offset + p.recurrentWeightsOffset(), bias = offset + p.biasOffset();
        float[] h = ws.states();
        float[] dz = ws.stepGradients();
        float[] carry = ws.scratchState(); // dz_{t+1} W_h^T, the gradient flowing back into h_t

        // The sequential part: dz_t for t = T..1.
        for (int n = 0; n < batch * hid; n++) {
            carry[n] = 0f;
        }
        for (int t = steps - 1; t >= 0; t--) {
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hid; j++) {
                    int n = b * hid + j;
                    float upstream = 0f;
                    if (everyStep) {
                        upstream = dh[t * batch * hid + n];
                    } else if (t == steps - 1) {
                        upstream = dh[n];
                    }
                    float hj = h[(t + 1) * batch * hid + n];
                    dz[t * batch * hid + n] = (upstream + carry[n]) * derivative(hj);
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int k = 0; k < hid; k++) {
                    float sum = 0f;
                    for (int j = 0; j < hid; j++) {
                        sum += dz[(t * batch + b) * hid + j] * params[wh + k * hid + j];
                    }
                    carry[b * hid + k] = sum;
                }
            }
        }
        if (dh0 != null) {
            System.arraycopy(carry, 0, dh0, 0, batch * hid);
        }

        // The sums over all steps.
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < hid; j++) {
                float sum = 0f;
                for (int r = 0; r < steps * batch; r++) {
                    if (x != null) {
                        sum += x[r * in + i] * dz[r * hid + j];
                    } else if (tokens[r] == i) {
                        sum += dz[r * hid + j]; // x[r][i] is 1 here and 0 elsewhere
                    }
                }
                grads[wx + i * hid + j] += sum;
            }
        }
        for (int k = 0; k < hid; k++) {
            for (int j = 0; j < hid; j++) {
                float sum = 0f;
                for (int r = 0; r < steps * batch; r++) {
                    sum += h[r * hid + k] * dz[r * hid + j]; // row r of h_0..h_{T-1} is h_{t-1}
                }
                grads[wh + k * hid + j] += sum;
            }
        }
        for (int j = 0; j < hid; j++) {
            float sum = 0f;
            for (int r = 0; r < steps * batch; r++) {
                sum += dz[r * hid + j];
            }
            grads[bias + j] += sum;
        }
        if (dx != null) {
            for (int r = 0; r < steps * batch; r++) {
                for (int i = 0; i < in; i++) {
                    float sum = 0f;
                    for (int j = 0; j < hid; j++) {
                        sum += dz[r * hid + j] * params[wx + i * hid + j];
                    }
                    dx[r * in + i] = sum;
                }
            }
        }
    }

    private float activate(float a) {
        return shape().activation() == Activation.TANH ? (float) Math.tanh(a) : Math.max(a, 0f);
    }

    private float derivative(float h) {
        return shape().activation() == Activation.TANH ? 1f - h * h : (h > 0f ? 1f : 0f);
    }
}
