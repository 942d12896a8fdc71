package org.bptt4j.reference;

import org.bptt4j.Activation;
import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;

/**
 * A double-precision forward pass of the vanilla RNN and the loss {@code sum_t h_t . dh_t}
 * (every step) or {@code h_T . dh_T} (last step), written independently of {@link ReferenceLayer}
 * for finite differences.
 */
public final class DoubleRnn {
    private DoubleRnn() {
    }

    /**
     * The hidden states h_1..h_T in double, from dense input rows {@code x} (T x B x I).
     *
     * @param minAbsPreActivation receives the smallest |a| seen (to keep ReLU away from its kink); may be null
     */
    public static double[][] states(LayerShape s, double[] params, double[] x, int steps, double[] h0, double[] minAbsPreActivation) {
        ParameterLayout p = s.parameterLayout();
        int batch = s.batch(), in = s.inputSize(), hid = s.hiddenSize();
        double[][] states = new double[steps][];
        double[] h = h0;
        for (int t = 0; t < steps; t++) {
            double[] next = new double[batch * hid];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hid; j++) {
                    double a = params[p.biasOffset() + j];
                    for (int i = 0; i < in; i++) {
                        a += x[(t * batch + b) * in + i] * params[p.inputWeightsOffset() + i * hid + j];
                    }
                    for (int k = 0; k < hid; k++) {
                        a += h[b * hid + k] * params[p.recurrentWeightsOffset() + k * hid + j];
                    }
                    if (minAbsPreActivation != null) {
                        minAbsPreActivation[0] = Math.min(minAbsPreActivation[0], Math.abs(a));
                    }
                    next[b * hid + j] = s.activation() == Activation.TANH ? Math.tanh(a) : Math.max(a, 0);
                }
            }
            states[t] = next;
            h = next;
        }
        return states;
    }

    /** The loss {@code sum_t h_t . dh_t} (every step) or {@code h_T . dh} (last step) in double. */
    static double loss(LayerShape s, double[] params, double[] x, int steps, double[] h0, double[] dh, boolean everyStep,
                       double[] minAbsPreActivation) {
        double[][] h = states(s, params, x, steps, h0, minAbsPreActivation);
        int bh = s.batch() * s.hiddenSize();
        double loss = 0;
        for (int t = 0; t < steps; t++) {
            for (int n = 0; n < bh; n++) {
                if (everyStep) {
                    loss += h[t][n] * dh[t * bh + n];
                } else if (t == steps - 1) {
                    loss += h[t][n] * dh[n];
                }
            }
        }
        return loss;
    }
}
