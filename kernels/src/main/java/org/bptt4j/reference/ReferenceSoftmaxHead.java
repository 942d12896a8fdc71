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

    /** @see SoftmaxHead#SoftmaxHead(LayerShape, int) */
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
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < v; c++) {
                max = Math.max(max, g[r * v + c]);
            }
            double sum = 0;
            for (int c = 0; c < v; c++) {
                sum += Math.exp(g[r * v + c] - max);
            }
            loss += Math.log(sum) - (g[r * v + targets[r]] - max);
            for (int c = 0; c < v; c++) {
                g[r * v + c] = (float) (Math.exp(g[r * v + c] - max) / sum) - (c == targets[r] ? 1f : 0f);
            }
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
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < v; c++) {
                max = Math.max(max, out[r * v + c]);
            }
            double sum = 0;
            for (int c = 0; c < v; c++) {
                sum += Math.exp(out[r * v + c] - max);
            }
            for (int c = 0; c < v; c++) {
                out[r * v + c] = (float) (Math.exp(out[r * v + c] - max) / sum);
            }
        }
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
