package org.bptt4j.simd;

import jdk.incubator.vector.VectorSpecies;
import org.bptt4j.ComputePool;
import org.bptt4j.HeadWorkspace;
import org.bptt4j.LayerShape;
import org.bptt4j.SoftmaxHead;

/**
 * {@link SoftmaxHead} on the same micro-kernel family as {@link SimdLayer}: the logits of all rows
 * as one product (bias as its start), the max-subtracted softmax and {@code p - onehot} row by row
 * in place, then {@code dh = dlogits W_y^T}, {@code dW_y += H^T dlogits} and
 * {@code db_y += 1^T dlogits} as one product each. e^x is {@link VectorMath}'s, so results do not
 * depend on the JIT's state. Allocates nothing. With a {@link ComputePool}, its products split by
 * columns as the layer's do (the same bits for any thread count); the row loops stay on the caller.
 */
public final class SimdSoftmaxHead extends SoftmaxHead {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    /** The threads the products may split over, or null. */
    private final ComputePool pool;

    /**
     * A SIMD head over the states of a layer of shape {@code layer}.
     *
     * @param layer   the shape of the layer whose states the head reads (H, B, maxSteps)
     * @param outputs V, the number of classes
     * @throws IllegalArgumentException if layer is null or outputs below 1
     * @see SoftmaxHead#SoftmaxHead(LayerShape, int)
     */
    public SimdSoftmaxHead(LayerShape layer, int outputs) {
        this(layer, outputs, null);
    }

    /**
     * A SIMD head whose products may run on {@code pool}'s threads.
     *
     * @param layer   the shape of the layer whose states the head reads (H, B, maxSteps)
     * @param outputs V, the number of classes
     * @param pool    the threads, or null for the caller's only
     * @throws IllegalArgumentException if layer is null or outputs below 1
     */
    public SimdSoftmaxHead(LayerShape layer, int outputs, ComputePool pool) {
        super(layer, outputs);
        this.pool = pool;
    }

    /** The head's buffers, and the descriptor its products run through with its pack buffer (k: H, V, or chunks of the rows). */
    private static final class Buffers extends HeadWorkspace {
        final Product product;
        /** The products split over a pool: {@code parts} descriptors, each with its pack buffer (none without a pool). */
        final ProductSplit productSplit;
        private final long packBytes;

        Buffers(LayerShape layer, int outputs, int parts) {
            super(layer, outputs);
            int maxK = Math.max(Math.max(layer.hiddenSize(), outputs), MatMul.K_CHUNK);
            int pack = MatMul.packLength(maxK, Math.max(layer.hiddenSize(), outputs)) + org.bptt4j.Workspace.PADDING;
            product = new Product(new float[pack]);
            Product[] partProducts = new Product[parts];
            for (int i = 0; i < parts; i++) {
                partProducts[i] = new Product(new float[pack]);
            }
            productSplit = new ProductSplit(partProducts);
            packBytes = 4L * pack * (1 + parts);
        }

        @Override
        public long sizeInBytes() {
            return super.sizeInBytes() + packBytes;
        }
    }

    @Override
    protected HeadWorkspace createWorkspace() {
        return new Buffers(layer(), outputs(), pool == null ? 0 : 4 * pool.threads());
    }

    @Override
    protected boolean accepts(HeadWorkspace hws) {
        return hws instanceof Buffers b && b.productSplit.suits(pool); // a pool-less head's workspace has no parts for this one's splits
    }

    @Override
    protected double computeLoss(float[] params, int offset, float[] states, int stateOffset, int rows, int[] targets,
                                 HeadWorkspace hws, float[] grads, float[] dh) {
        int hid = layer().hiddenSize(), v = outputs();
        float[] g = hws.logits();
        Buffers buffers = (Buffers) hws;
        Product product = buffers.product;
        logits(buffers, params, offset, states, stateOffset, rows, g);
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
        Rows.transpose(params, offset, hid, v, v, packed, 0, hid);
        buffers.productSplit.run(pool, product.size(rows, hid, v).a(g, 0, v).b(packed, 0, hid).c(dh, 0, hid), null);
        float[] staging = hws.gradientStaging();
        buffers.productSplit.run(pool, product.size(hid, v, rows).aTransposed(states, stateOffset, hid).b(g, 0, v).c(grads, offset, v), staging);
        product.size(1, v, rows).aOnes().b(g, 0, v).c(grads, offset + biasOffset(), v).runAdding(staging);
        return loss;
    }

    @Override
    protected void computeProbabilities(float[] params, int offset, float[] states, int stateOffset, int rows,
                                        HeadWorkspace hws, float[] out) {
        int v = outputs();
        logits((Buffers) hws, params, offset, states, stateOffset, rows, out);
        for (int r = 0; r < rows; r++) {
            double sum = exponentiate(out, r * v, v, max(out, r * v, v));
            scale(out, r * v, v, (float) (1 / sum));
        }
    }

    /** All rows' logits at once: {@code out = H W_y + b_y}, the bias as the accumulators' start. */
    private void logits(Buffers buffers, float[] params, int offset, float[] states, int stateOffset, int rows, float[] out) {
        int hid = layer().hiddenSize(), v = outputs();
        buffers.productSplit.run(pool, buffers.product.size(rows, v, hid).a(states, stateOffset, hid).b(params, offset, v).c(out, 0, v)
                .startFromRows(params, offset + biasOffset(), 0), null);
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
