package org.bptt4j;


import org.bptt4j.internal.Checks;
/**
 * L recurrent layers of D directions ({@link StackShape}) over a batch of sequences of their own
 * lengths, forward and backward, with PyTorch's semantics for
 * {@code pack_padded_sequence(x, lengths, enforce_sorted=False)}: rows in any order; a row's
 * outputs past its length are zero; its final state is its state at its own last step; the reverse
 * direction of a row starts at its own last step; padded positions take part in no sum.
 *
 * <p>Work follows the real lengths: each call sorts the rows by length once, and every layer works
 * on <em>packed</em> rows ({@link StepRows}): step t only on the rows at least t long, the big
 * products over the sum of the lengths, never over B x T. Layer l+1 reads the packed outputs of
 * layer l where they lie and writes its input gradient straight into layer l's upstream gradient;
 * copies happen only at the edges (the caller's padded T x B rows in and out, each row's state),
 * and with dropout, whose masked outputs the next layer reads while backward needs the saved ones.
 * The reverse direction runs on the same packed rows as the forward one, from each row's last step
 * down ({@link StepRows#reversed()}): it reads the same input rows, its own columns of the upstream
 * gradient, and adds its input gradient to the forward one's.
 *
 * <p>Layouts: {@code x} is T x B x I, {@code out} and {@code dOut} T x B x D*H (forward direction
 * in columns 0..H-1, reverse in H..2H-1), time-major as everywhere ({@code (t*B + b)*W + j});
 * states as {@link StackShape} says. Parameters and gradients as {@link StackShape}; gradients are
 * added to.
 *
 * <p>Instances are immutable and may be shared between threads; a {@link Workspace} may not.
 */
public final class RecurrentStack {
    private final StackShape shape;
    private final RecurrentLayer[] layers;
    private final Implementation implementation;
    /** The shape's parameter offsets and size, computed once: the passes allocate nothing. */
    private final int[][] parameterOffsets;
    private final int parameterSize;

    /**
     * A stack whose layers run on the caller's thread.
     *
     * @param implementation the kernels of every layer
     * @param shape          the stack's shape
     * @throws IllegalArgumentException if an argument is null
     */
    public RecurrentStack(Implementation implementation, StackShape shape) {
        this(implementation, shape, null);
    }

    /**
     * A stack whose layers run on {@code pool}'s threads (SIMD only; see {@link ComputePool}); the
     * results are bit-identical to one thread's.
     *
     * @param implementation the kernels of every layer
     * @param shape          the stack's shape
     * @param pool           the threads, or null for the caller's only
     * @throws IllegalArgumentException if implementation or shape is null
     */
    public RecurrentStack(Implementation implementation, StackShape shape, ComputePool pool) {
        this.implementation = Checks.notNull("implementation", implementation);
        this.shape = Checks.notNull("shape", shape);
        this.layers = new RecurrentLayer[shape.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = implementation.layer(shape.layer(l), pool);
        }
        this.parameterOffsets = new int[shape.layers()][shape.directions()];
        for (int l = 0; l < shape.layers(); l++) {
            for (int d = 0; d < shape.directions(); d++) {
                parameterOffsets[l][d] = shape.parameterOffset(l, d);
            }
        }
        this.parameterSize = shape.parameterSize();
    }

    /**
     * The shape this stack computes.
     *
     * @return the stack's shape
     */
    public StackShape shape() {
        return shape;
    }

    /**
     * A new workspace for this stack: every buffer of every layer and direction, and the stack's
     * own, allocated now.
     *
     * @return the workspace
     */
    public StackWorkspace newWorkspace() {
        return new StackWorkspace(this);
    }

    RecurrentLayer layer(int l) {
        return layers[l];
    }

    int parameterOffset(int layer, int direction) {
        return parameterOffsets[layer][direction];
    }

    Implementation implementation() {
        return implementation;
    }

