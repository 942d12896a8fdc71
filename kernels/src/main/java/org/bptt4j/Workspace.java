package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * The buffers of one layer's forward and backward passes, allocated once by
 * {@link RecurrentLayer#newWorkspace()} and owned by that layer's implementation: after
 * construction neither pass allocates. Forward saves in it what backward reads, so a workspace
 * serves one sequence at a time: run {@code forward}, then {@code backward} (once or more) on the
 * same workspace. Its buffers are the implementation's business (each documents them and their
 * size formula in one place); what a caller may read is the hidden states of the last forward
 * pass, {@link #states()}, and the size, {@link #sizeInBytes()}.
 *
 * <p>Not thread-safe: one thread uses a workspace at a time.
 */
public abstract class Workspace {
    /**
     * Floats of padding after each buffer of a workspace: one vector of the widest (512-bit) kind,
     * so that a kernel's last, masked vector of a row stays inside the array (and fast).
     */
    public static final int PADDING = 16;
    private final LayerShape shape;
    private final StepRows stepRows;
    private int steps;

    /**
     * For implementations.
     *
     * @param shape the shape of the layer this workspace serves
     * @throws IllegalArgumentException if shape is null
     */
    protected Workspace(LayerShape shape) {
        this.shape = Checks.notNull("shape", shape);
        this.stepRows = new StepRows(shape.maxSteps(), shape.batch());
    }

    /**
     * Which rows each step of the last forward pass covered: every row, except in a {@link RecurrentStack}.
     *
     * @return this workspace's {@link StepRows}, always the same object
     */
    public final StepRows stepRows() {
        return stepRows;
    }

    /**
     * The size in bytes of this workspace's buffers.
     *
     * @return the size, without the few dozen bytes of object headers
     */
    public abstract long sizeInBytes();

    /**
     * The shape this workspace was made for.
     *
     * @return the layer shape
     */
    public final LayerShape shape() {
        return shape;
    }

    /**
     * The steps of the last successful forward pass.
     *
     * @return T, or 0 if there was none
     */
    public final int steps() {
        return steps;
    }

    /** The arrays the last forward read (their identity, not their contents): backward must be given the same. */
    Object forwardParams, forwardInput;
    int forwardOffset;

    final void setSteps(int steps) {
        this.steps = steps;
    }

    /**
     * The hidden states {@code h_0 .. h_T} of the last forward pass, (maxSteps+1) x B x H, {@code h_t}
     * from {@link #stateOffset(int) stateOffset(t)}; only the first {@code (steps()+1)*B*H} floats
     * are meaningful. The array itself is returned, not a copy: read it, never write it (backward
     * reads it). This is the layout of every workspace from {@link RecurrentLayer#newWorkspace()};
     * the layers inside a {@link RecurrentStack} pack their rows when given lengths (see
     * {@link StepRows}), and a bidirectional stack's two directions share one array of rows 2H
     * wide, which is why a stack's outputs are read through its {@link StackWorkspace}.
     *
     * @return the saved states' array
     */
    public abstract float[] states();

    /**
     * Where {@code h_t} starts in {@link #states()}.
     *
     * @param t the step, from 0 to maxSteps
     * @return {@code t*B*H}
     * @throws IllegalArgumentException if t is outside [0, maxSteps]
     */
    public final int stateOffset(int t) {
        if (t < 0 || t > shape.maxSteps()) {
            throw new IllegalArgumentException("t must be in [0, " + shape.maxSteps() + "], was " + t);
        }
        return t * shape.batch() * shape.hiddenSize();
    }

    /**
     * The length of a buffer of {@code n} floats and its padding, checked to fit in a Java array.
     *
     * @param n the floats the buffer holds
     * @return {@code n + PADDING}
     * @throws IllegalArgumentException if that does not fit in a Java array
     */
    protected static int padded(long n) {
        return (int) Checks.arraySize("a workspace buffer", n + PADDING);
    }
}
