package org.bptt4j.reference;

import org.bptt4j.Activation;
import org.bptt4j.Cell;
import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;

/**
 * A double-precision forward pass of every cell and the loss {@code sum_t h_t . dh_t} (every step)
 * or {@code h_T . dh_T} (+ {@code c_T . dc_T} for the LSTM; last step), written independently of
 * {@link ReferenceLayer} for finite differences.
 */
public final class DoubleRnn {
    private DoubleRnn() {
    }

    /**
     * The states after each step in double, from dense input rows {@code x} (T x B x I) and the
     * initial state {@code state0} (S x B x H): element [t] is the state after step t+1, S x B x H.
     *
     * @param minAbsPreActivation receives the smallest |a| seen (to keep ReLU away from its kink); may be null
     */
    public static double[][] states(LayerShape s, double[] params, double[] x, int steps, double[] state0, double[] minAbsPreActivation) {
        ParameterLayout p = s.parameterLayout();
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize(), gh = s.gateWidth(), bh = batch * hid;
        double[][] states = new double[steps][];
        double[] state = state0;
        for (int t = 0; t < steps; t++) {
            double[] next = new double[state0.length];
            for (int b = 0; b < batch; b++) {
                double[] xw = new double[gh], hw = new double[gh];
                for (int c = 0; c < gh; c++) {
                    xw[c] = params[p.biasOffset() + c];
                    for (int i = 0; i < in; i++) {
                        xw[c] += x[(t * batch + b) * in + i] * params[p.inputWeightsOffset() + i * gh + c];
                    }
                    for (int k = 0; k < hid; k++) {
                        hw[c] += state[b * hid + k] * params[p.recurrentWeightsOffset() + k * gh + c];
                    }
                }
                for (int j = 0; j < hid; j++) {
                    int n = b * hid + j;
                    if (s.cell() == Cell.VANILLA) {
                        double a = xw[j] + hw[j];
                        if (minAbsPreActivation != null) {
                            minAbsPreActivation[0] = Math.min(minAbsPreActivation[0], Math.abs(a));
                        }
                        next[n] = s.activation() == Activation.TANH ? Math.tanh(a) : Math.max(a, 0);
                    } else if (s.cell() == Cell.LSTM) {
                        double i = sigmoid(xw[j] + hw[j]), f = sigmoid(xw[hid + j] + hw[hid + j]);
                        double g = Math.tanh(xw[2 * hid + j] + hw[2 * hid + j]), o = sigmoid(xw[3 * hid + j] + hw[3 * hid + j]);
                        double c = f * state[bh + n] + i * g;
                        next[bh + n] = c;
                        next[n] = o * Math.tanh(c);
                    } else {
                        double r = sigmoid(xw[j] + hw[j]), z = sigmoid(xw[hid + j] + hw[hid + j]);
                        double nn = Math.tanh(xw[2 * hid + j] + r * (hw[2 * hid + j] + params[p.recurrentNewGateBiasOffset() + j]));
                        next[n] = (1 - z) * nn + z * state[n];
                    }
                }
            }
            states[t] = next;
            state = next;
        }
        return states;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * The loss {@code sum_t h_t . dh_t} (every step, dh T x B x H) or the final state times
     * {@code dh} (last step, dh S x B x H: {@code h_T . dh_T + c_T . dc_T}) in double.
     */
    static double loss(LayerShape s, double[] params, double[] x, int steps, double[] state0, double[] dh, boolean everyStep,
                       double[] minAbsPreActivation) {
        double[][] states = states(s, params, x, steps, state0, minAbsPreActivation);
        int bh = s.batch() * s.hiddenSize();
        double loss = 0;
        if (everyStep) {
            for (int t = 0; t < steps; t++) {
                for (int n = 0; n < bh; n++) {
                    loss += states[t][n] * dh[t * bh + n];
                }
            }
        } else {
            for (int n = 0; n < dh.length; n++) {
                loss += states[steps - 1][n] * dh[n];
            }
        }
        return loss;
    }
}