    /**
     * Forward over {@code steps} time steps.
     *
     * @param params  the parameters, the first {@link StackShape#parameterSize()} floats (a longer array, a {@link Network}'s, is accepted)
     * @param x       the input, steps x rows x I (values past a row's length are not read)
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length, from 1 to steps, in any order: one per row of the pass, from 1 to B rows
     *                (a smaller batch needs no second stack); null means B rows, every one {@code steps} long
     * @param state0  the initial state ({@link StackShape#stateLength(int) stateLength(rows)} floats), or null for zeros
     * @param ws      a workspace of this stack
     * @param out     receives the top layer's outputs, steps x rows x D*H (zero past each row's length); may be null
     * @param stateT  receives each row's final state; may be null, and may be {@code state0}
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public void forward(float[] params, float[] x, int steps, int[] lengths, float[] state0, StackWorkspace ws, float[] out, float[] stateT) {
        int rows = checkForward(params, steps, lengths, state0, ws, out, stateT);
        Checks.atLeast("x", x, (long) steps * rows * shape.inputSize(), "steps*rows*inputSize");
        ws.plan(steps, lengths);
        ws.forward(params, x, null, state0, out, stateT);
    }

    /** @return the rows of the pass: lengths.length, or B */
    private int checkForward(float[] params, int steps, int[] lengths, float[] state0, StackWorkspace ws, float[] out, float[] stateT) {
        Checks.atLeast("params", params, parameterSize, "the stack's parameterSize()");
        checkWorkspace(ws);
        int batch = rows(shape, steps, lengths);
        Checks.atLeastOrNull("state0", state0, shape.stateLength(batch), "the stack's stateLength(rows)");
        Checks.atLeastOrNull("out", out, (long) steps * batch * shape.outputSize(), "steps*rows*outputSize");
        Checks.atLeastOrNull("stateT", stateT, shape.stateLength(batch), "the stack's stateLength(rows)");
        return batch;
    }

