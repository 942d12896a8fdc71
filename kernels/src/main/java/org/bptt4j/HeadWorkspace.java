package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * The buffers of a {@link SoftmaxHead}, allocated once: logits (then their gradients) for up to
 * maxSteps x B rows of V, {@code W_y^T} (V x H) and a staging area for {@code dW_y} (H x V), each
 * followed by {@link Workspace#PADDING} unused floats. Its size is
 * {@code 4 * (maxSteps*B*V + 2*V*H + 3*16)} bytes. An implementation may extend it with what its
 * kernels need (see {@link SoftmaxHead#newWorkspace()}). Not thread-safe.
 */
public class HeadWorkspace {
    private final LayerShape layer;
    private final int outputs;
    private final float[] logits;
    private final float[] transposedWeights;
    private final float[] gradientStaging;

    /**
     * Allocates the buffers for a head of V = {@code outputs} classes over a layer of shape {@code layer}.
     *
     * @param layer   the shape of the layer whose states the head reads
     * @param outputs V
     * @throws IllegalArgumentException if layer is null, outputs below 1, or the buffers too large
     */
    public HeadWorkspace(LayerShape layer, int outputs) {
        this.layer = Checks.notNull("layer", layer);
        this.outputs = Checks.positive("outputs", outputs);
        Checks.arraySize("the logits buffer maxSteps*batch*outputs", layer.maxSteps() + 1L, layer.batch(), outputs + (long) Workspace.PADDING);
        Checks.arraySize("the head's weights", (long) layer.hiddenSize() + 1, outputs + (long) Workspace.PADDING);
        this.logits = new float[layer.maxSteps() * layer.batch() * outputs + Workspace.PADDING];
        this.transposedWeights = new float[outputs * layer.hiddenSize() + Workspace.PADDING];
        this.gradientStaging = new float[outputs * layer.hiddenSize() + Workspace.PADDING];
    }

    /**
     * The layer shape this workspace was made for.
     *
     * @return the layer shape
     */
    public LayerShape layer() {
        return layer;
    }

    /**
     * The number of classes.
     *
     * @return V
     */
    public int outputs() {
        return outputs;
    }

    /**
     * The size in bytes of this workspace's buffers.
     *
     * @return {@code 4 * (maxSteps*B*V + 2*V*H + 3*16)}
     */
    public long sizeInBytes() {
        return 4L * (logits.length + transposedWeights.length + gradientStaging.length);
    }

    /**
     * Logits of the last call, rows x V; after a loss call, their gradients (softmax - one-hot).
     *
     * @return the buffer itself, not a copy: maxSteps*B*V floats and the padding
     */
    public float[] logits() {
        return logits;
    }

    /**
     * Room for {@code W_y^T} (V x H); contents undefined between calls.
     *
     * @return the buffer itself: V*H floats and the padding
     */
    public float[] transposedWeights() {
        return transposedWeights;
    }

    /**
     * H x V floats of staging for {@code dW_y}; contents undefined between calls.
     *
     * @return the buffer itself: H*V floats and the padding
     */
    public float[] gradientStaging() {
        return gradientStaging;
    }
}
