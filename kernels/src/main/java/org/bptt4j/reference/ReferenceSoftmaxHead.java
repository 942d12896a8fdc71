package org.bptt4j.reference;

import org.bptt4j.HeadWorkspace;
import org.bptt4j.LayerShape;
import org.bptt4j.SoftmaxHead;

/**
 * The scalar reference of {@link SoftmaxHead}, written plainly: per row, the logits as dot
 * products, the max-subtracted softmax and its log in double, then {@code dlogits = p - onehot},
 * {@code dh = dlogits W_y^T}, {@code dW_y += H^T dlogits}, {@code db_y += sum of dlogits} with
 * each gradient element summed over all rows before it is added.
 */
public final class ReferenceSoftmaxHead extends SoftmaxHead {

    /**
     * A reference head over the states of a layer of shape {@code layer}.
     *
     * @param layer   the shape of the layer whose states the head reads (H, B, maxSteps)
     * @param outputs V, the number of classes
     * @throws IllegalArgumentException if layer is null or outputs below 1
     * @see SoftmaxHead#SoftmaxHead(LayerShape, int)
     */
    public ReferenceSoftmaxHead(LayerShape layer, int outputs) {
        super(layer, outputs);
    }

    @Override
    protected double computeLoss(float[] params, int offset, float[] states, int stateOffset, int rows, int[] targets,
                                 HeadWorkspace hws, float[] grads, float[] dh) {
        int hid = layer().hiddenSize(), v = outputs();
        int bias = offset + biasOffset();
        float[] g = hws.logits();
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            logits(params, offset, states, stateOffset + r * hid, g, r * v);
            float target = g[r * v + targets[r]];
            loss += softmax(g, r * v) - target; // -log p(target) = log sum_c e^{l_c} - l_target
            g[r * v + targets[r]] -= 1f;
        }
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < hid; k++) {
                float s = 0f;
                for (int c = 0; c < v; c++) {
                    s += g[r * v + c] * params[offset + k * v + c];
                }
                dh[r * hid + k] = s;
            }
        }
        for (int k = 0; k < hid; k++) {
            for (int c = 0; c < v; c++) {
                float s = 0f;
                for (int r = 0; r < rows; r++) {
                    s += states[stateOffset + r * hid + k] * g[r * v + c];
                }
                grads[offset + k * v + c] += s;
            }
        }
        for (int c = 0; c < v; c++) {
            float s = 0f;
            for (int r = 0; r < rows; r++) {
                s += g[r * v + c];
            }
            grads[bias + c] += s;
        }
        return loss;
    }

    @Override
    protected void computeProbabilities(float[] params, int offset, float[] states, int stateOffset, int rows,
                                        HeadWorkspace hws, float[] out) {
        int hid = layer().hiddenSize(), v = outputs();
        for (int r = 0; r < rows; r++) {
            logits(params, offset, states, stateOffset + r * hid, out, r * v);
            softmax(out, r * v);
        }
    }

    /** Replaces the V logits at {@code a[o]} by their softmax (max subtracted first); returns log sum_c e^{l_c}. */
    private double softmax(float[] a, int o) {
        int v = outputs();
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < v; c++) {
            max = Math.max(max, a[o + c]);
        }
        double sum = 0;
        for (int c = 0; c < v; c++) {
            sum += Math.exp(a[o + c] - max);
        }
        for (int c = 0; c < v; c++) {
            a[o + c] = (float) (Math.exp(a[o + c] - max) / sum);
        }
        return Math.log(sum) + max;
    }

    /** {@code out[o + c] = b_y[c] + sum_k h[k] W_y[k][c]}. */
    private void logits(float[] params, int offset, float[] h, int hOff, float[] out, int o) {
        int hid = layer().hiddenSize(), v = outputs();
        for (int c = 0; c < v; c++) {
            float a = params[offset + biasOffset() + c];
            for (int k = 0; k < hid; k++) {
                a += h[hOff + k] * params[offset + k * v + c];
            }
            out[o + c] = a;
        }
    }
}