    /**
     * The rows of a pass, its steps and lengths checked: {@code lengths.length}, or B when null.
     *
     * @throws IllegalArgumentException if steps is outside [1, maxSteps], lengths holds no row or
     *                                  more than B, or a length is outside [1, steps]
     */
    static int rows(StackShape shape, int steps, int[] lengths) {
        if (steps < 1 || steps > shape.maxSteps()) {
            throw new IllegalArgumentException("steps must be in [1, " + shape.maxSteps() + "] (maxSteps), was " + steps);
        }
        if (lengths == null) {
            return shape.batch();
        }
        if (lengths.length < 1 || lengths.length > shape.batch()) {
            throw new IllegalArgumentException("lengths.length (the rows of the pass) must be in [1, " + shape.batch()
                    + "] (batch), was " + lengths.length);
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] must be in [1, " + steps + "] (steps), was " + lengths[b]);
            }
        }
        return lengths.length;
    }

    /** Ids in range at every position a row reaches. */
    private void checkTokens(int[] tokens, int steps, int[] lengths) {
        Checks.notNull("tokens", tokens);
        int batch = lengths == null ? shape.batch() : lengths.length;
        if (tokens.length < steps * batch) {
            throw new IllegalArgumentException("tokens.length must be at least " + steps * batch + " (steps*rows), was " + tokens.length);
        }
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int id = tokens[t * batch + b];
                if ((lengths == null || t < lengths[b]) && (id < 0 || id >= shape.inputSize())) {
                    throw new IllegalArgumentException("tokens[" + (t * batch + b) + "] must be in [0, " + shape.inputSize()
                            + ") (inputSize), was " + id);
                }
            }
        }
    }

    /**
     * {@link #forward} over token ids: row (t, b) of layer 0's input is the one-hot vector of
     * {@code tokens[t*B + b]} (I = the vocabulary), its projection a row of W_x read, not multiplied.
     *
     * @param params  the parameters, as in {@link #forward}
     * @param tokens  steps x B ids in [0, I) (ids past a row's length are not read)
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length, as in {@link #forward}; null means B rows, every one {@code steps} long
     * @param state0  the initial state, as in {@link #forward}, or null for zeros
     * @param ws      a workspace of this stack
     * @param out     receives the top layer's outputs, as in {@link #forward}; may be null
     * @param stateT  receives each row's final state; may be null, and may be {@code state0}
     * @throws IllegalArgumentException for a bad argument, an id out of range included; nothing is written then
     */
    public void forwardTokens(float[] params, int[] tokens, int steps, int[] lengths, float[] state0, StackWorkspace ws, float[] out,
                              float[] stateT) {
        checkForward(params, steps, lengths, state0, ws, out, stateT);
        checkTokens(tokens, steps, lengths);
        ws.plan(steps, lengths);
        ws.forward(params, null, tokens, state0, out, stateT);
    }

    /**
     * Backpropagation through time after {@link #forward} on {@code ws}, with the same parameters and input.
     *
     * @param params  the parameters forward used (the same array)
     * @param x       the input forward read (the same array)
     * @param dOut    upstream gradient of the top layer's outputs, steps x B x D*H (values past a row's length are not read), or null
     * @param dStateT upstream gradient of the final state ({@link StackShape#stateLength()} floats), or null
     * @param ws      the workspace of that forward pass
     * @param grads   the gradient array, laid out as params; gradients are added to its first {@link StackShape#parameterSize()} floats
     * @param dx      receives the input gradient, steps x B x I (zero past each row's length); may be null
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument, including dOut and dStateT both null; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public void backward(float[] params, float[] x, float[] dOut, float[] dStateT, StackWorkspace ws, float[] grads, float[] dx,
                         float[] dState0) {
        int steps = requireForward(params, ws);
        int batch = ws.rows();
        Checks.atLeast("x", x, (long) steps * batch * shape.inputSize(), "steps*rows*inputSize");
        checkBackward(params, dOut, dStateT, ws, grads, dState0);
        Checks.atLeastOrNull("dx", dx, (long) steps * batch * shape.inputSize(), "steps*rows*inputSize");
        ws.requireForwardArrays(params, x, "x", grads);
        ws.backward(params, false, dOut, false, dStateT, grads, dx, dState0);
    }

    /**
     * {@link #backward} after {@link #forwardTokens}: there is no input gradient.
     *
     * @param params  the parameters forwardTokens used (the same array)
     * @param tokens  the ids given to forwardTokens (the same array)
     * @param dOut    upstream gradient of the top layer's outputs, as in {@link #backward}, or null
     * @param dStateT upstream gradient of the final state, as in {@link #backward}, or null
     * @param ws      the workspace of that forward pass
     * @param grads   the gradient array, laid out as params; gradients are added to its first {@link StackShape#parameterSize()} floats
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument, including dOut and dStateT both null; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public void backwardTokens(float[] params, int[] tokens, float[] dOut, float[] dStateT, StackWorkspace ws, float[] grads,
                               float[] dState0) {
        int steps = requireForward(params, ws);
        Checks.notNull("tokens", tokens);
        if (tokens.length < steps * ws.rows()) {
            throw new IllegalArgumentException("tokens.length must be at least " + steps * ws.rows() + " (steps*rows), was " + tokens.length);
        }
        checkBackward(params, dOut, dStateT, ws, grads, dState0);
        ws.requireForwardArrays(params, tokens, "tokens", grads);
        ws.backward(params, true, dOut, false, dStateT, grads, null, dState0);
    }

    /** @return the steps of the last forward on ws, after checking params and ws */
    private int requireForward(float[] params, StackWorkspace ws) {
        Checks.atLeast("params", params, parameterSize, "the stack's parameterSize()");
        checkWorkspace(ws);
        if (ws.steps() == 0) {
            throw new IllegalStateException("backward needs a forward pass on this workspace first");
        }
        return ws.steps();
    }

    private void checkBackward(float[] params, float[] dOut, float[] dStateT, StackWorkspace ws, float[] grads, float[] dState0) {
        int steps = ws.steps(), batch = ws.rows();
        if (dOut == null && dStateT == null) {
            throw new IllegalArgumentException("dOut and dStateT must not both be null: there would be no upstream gradient");
        }
        Checks.atLeastOrNull("dOut", dOut, (long) steps * batch * shape.outputSize(), "steps*rows*outputSize");
        Checks.atLeastOrNull("dStateT", dStateT, shape.stateLength(batch), "the stack's stateLength(rows)");
        Checks.atLeast("grads", grads, parameterSize, "the stack's parameterSize()");
        Checks.atLeastOrNull("dState0", dState0, shape.stateLength(batch), "the stack's stateLength(rows)");
    }

    private void checkWorkspace(StackWorkspace ws) {
        Checks.notNull("ws", ws);
        if (!ws.shape().equals(shape) || ws.implementation() != implementation) {
            throw new IllegalArgumentException("ws must be a workspace of a " + implementation + " stack for " + shape
                    + ", was one of a " + ws.implementation() + " stack for " + ws.shape());
        }
    }
}
