package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * Every buffer a layer's forward and backward passes need, allocated once from a
 * {@link LayerShape}; after construction neither pass allocates. Forward saves in it what backward
 * reads, so a workspace serves one sequence at a time: run {@code forward}, then {@code backward}
 * (once or more) on the same workspace.
 *
 * <p>Buffers, all time-major (element {@code (t, b, j)} of a sequence of rows of width W is at
 * {@code (t*B + b)*W + j}):
 * <ul>
 *   <li>{@link #states()}: {@code h_0 .. h_T}, (maxSteps+1) x B x H; {@code h_t} starts at
 *       {@link #stateOffset(int) stateOffset(t)} = {@code t*B*H};</li>
 *   <li>{@link #stepGradients()}: {@code dz_1 .. dz_T} (the gradient of the pre-activations), maxSteps x B x G*H;</li>
 *   <li>{@link #scratchState()}: B x H floats that backward uses for the {@code dh} recurrence;</li>
 *   <li>{@link #transposedWeights()}: {@code W_h^T} (G*H x H) then {@code W_x^T} (G*H x I), which
 *       the SIMD backward pass packs from the parameters so that {@code dz W^T} reads rows;</li>
 *   <li>{@link #gradientStaging()}: max(I, H) x G*H floats where the SIMD backward pass completes a
 *       weight-gradient sum before adding it to the gradient array.</li>
 * </ul>
 * Each buffer ends with {@link #PADDING} floats that hold nothing: a kernel's last vector may
 * reach past the end of a row (its extra lanes masked off), and must stay inside the array to be
 * fast. Its size is {@link #sizeInBytes(LayerShape)}
 * {@code = 4 * ((maxSteps+1)*B*H + maxSteps*B*G*H + B*H + G*H*(H+I) + max(I,H)*G*H + 5*16)} bytes,
 * plus a few dozen bytes of object headers.
 *
 * <p>Not thread-safe: one thread uses a workspace at a time.
 */
public final class Workspace {
    /** Floats of padding after each buffer: one vector of the widest (512-bit) kind. */
    public static final int PADDING = 16;
    private final LayerShape shape;
    private final float[] states;
    private final float[] stepGradients;
    private final float[] scratchState;
    private final float[] transposedWeights;
    private final float[] gradientStaging;
    private int steps;

    /**
     * Allocates the buffers for {@code shape}.
     *
     * @throws IllegalArgumentException if shape is null
     */
    public Workspace(LayerShape shape) {
        this.shape = Checks.notNull("shape", shape);
        int bh = shape.batch() * shape.hiddenSize();
        this.states = new float[(shape.maxSteps() + 1) * bh + PADDING];
        this.stepGradients = new float[shape.maxSteps() * shape.batch() * shape.gateWidth() + PADDING];
        this.scratchState = new float[bh + PADDING];
        this.transposedWeights = new float[shape.gateWidth() * (shape.hiddenSize() + shape.inputSize()) + PADDING];
        this.gradientStaging = new float[Math.max(shape.inputSize(), shape.hiddenSize()) * shape.gateWidth() + PADDING];
    }

    /** @return the size in bytes of the buffers of a workspace for {@code shape}; see the class comment */
    public static long sizeInBytes(LayerShape shape) {
        long bh = (long) shape.batch() * shape.hiddenSize();
        long floats = (shape.maxSteps() + 1L) * bh
                + (long) shape.maxSteps() * shape.batch() * shape.gateWidth()
                + bh
                + (long) shape.gateWidth() * (shape.hiddenSize() + shape.inputSize())
                + (long) Math.max(shape.inputSize(), shape.hiddenSize()) * shape.gateWidth()
                + 5L * PADDING;
        return 4 * floats;
    }

    /** @return the size in bytes of this workspace's buffers */
    public long sizeInBytes() {
        return sizeInBytes(shape);
    }

    /** @return the shape this workspace was made for */
    public LayerShape shape() {
        return shape;
    }

    /** @return T of the last successful forward pass, or 0 if there was none */
    public int steps() {
        return steps;
    }

    void setSteps(int steps) {
        this.steps = steps;
    }

    /**
     * The hidden states {@code h_0 .. h_T} of the last forward pass, (maxSteps+1) x B x H; only the
     * first {@code (steps()+1)*B*H} floats are meaningful. The array itself is returned, not a copy:
     * read it, never write it (backward reads it).
     */
    public float[] states() {
        return states;
    }

    /** @return where {@code h_t} starts in {@link #states()}: {@code t*B*H} */
    public int stateOffset(int t) {
        if (t < 0 || t > shape.maxSteps()) {
            throw new IllegalArgumentException("t must be in [0, " + shape.maxSteps() + "], was " + t);
        }
        return t * shape.batch() * shape.hiddenSize();
    }

    /**
     * The pre-activation gradients {@code dz_1 .. dz_T} of the last backward pass, maxSteps x B x G*H
     * ({@code dz_t} at {@code (t-1)*B*G*H}). The array itself: for layer implementations and
     * inspection, not to be written by callers.
     */
    public float[] stepGradients() {
        return stepGradients;
    }

    /**
     * Room for {@code W_h^T} (G*H x H, at 0) then {@code W_x^T} (G*H x I, at {@code G*H*H}), written
     * by a layer implementation during backward; contents undefined between passes.
     */
    public float[] transposedWeights() {
        return transposedWeights;
    }

    /**
     * max(I, H) x G*H floats in which a layer implementation may complete a weight-gradient sum
     * before adding it to the gradient array; contents undefined between passes.
     */
    public float[] gradientStaging() {
        return gradientStaging;
    }

    /** B x H floats of scratch a layer implementation may overwrite during a pass; contents undefined between passes. */
    public float[] scratchState() {
        return scratchState;
    }
}
