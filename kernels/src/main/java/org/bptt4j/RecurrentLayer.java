package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * One recurrent layer (any {@link Cell}): forward over a sequence and backpropagation through time,
 * on flat {@code float[]} arrays. The public methods check every argument and throw
 * {@link IllegalArgumentException} (naming the argument, the expected and the actual value) before
 * anything is written; implementations (the scalar {@link org.bptt4j.reference reference}, the
 * SIMD kernels; see {@link Implementation}) supply the computation.
 *
 * <p>Layouts (see {@link ParameterLayout}): sequences are time-major, element {@code (t, b, i)} of
 * {@code x} at {@code (t*B + b)*I + i}, of {@code dh} and {@code dx} likewise with H and I. A
 * <em>state</em> (initial, final, or their gradients) is S = {@code cell.states()} blocks of B x H,
 * one after the other: {@code h}, then {@code c} for the LSTM ({@link LayerShape#stateLength()}
 * floats). Passing the final state of one call as the initial state of the next carries a
 * sequence across chunks (truncated BPTT).
 *
 * <p>Typical use, T steps at a time:
 * <pre>{@code
 * layer.forward(params, x, T, state, ws, state);       // h_1..h_T in ws.states(); state: h_0 in, h_T out
 * layer.backwardEveryStep(params, x, dh, ws, grads, dx, dState0);   // grads += dL/dparams
 * }</pre>
 *
 * <p>Instances are immutable and may be shared between threads; a {@link Workspace} may not.
 */
public abstract class RecurrentLayer {
    private final LayerShape shape;
    private final ParameterLayout layout;

    /**
     * For implementations: a layer of the given shape, whose {@link ParameterLayout} is made here, once.
     *
     * @param shape the shape every call's arrays and workspace must have
     * @throws IllegalArgumentException if shape is null
     */
    protected RecurrentLayer(LayerShape shape) {
        this.shape = Checks.notNull("shape", shape);
        this.layout = shape.parameterLayout();
    }

    /**
     * The shape of this layer: every call's arrays and workspace must have it.
     *
     * @return the shape this layer computes
     */
    public final LayerShape shape() {
        return shape;
    }

    /**
     * Where each weight and bias lies in the parameter array, and its gradient in the gradient array.
     *
     * @return the layout of the parameter and gradient arrays, made once for this layer
     */
    public final ParameterLayout layout() {
        return layout;
    }

    /**
     * A new workspace for the forward and backward calls of this layer; one thread uses it at a time.
     *
     * @return a new workspace for this layer: every buffer its passes need, allocated now
     */
    public final Workspace newWorkspace() {
        return createWorkspace();
    }

    /**
     * For implementations: the workspace that {@link #newWorkspace()} returns.
     *
     * @return a new workspace of this implementation for {@link #shape()}, every row as long as the others
     */
    protected final Workspace createWorkspace() {
        return createWorkspace(false, null, 0, 0);
    }

    /**
     * Whether this implementation can use a workspace; the public methods reject one it cannot.
     *
     * @param ws a workspace of this layer's shape (checked by the caller)
     * @return whether {@code ws} (of this layer's shape) was made by this implementation
     */
    protected abstract boolean accepts(Workspace ws);

    /**
     * Runs {@code steps} time steps of the cell from the initial state. Saves {@code h_0 .. h_T} in
     * {@code ws.states()}, where they stay readable until the next forward.
     *
     * @param params parameters in {@link ParameterLayout}, exactly {@code layout().size()} floats
     * @param x      input, steps x B x I; a longer array is accepted and only its first steps*B*I floats read
     * @param steps  T, from 1 to {@code shape.maxSteps()}
     * @param state0 initial state, {@link LayerShape#stateLength()} floats ({@code h_0}, then {@code c_0} for the LSTM); null means zeros
     * @param ws     a workspace of this layer
     * @param stateT receives the final state ({@code h_T}, then {@code c_T}); may be null, and may be {@code state0} itself
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public final void forward(float[] params, float[] x, int steps, float[] state0, Workspace ws, float[] stateT) {
        checkExactParams(params);
        forward(params, 0, x, steps, state0, ws, stateT);
    }

    /**
     * {@link #forward(float[], float[], int, float[], Workspace, float[])} on parameters that start
     * at {@code offset} of a larger array (a model's, whose other parts belong to other layers).
     *
     * @param params parameters in {@link ParameterLayout}, this layer's from {@code offset}
     * @param offset where this layer's parameters start in {@code params}; {@code layout().size()} floats from there
     * @param x      input, steps x B x I; a longer array is accepted and only its first steps*B*I floats read
     * @param steps  T, from 1 to {@code shape.maxSteps()}
     * @param state0 initial state, {@link LayerShape#stateLength()} floats; null means zeros
     * @param ws     a workspace of this layer
     * @param stateT receives the final state; may be null, and may be {@code state0} itself
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public final void forward(float[] params, int offset, float[] x, int steps, float[] state0, Workspace ws, float[] stateT) {
        checkParams("params", params, offset);
        checkSteps(steps);
        Checks.atLeast("x", x, (long) shape.inputLength(steps), "steps*batch*inputSize");
        forwardChecked(params, offset, x, null, steps, state0, ws, stateT);
    }

    /**
     * Forward over token ids instead of dense rows: row {@code (t, b)} of the input is the one-hot
     * vector of {@code tokens[t*B + b]}, so its projection is row {@code tokens[t*B + b]} of
     * {@code W_x}, read rather than multiplied. Same results as the one-hot dense input.
     *
     * @param params parameters in {@link ParameterLayout}, this layer's from {@code offset}
     * @param offset where this layer's parameters start in {@code params}; {@code layout().size()} floats from there
     * @param tokens steps x B ids, each in [0, I); a longer array is accepted
     * @param steps  T, from 1 to {@code shape.maxSteps()}
     * @param state0 initial state, {@link LayerShape#stateLength()} floats; null means zeros
     * @param ws     a workspace of this layer
     * @param stateT receives the final state; may be null, and may be {@code state0} itself
     * @throws IllegalArgumentException for a bad argument, including an id out of range; nothing is written then
     */
    public final void forwardTokens(float[] params, int offset, int[] tokens, int steps, float[] state0, Workspace ws, float[] stateT) {
        checkParams("params", params, offset);
        checkSteps(steps);
        checkTokens(tokens, steps);
        forwardChecked(params, offset, null, tokens, steps, state0, ws, stateT);
    }

    private void forwardChecked(float[] params, int offset, float[] x, int[] tokens, int steps, float[] state0, Workspace ws, float[] stateT) {
        Checks.lengthOrNull("state0", state0, shape.stateLength(), "states*batch*hiddenSize");
        checkWorkspace(ws);
        Checks.lengthOrNull("stateT", stateT, shape.stateLength(), "states*batch*hiddenSize");
        ws.setSteps(0);
        ws.stepRows().setFull(steps);
        computeForward(params, offset, x, 0, shape.inputSize(), tokens, state0, ws);
        ws.forwardParams = params;
        ws.forwardOffset = offset;
        ws.forwardInput = x != null ? x : tokens;
        ws.setSteps(steps);
        if (stateT != null) {
            copyFinalState(ws, stateT);
        }
    }

    /**
     * Backpropagation through time for a loss taken at every step. Uses the T and the saved values
     * of the last forward on {@code ws}; {@code params} and {@code x} must be the arrays that forward used.
     *
     * @param params  parameters, as given to forward
     * @param x       input, as given to forward
     * @param dh      upstream gradient {@code dL_t/dh_t} for every step, T x B x H (a longer array is accepted)
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array in {@link ParameterLayout}; gradients are <b>added</b> to it
     * @param dx      receives {@code dL/dx}, T x B x I (a longer array is accepted; the rest is untouched); may be null
     * @param dState0 receives the gradient of the initial state ({@code dh_0}, then {@code dc_0}); may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardEveryStep(float[] params, float[] x, float[] dh, Workspace ws, float[] grads, float[] dx, float[] dState0) {
        checkExactParams(params);
        checkExactGrads(grads);
        backwardEveryStep(params, 0, x, dh, ws, grads, dx, dState0);
    }

    /**
     * Backpropagation through time for a loss on the final state only (a classifier): the upstream
     * gradient is that of the final state, and zero at every other step (never materialised).
     * Otherwise as {@link #backwardEveryStep}.
     *
     * @param params  parameters, as given to forward
     * @param x       input, as given to forward
     * @param dStateT upstream gradient of the final state, {@link LayerShape#stateLength()} floats
     *                ({@code dL/dh_T}, then {@code dL/dc_T} for the LSTM)
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array in {@link ParameterLayout}; gradients are <b>added</b> to it
     * @param dx      receives {@code dL/dx}, T x B x I (a longer array is accepted; the rest is untouched); may be null
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardLastStep(float[] params, float[] x, float[] dStateT, Workspace ws, float[] grads, float[] dx, float[] dState0) {
        checkExactParams(params);
        checkExactGrads(grads);
        backwardLastStep(params, 0, x, dStateT, ws, grads, dx, dState0);
    }

    /**
     * Backpropagation through time, in general: upstream gradients at every step ({@code dh}),
     * of the final state ({@code dStateT}), or both (they add up at step T); parameters and
     * gradients from {@code offset} of larger arrays of one layout.
     *
     * @param params  parameters, as given to forward
     * @param offset  where this layer's parameters start in {@code params}, and its gradients in {@code grads}
     * @param x       input, as given to forward
     * @param dh      T x B x H upstream gradients of every step, or null for none
     * @param dStateT the gradient of the final state ({@link LayerShape#stateLength()} floats), or null for none
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array of the layout of {@code params}; this layer's gradients are <b>added</b> from {@code offset}
     * @param dx      receives {@code dL/dx}, T x B x I (a longer array is accepted; the rest is untouched); may be null
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument (including both dh and dStateT null); nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backward(float[] params, int offset, float[] x, float[] dh, float[] dStateT, Workspace ws,
                               float[] grads, float[] dx, float[] dState0) {
        backwardChecked(params, offset, x, null, dh, dStateT, ws, grads, dx, dState0);
    }

    /**
     * {@link #backwardEveryStep} on parameters and gradients from {@code offset} of larger arrays of one layout.
     *
     * @param params  parameters, as given to forward
     * @param offset  where this layer's parameters start in {@code params}, and its gradients in {@code grads}
     * @param x       input, as given to forward
     * @param dh      upstream gradient {@code dL_t/dh_t} for every step, T x B x H (a longer array is accepted)
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array of the layout of {@code params}; this layer's gradients are <b>added</b> from {@code offset}
     * @param dx      receives {@code dL/dx}, T x B x I (a longer array is accepted; the rest is untouched); may be null
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardEveryStep(float[] params, int offset, float[] x, float[] dh, Workspace ws, float[] grads,
                                        float[] dx, float[] dState0) {
        backwardChecked(params, offset, x, null, Checks.notNull("dh", dh), null, ws, grads, dx, dState0);
    }

    /**
     * {@link #backwardLastStep} on parameters and gradients from {@code offset} of larger arrays of one layout.
     *
     * @param params  parameters, as given to forward
     * @param offset  where this layer's parameters start in {@code params}, and its gradients in {@code grads}
     * @param x       input, as given to forward
     * @param dStateT upstream gradient of the final state, {@link LayerShape#stateLength()} floats
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array of the layout of {@code params}; this layer's gradients are <b>added</b> from {@code offset}
     * @param dx      receives {@code dL/dx}, T x B x I (a longer array is accepted; the rest is untouched); may be null
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardLastStep(float[] params, int offset, float[] x, float[] dStateT, Workspace ws, float[] grads,
                                       float[] dx, float[] dState0) {
        backwardChecked(params, offset, x, null, null, Checks.notNull("dStateT", dStateT), ws, grads, dx, dState0);
    }

    /**
     * Backward after {@link #forwardTokens}: {@code dW_x} gets each step's gradient added to the rows
     * of its tokens; there is no {@code dx}. Upstream gradients as in {@link #backward}.
     *
     * @param params  parameters, as given to forward
     * @param offset  where this layer's parameters start in {@code params}, and its gradients in {@code grads}
     * @param tokens  the token ids given to forward
     * @param dh      T x B x H upstream gradients of every step, or null for none
     * @param dStateT the gradient of the final state ({@link LayerShape#stateLength()} floats), or null for none
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array of the layout of {@code params}; this layer's gradients are <b>added</b> from {@code offset}
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardTokens(float[] params, int offset, int[] tokens, float[] dh, float[] dStateT, Workspace ws,
                                     float[] grads, float[] dState0) {
        backwardChecked(params, offset, null, tokens, dh, dStateT, ws, grads, null, dState0);
    }

    /**
     * {@link #backwardTokens} with a loss at every step.
     *
     * @param params  parameters, as given to forward
     * @param offset  where this layer's parameters start in {@code params}, and its gradients in {@code grads}
     * @param tokens  the token ids given to forward
     * @param dh      upstream gradient {@code dL_t/dh_t} for every step, T x B x H (a longer array is accepted)
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array of the layout of {@code params}; this layer's gradients are <b>added</b> from {@code offset}
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardTokensEveryStep(float[] params, int offset, int[] tokens, float[] dh, Workspace ws,
                                              float[] grads, float[] dState0) {
        backwardChecked(params, offset, null, tokens, Checks.notNull("dh", dh), null, ws, grads, null, dState0);
    }

    /**
     * {@link #backwardTokens} with a loss on the final state only.
     *
     * @param params  parameters, as given to forward
     * @param offset  where this layer's parameters start in {@code params}, and its gradients in {@code grads}
     * @param tokens  the token ids given to forward
     * @param dStateT upstream gradient of the final state, {@link LayerShape#stateLength()} floats
     * @param ws      the workspace of the forward pass
     * @param grads   gradient array of the layout of {@code params}; this layer's gradients are <b>added</b> from {@code offset}
     * @param dState0 receives the gradient of the initial state; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardTokensLastStep(float[] params, int offset, int[] tokens, float[] dStateT, Workspace ws,
                                             float[] grads, float[] dState0) {
        backwardChecked(params, offset, null, tokens, null, Checks.notNull("dStateT", dStateT), ws, grads, null, dState0);
    }

    /**
     * The forward pass on checked arguments: the initial state (from {@code state0}, or zeros), then
     * every step that {@code ws.stepRows()} lists (set by the caller), into the workspace. The
     * parameters start at {@code offset}; the input is {@code x} (dense, packed row r of width I at
     * {@code xOffset + r*ldx}) or, when x is null, {@code tokens} (packed row r's id at {@code tokens[r]}).
     *
     * @param params  parameters in {@link ParameterLayout}, this layer's from {@code offset}
     * @param offset  where this layer's parameters start in {@code params}
     * @param x       the dense input, packed rows of I floats; null for token input
     * @param xOffset where packed row 0 of {@code x} starts
     * @param ldx     the distance between packed rows of {@code x}, at least I
     * @param tokens  the packed token ids, read only when {@code x} is null
     * @param state0  the initial state, {@link LayerShape#stateLength()} floats ({@code h_0}, then {@code c_0}); null means zeros
     * @param ws      a workspace this implementation accepts; receives what backward reads
     */
    protected abstract void computeForward(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens,
                                           float[] state0, Workspace ws);

    /**
     * Copies the final state of the forward pass on {@code ws} into {@code stateT}: each row's
     * state at the step where its recurrence ends ({@link StepRows#finalStep(int)}: its own last
     * step, or step 1 in a reversed pass), h then c, B x H each.
     *
     * @param ws     the workspace of the forward pass
     * @param stateT receives the final state, {@link LayerShape#stateLength()} floats
     */
    protected abstract void copyFinalState(Workspace ws, float[] stateT);

    /**
     * The backward pass on checked arguments, over the steps and rows of {@code ws.stepRows()}:
     * {@code dh} (packed row r of width H at {@code dhOffset + r*lddh}) and {@code dStateT} (each
     * row's final state, at {@link StepRows#finalStep(int)}) are the upstream gradients, either of
     * them null for none. Adds to {@code grads} (at {@code offset}, as the parameters); writes
     * {@code dx} (packed rows, like x; adds to it with {@code addDx}) and {@code dState0} when they
     * are not null. The input is as in forward.
     *
     * @param params   parameters, as given to forward
     * @param offset   where this layer's parameters start in {@code params}, and its gradients in {@code grads}
     * @param x        the dense input as given to forward; null for token input
     * @param xOffset  where packed row 0 of {@code x} starts
     * @param ldx      the distance between packed rows of {@code x}, at least I
     * @param tokens   the packed token ids as given to forward, read only when {@code x} is null
     * @param dh       upstream gradients of every step, packed rows of H floats; null for none
     * @param dhOffset where packed row 0 of {@code dh} starts
     * @param lddh     the distance between packed rows of {@code dh}, at least H
     * @param dStateT  upstream gradient of the final state, {@link LayerShape#stateLength()} floats; null for none
     * @param ws       the workspace of the forward pass
     * @param grads    gradient array of the layout of {@code params}; gradients are added from {@code offset}
     * @param dx       receives {@code dL/dx}, packed rows of I floats; may be null
     * @param dxOffset where packed row 0 of {@code dx} starts
     * @param lddx     the distance between packed rows of {@code dx}, at least I
     * @param addDx    whether {@code dL/dx} is added to {@code dx} (a reverse direction adds its share to the forward one's) rather than written
     * @param dState0  receives the gradient of the initial state, {@link LayerShape#stateLength()} floats; may be null
     */
    protected abstract void computeBackward(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens,
                                            float[] dh, int dhOffset, int lddh, float[] dStateT, Workspace ws,
                                            float[] grads, float[] dx, int dxOffset, int lddx, boolean addDx, float[] dState0);

    /**
     * For implementations: a new workspace, for one layer or for a layer of a {@link RecurrentStack}.
     * Its hidden states are its own buffer ({@code states} null), rows of H floats one after the
     * other, or rows of another array, which a bidirectional stack shares between the two
     * directions so that its layer's outputs are written where the next layer reads them: state
     * row r ({@link StepRows#stateRow(int)} + b) at {@code statesOffset + r*ldStates}.
     *
     * @param variableLengths whether the rows of a pass may have different lengths (a stack's packed rows)
     * @param states          the array of the hidden states, or null for a buffer of the workspace's own
     * @param statesOffset    where state row 0 starts in {@code states}
     * @param ldStates        the distance between state rows in {@code states}, at least H
     * @return a new workspace of this implementation for {@link #shape()}, able to hold rows of different lengths when asked
     */
    protected abstract Workspace createWorkspace(boolean variableLengths, float[] states, int statesOffset, int ldStates);

    /** A workspace for {@link RecurrentStack}: rows of different lengths, the hidden states in {@code states} unless null (as {@link #createWorkspace(boolean, float[], int, int)}). */
    final Workspace newPackedWorkspace(float[] states, int statesOffset, int ldStates) {
        return createWorkspace(true, states, statesOffset, ldStates);
    }

    /** Forward on packed rows (dense x, or tokens when x is null) whose steps the caller has set in {@code ws.stepRows()}; arguments checked by the caller. */
    final void forwardPacked(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens, float[] state0, Workspace ws) {
        ws.setSteps(0);
        computeForward(params, offset, x, xOffset, ldx, tokens, state0, ws);
        ws.setSteps(ws.stepRows().steps());
    }

    /** Every check of the backward methods, then the computation. The input is x (dense) or, when x is null, tokens. */
    private void backwardChecked(float[] params, int offset, float[] x, int[] tokens, float[] dh, float[] dStateT,
                                 Workspace ws, float[] grads, float[] dx, float[] dState0) {
        checkParams("params", params, offset);
        checkWorkspace(ws);
        int steps = ws.steps();
        if (steps == 0) {
            throw new IllegalStateException("backward needs a forward pass on this workspace first");
        }
        // Backward reads what forward saved: given other arrays it would compute wrong gradients, silently.
        if (params != ws.forwardParams || offset != ws.forwardOffset) {
            throw new IllegalArgumentException("params (and offset) must be the array the last forward on ws used");
        }
        if ((tokens == null ? x : tokens) != ws.forwardInput) {
            throw new IllegalArgumentException((tokens == null ? "x" : "tokens") + " must be the array the last forward on ws read");
        }
        Checks.distinct(params, grads);
        if (tokens == null) {
            Checks.atLeast("x", x, (long) shape.inputLength(steps), "steps*batch*inputSize");
        } else {
            checkTokens(tokens, steps);
        }
        if (dh == null && dStateT == null) {
            throw new IllegalArgumentException("dh and dStateT must not both be null: there would be no upstream gradient");
        }
        Checks.atLeastOrNull("dh", dh, (long) shape.hiddenSequenceLength(steps), "steps*batch*hiddenSize");
        Checks.lengthOrNull("dStateT", dStateT, shape.stateLength(), "states*batch*hiddenSize");
        checkParams("grads", grads, offset);
        Checks.atLeastOrNull("dx", dx, (long) shape.inputLength(steps), "steps*batch*inputSize");
        Checks.lengthOrNull("dState0", dState0, shape.stateLength(), "states*batch*hiddenSize");
        int in = shape.inputSize(), hid = shape.hiddenSize();
        computeBackward(params, offset, x, 0, in, tokens, dh, 0, hid, dStateT, ws, grads, dx, 0, in, false, dState0);
    }

    private void checkExactParams(float[] params) {
        Checks.length("params", params, layout.size(), "the parameter layout's size");
    }

    private void checkExactGrads(float[] grads) {
        Checks.length("grads", grads, layout.size(), "the parameter layout's size");
    }

    private void checkParams(String name, float[] array, int offset) {
        Checks.notNull(name, array);
        if (offset < 0 || (long) offset + layout.size() > array.length) {
            throw new IllegalArgumentException(name + " must hold the parameter layout's " + layout.size()
                    + " floats from offset " + offset + ", but its length is " + array.length);
        }
    }

    private void checkTokens(int[] tokens, int steps) {
        Checks.notNull("tokens", tokens);
        int n = steps * shape.batch();
        if (tokens.length < n) {
            throw new IllegalArgumentException("tokens.length must be at least " + n + " (steps*batch), was " + tokens.length);
        }
        for (int r = 0; r < n; r++) {
            if (tokens[r] < 0 || tokens[r] >= shape.inputSize()) {
                throw new IllegalArgumentException("tokens[" + r + "] must be in [0, " + shape.inputSize() + ") (inputSize), was " + tokens[r]);
            }
        }
    }

    private void checkSteps(int steps) {
        if (steps < 1 || steps > shape.maxSteps()) {
            throw new IllegalArgumentException("steps must be in [1, " + shape.maxSteps() + "] (the workspace's maxSteps), was " + steps);
        }
    }

    private void checkWorkspace(Workspace ws) {
        Checks.notNull("ws", ws);
        if (!ws.shape().equals(shape)) {
            throw new IllegalArgumentException("ws must be a workspace for " + shape + ", was one for " + ws.shape());
        }
        if (!accepts(ws)) {
            throw new IllegalArgumentException("ws must come from this layer's newWorkspace() (" + getClass().getSimpleName()
                    + "), was a " + ws.getClass().getSimpleName());
        }
    }
}
