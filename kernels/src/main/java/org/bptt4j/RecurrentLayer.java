package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * One recurrent layer: forward over a sequence and backpropagation through time, on flat
 * {@code float[]} arrays. The public methods check every argument and throw
 * {@link IllegalArgumentException} (naming the argument, the expected and the actual value) before
 * anything is written; implementations (the scalar {@link org.bptt4j.reference reference}, the
 * SIMD kernels) supply the computation.
 *
 * <p>Layouts (see {@link ParameterLayout} and {@link Workspace}): sequences are time-major, element
 * {@code (t, b, i)} of {@code x} at {@code (t*B + b)*I + i}, of {@code dh} and {@code dx} likewise
 * with H and I; states {@code h_0}, {@code h_T}, {@code dh_0} are B x H row-major.
 *
 * <p>Typical use, T steps at a time (truncated BPTT carries {@code hT} into the next chunk's {@code h0}):
 * <pre>{@code
 * layer.forward(params, x, T, h0, ws, hT);            // h_1..h_T in ws.states()
 * layer.backwardEveryStep(params, x, dh, ws, grads, dx, dh0);   // grads += dL/dparams
 * }</pre>
 *
 * <p>Instances are immutable and may be shared between threads; a {@link Workspace} may not.
 */
public abstract class RecurrentLayer {
    private final LayerShape shape;
    private final ParameterLayout layout;

    /**
     * @param shape the shape every call's arrays and workspace must have
     * @param cell  the one cell this implementation computes
     * @throws IllegalArgumentException if shape is null or of another cell
     */
    protected RecurrentLayer(LayerShape shape, Cell cell) {
        this.shape = Checks.notNull("shape", shape);
        if (shape.cell() != cell) {
            throw new IllegalArgumentException("shape.cell must be " + cell + " for " + getClass().getSimpleName() + ", was " + shape.cell());
        }
        this.layout = shape.parameterLayout();
    }

    /** @return the shape this layer computes */
    public final LayerShape shape() {
        return shape;
    }

    /** @return the layout of the parameter and gradient arrays, made once for this layer */
    public final ParameterLayout layout() {
        return layout;
    }

    /** @return a new workspace for this layer's shape */
    public final Workspace newWorkspace() {
        return new Workspace(shape);
    }

    /**
     * Runs {@code steps} time steps: {@code h_t = f(x_t W_x + h_{t-1} W_h + b)}. Saves
     * {@code h_0 .. h_T} in {@code ws.states()}, where they stay readable until the next forward.
     *
     * @param params parameters in {@link ParameterLayout}, exactly {@code layout().size()} floats
     * @param x      input, steps x B x I; a longer array is accepted and only its first steps*B*I floats read
     * @param steps  T, from 1 to {@code shape.maxSteps()}
     * @param h0     initial state, B x H; null means zeros
     * @param ws     a workspace of this layer's shape
     * @param hT     receives {@code h_T}, B x H; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public final void forward(float[] params, float[] x, int steps, float[] h0, Workspace ws, float[] hT) {
        checkExactParams(params);
        forward(params, 0, x, steps, h0, ws, hT);
    }

    /**
     * {@link #forward(float[], float[], int, float[], Workspace, float[])} on parameters that start
     * at {@code offset} of a larger array (a model's, whose other parts belong to other layers).
     *
     * @param offset where this layer's parameters start in {@code params}; {@code layout().size()} floats from there
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public final void forward(float[] params, int offset, float[] x, int steps, float[] h0, Workspace ws, float[] hT) {
        checkParams("params", params, offset);
        checkSteps(steps);
        Checks.atLeast("x", x, (long) shape.inputLength(steps), "steps*batch*inputSize");
        forwardChecked(params, offset, x, null, steps, h0, ws, hT);
    }

    /**
     * Forward over token ids instead of dense rows: row {@code (t, b)} of the input is the one-hot
     * vector of {@code tokens[t*B + b]}, so its projection is row {@code tokens[t*B + b]} of
     * {@code W_x}, read rather than multiplied. Same results as the one-hot dense input.
     *
     * @param tokens steps x B ids, each in [0, I); a longer array is accepted
     * @throws IllegalArgumentException for a bad argument, including an id out of range; nothing is written then
     */
    public final void forwardTokens(float[] params, int offset, int[] tokens, int steps, float[] h0, Workspace ws, float[] hT) {
        checkParams("params", params, offset);
        checkSteps(steps);
        checkTokens(tokens, steps);
        forwardChecked(params, offset, null, tokens, steps, h0, ws, hT);
    }

    private void forwardChecked(float[] params, int offset, float[] x, int[] tokens, int steps, float[] h0, Workspace ws, float[] hT) {
        Checks.lengthOrNull("h0", h0, shape.stateLength(), "batch*hiddenSize");
        checkWorkspace(ws);
        Checks.lengthOrNull("hT", hT, shape.stateLength(), "batch*hiddenSize");
        ws.setSteps(0);
        computeForward(params, offset, x, tokens, steps, h0, ws);
        ws.setSteps(steps);
        if (hT != null) {
            System.arraycopy(ws.states(), ws.stateOffset(steps), hT, 0, shape.stateLength());
        }
    }

    /**
     * Backpropagation through time for a loss taken at every step. Uses the T and the states of
     * the last forward on {@code ws}; {@code params} and {@code x} must be the arrays that forward used.
     *
     * @param params parameters, as given to forward
     * @param x      input, as given to forward
     * @param dh     upstream gradient {@code dL_t/dh_t} for every step, T x B x H (a longer array is accepted)
     * @param ws     the workspace of the forward pass
     * @param grads  gradient array in {@link ParameterLayout}; gradients are <b>added</b> to it
     * @param dx     receives {@code dL/dx}, T x B x I (a longer array is accepted; the rest is untouched); may be null
     * @param dh0    receives {@code dL/dh_0}, B x H; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardEveryStep(float[] params, float[] x, float[] dh, Workspace ws, float[] grads, float[] dx, float[] dh0) {
        checkExactParams(params);
        checkExactGrads(grads);
        backwardEveryStep(params, 0, x, dh, ws, grads, dx, dh0);
    }

    /**
     * {@link #backwardEveryStep(float[], float[], float[], Workspace, float[], float[], float[])} on
     * parameters and gradients that start at {@code offset} of larger arrays of one layout.
     *
     * @param offset where this layer's parameters, and its gradients in {@code grads}, start
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardEveryStep(float[] params, int offset, float[] x, float[] dh, Workspace ws, float[] grads,
                                        float[] dx, float[] dh0) {
        backwardChecked(params, offset, x, null, dh, true, ws, grads, dx, dh0);
    }

    /**
     * Backpropagation through time for a loss taken at the last step only: the upstream gradient
     * is {@code dL/dh_T}, and zero at every other step (never materialised). Otherwise as
     * {@link #backwardEveryStep}.
     *
     * @param dhLast upstream gradient {@code dL/dh_T}, B x H
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardLastStep(float[] params, float[] x, float[] dhLast, Workspace ws, float[] grads, float[] dx, float[] dh0) {
        checkExactParams(params);
        checkExactGrads(grads);
        backwardLastStep(params, 0, x, dhLast, ws, grads, dx, dh0);
    }

    /**
     * {@link #backwardLastStep(float[], float[], float[], Workspace, float[], float[], float[])} on
     * parameters and gradients that start at {@code offset} of larger arrays of one layout.
     *
     * @param offset where this layer's parameters, and its gradients in {@code grads}, start
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardLastStep(float[] params, int offset, float[] x, float[] dhLast, Workspace ws, float[] grads,
                                       float[] dx, float[] dh0) {
        backwardChecked(params, offset, x, null, dhLast, false, ws, grads, dx, dh0);
    }

    /**
     * Backward after {@link #forwardTokens}, loss at every step: {@code dW_x} gets each step's
     * {@code dz} added to the rows of its tokens; there is no {@code dx}.
     *
     * @param params parameters from {@code offset}, as given to forward
     * @param tokens the token ids given to forward
     * @param dh     upstream gradient for every step, T x B x H (a longer array is accepted)
     * @param ws     the workspace of the forward pass
     * @param grads  gradients of the params' layout; added to from {@code offset}
     * @param dh0    receives {@code dL/dh_0}, B x H; may be null
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardTokensEveryStep(float[] params, int offset, int[] tokens, float[] dh, Workspace ws,
                                              float[] grads, float[] dh0) {
        backwardChecked(params, offset, null, tokens, dh, true, ws, grads, null, dh0);
    }

    /**
     * Backward after {@link #forwardTokens}, loss at the last step only; otherwise as
     * {@link #backwardTokensEveryStep}.
     *
     * @param dhLast upstream gradient {@code dL/dh_T}, B x H
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code ws}
     */
    public final void backwardTokensLastStep(float[] params, int offset, int[] tokens, float[] dhLast, Workspace ws,
                                             float[] grads, float[] dh0) {
        backwardChecked(params, offset, null, tokens, dhLast, false, ws, grads, null, dh0);
    }

    /**
     * The forward pass on checked arguments: writes {@code h_0} (from {@code h0}, or zeros) and
     * {@code h_1 .. h_T} into {@code ws.states()}. The parameters start at {@code offset}; the
     * input is {@code x} (dense) or, when x is null, {@code tokens}.
     */
    protected abstract void computeForward(float[] params, int offset, float[] x, int[] tokens, int steps, float[] h0,
                                           Workspace ws);

    /**
     * The backward pass on checked arguments, for {@code T = ws.steps()}. {@code dh} is T x B x H
     * when {@code everyStep}, else the B x H gradient of the last step. Adds to {@code grads} (at
     * {@code offset}, as the parameters); writes {@code dx} and {@code dh0} when they are not null.
     * The input is {@code x} or, when x is null, {@code tokens}.
     */
    protected abstract void computeBackward(float[] params, int offset, float[] x, int[] tokens, float[] dh,
                                            boolean everyStep, Workspace ws, float[] grads, float[] dx, float[] dh0);

    /** Every check of the backward methods, then the computation. The input is x (dense) or, when x is null, tokens. */
    private void backwardChecked(float[] params, int offset, float[] x, int[] tokens, float[] dh, boolean everyStep,
                                 Workspace ws, float[] grads, float[] dx, float[] dh0) {
        checkParams("params", params, offset);
        checkWorkspace(ws);
        int steps = ws.steps();
        if (steps == 0) {
            throw new IllegalStateException("backward needs a forward pass on this workspace first");
        }
        if (tokens == null) {
            Checks.atLeast("x", x, (long) shape.inputLength(steps), "steps*batch*inputSize");
        } else {
            checkTokens(tokens, steps);
        }
        if (everyStep) {
            Checks.atLeast("dh", dh, (long) shape.hiddenSequenceLength(steps), "steps*batch*hiddenSize");
        } else {
            Checks.length("dhLast", dh, shape.stateLength(), "batch*hiddenSize");
        }
        checkParams("grads", grads, offset);
        Checks.atLeastOrNull("dx", dx, (long) shape.inputLength(steps), "steps*batch*inputSize");
        Checks.lengthOrNull("dh0", dh0, shape.stateLength(), "batch*hiddenSize");
        computeBackward(params, offset, x, tokens, dh, everyStep, ws, grads, dx, dh0);
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
    }
}
