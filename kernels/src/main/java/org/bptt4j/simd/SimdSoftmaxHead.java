package org.bptt4j.simd;

import jdk.incubator.vector.VectorSpecies;
import org.bptt4j.HeadWorkspace;
import org.bptt4j.LayerShape;
import org.bptt4j.SoftmaxHead;

/**
 * {@link SoftmaxHead} on the same micro-kernel family as {@link SimdLayer}: the logits of all rows
 * as one product (bias as its start), the max-subtracted softmax and {@code p - onehot} row by row
 * in place, then {@code dh = dlogits W_y^T}, {@code dW_y += H^T dlogits} and
 * {@code db_y += 1^T dlogits} as one product each. e^x is {@link VectorMath}'s, so results do not
 * depend on the JIT's state. Allocates nothing.
 */
public final class SimdSoftmaxHead extends SoftmaxHead {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;

    /**
     * A SIMD head over the states of a layer of shape {@code layer}.
     *
     * @param layer   the shape of the layer whose states the head reads (H, B, maxSteps)
     * @param outputs V, the number of classes
     * @throws IllegalArgumentException if layer is null or outputs below 1
     * @see SoftmaxHead#SoftmaxHead(LayerShape, int)
     */
    public SimdSoftmaxHead(LayerShape layer, int outputs) {
        super(layer, outputs);
    }

    /** The head's buffers, and the descriptor its products run through with its pack buffer (k: H, V, or chunks of the rows). */
    private static final class Buffers extends HeadWorkspace {
        final Product product;

        Buffers(LayerShape layer, int outputs) {
            super(layer, outputs);
            int maxK = Math.max(Math.max(layer.hiddenSize(), outputs), MatMul.K_CHUNK);
            product = new Product(new float[MatMul.packLength(maxK) + org.bptt4j.Workspace.PADDING]);
        }

        @Override
        public long sizeInBytes() {
            return super.sizeInBytes() + 4L * product.pack.length;
        }
    }

    @Override
    protected HeadWorkspace createWorkspace() {
        return new Buffers(layer(), outputs());
    }

    @Override
    protected boolean accepts(HeadWorkspace hws) {
        return hws instanceof Buffers;
    }

    @Override
    protected double computeLoss(float[] params, int offset, float[] states, int stateOffset, int rows, int[] targets,
                                 HeadWorkspace hws, float[] grads, float[] dh) {
        int hid = layer().hiddenSize(), v = outputs();
        float[] g = hws.logits();
        Product product = ((Buffers) hws).product;
        logits(product, params, offset, states, stateOffset, rows, g);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int row = r * v;
            float max = max(g, row, v);
            float target = g[row + targets[r]];
            double sum = exponentiate(g, row, v, max);
            loss += Math.log(sum) - (target - max);
            scale(g, row, v, (float) (1 / sum));
            g[row + targets[r]] -= 1f;
        }
        float[] packed = hws.transposedWeights();
        Rows.transpose(params, offset, hid, v, packed, 0, hid);
        product.size(rows, hid, v).a(g, 0, v).b(packed, 0, hid).c(dh, 0, hid).run();
        float[] staging = hws.gradientStaging();
        product.size(hid, v, rows).aTransposed(states, stateOffset, hid).b(g, 0, v).c(grads, offset, v).runAdding(staging);
        product.size(1, v, rows).aOnes().b(g, 0, v).c(grads, offset + biasOffset(), v).runAdding(staging);
        return loss;
    }

    @Override
    protected void computeProbabilities(float[] params, int offset, float[] states, int stateOffset, int rows,
                                        HeadWorkspace hws, float[] out) {
        int v = outputs();
        logits(((Buffers) hws).product, params, offset, states, stateOffset, rows, out);
        for (int r = 0; r < rows; r++) {
            double sum = exponentiate(out, r * v, v, max(out, r * v, v));
            scale(out, r * v, v, (float) (1 / sum));
        }
    }

    /** All rows' logits at once: {@code out = H W_y + b_y}, the bias as the accumulators' start. */
    private void logits(Product product, float[] params, int offset, float[] states, int stateOffset, int rows, float[] out) {
        int hid = layer().hiddenSize(), v = outputs();
        product.size(rows, v, hid).a(states, stateOffset, hid).b(params, offset, v).c(out, 0, v)
                .startFromRows(params, offset + biasOffset(), 0).run();
    }

    // The row's elementwise work is plain loops (C2 vectorizes the two maps itself), and e^x is
    // VectorMath's, which takes an array. Vector code here once allocated in CI: SimdSoftmaxHead's
    // vector max, inlined into a training step, kept its vectors boxed on every call (the Vector
    // API's binary operations reach a bridge method that C2 then did not inline). A row holds V
    // floats against the H*V multiply-adds of its logits, so these loops cost little either way.

    private static float max(float[] a, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, a[off + i]);
        }
        return max;
    }

    /** {@code a[i] = e^(a[i] - max)} over the row; returns their sum, added in double in index order. */
    private static double exponentiate(float[] a, int off, int n, float max) {
        for (int i = 0; i < n; i++) {
            a[off + i] -= max;
        }
        int i = 0;
        for (; i <= n - S.length(); i += S.length()) {
            VectorMath.exp(a, off + i, S.length());
        }
        for (; i < n; i++) {
            a[off + i] = VectorMath.exp(a[off + i]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += a[off + j];
        }
        return sum;
    }

    private static void scale(float[] a, int off, int n, float factor) {
        for (int i = 0; i < n; i++) {
            a[off + i] *= factor;
        }
    }
}
