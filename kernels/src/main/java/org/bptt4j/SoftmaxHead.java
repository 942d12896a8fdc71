package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * An output head fused with its loss: {@code logits = h W_y + b_y} (H -> V), then softmax
 * cross-entropy against target ids, taken at every step (targets T x B) or at the last step only
 * (targets B). It reads the hidden states from the layer's {@link Workspace}, returns the summed
 * loss, adds its parameter gradients and writes the upstream gradient {@code dL/dh} straight in the
 * form {@link RecurrentLayer}'s backward takes (T x B x H, or B x H).
 *
 * <p>Parameters, at an offset of a larger array (a model's): {@code W_y} (H x V, row-major, element
 * (k, v) at {@code k*V + v}) then {@code b_y} (V); {@link #size()} = {@code (H+1)*V}. PyTorch's
 * {@code nn.Linear(H, V).weight} is {@code W_y} transposed. The softmax subtracts each row's maximum
 * first, so large logits do not overflow.
 *
 * <p>The public methods check every argument before anything is written; implementations (scalar
 * reference, SIMD) supply the computation.
 */
public abstract class SoftmaxHead {
    private final LayerShape layer;
    private final int outputs;

    /**
     * For implementations: a head of {@code outputs} classes over the hidden states of {@code layer}.
     *
     * @param layer   the shape of the layer whose states the head reads (H, B, maxSteps)
     * @param outputs V, the number of classes
     * @throws IllegalArgumentException if layer is null or outputs below 1
     */
    protected SoftmaxHead(LayerShape layer, int outputs) {
        this.layer = Checks.notNull("layer", layer);
        this.outputs = Checks.positive("outputs", outputs);
        Checks.arraySize("the head's parameters", (long) layer.hiddenSize() + 1, outputs);
    }

    /**
     * The shape of the layer whose hidden states this head reads: its H, B and maxSteps matter.
     *
     * @return the layer shape whose states this head reads
     */
    public final LayerShape layer() {
        return layer;
    }

    /**
     * The number of classes.
     *
     * @return V
     */
    public final int outputs() {
        return outputs;
    }

    /**
     * The floats of this head's parameters ({@code W_y}, then {@code b_y}) and of their gradients.
     *
     * @return the number of parameters, {@code (H+1)*V}
     */
    public final int size() {
        return (layer.hiddenSize() + 1) * outputs;
    }

    /**
     * Where the bias starts, after {@code W_y}.
     *
     * @return the offset of {@code b_y} from the head's start, {@code H*V}
     */
    public final int biasOffset() {
        return layer.hiddenSize() * outputs;
    }

    /**
     * A new workspace for the calls of this head; one thread uses it at a time.
     *
     * @return a new workspace for this head
     */
    public final HeadWorkspace newWorkspace() {
        return createWorkspace();
    }

    /**
     * For implementations: the workspace that {@link #newWorkspace()} returns.
     *
     * @return a new workspace of this implementation; the plain {@link HeadWorkspace} unless overridden
     */
    protected HeadWorkspace createWorkspace() {
        return new HeadWorkspace(layer, outputs);
    }

    /**
     * Whether this implementation can use a head workspace; the public methods reject one it cannot.
     *
     * @param hws a head workspace of this head's shape (checked by the caller)
     * @return whether {@code hws} (of this head's shape) suits this implementation; any unless overridden
     */
    protected boolean accepts(HeadWorkspace hws) {
        return true;
    }

    /**
     * Loss at every step over {@code h_1 .. h_T} of the last forward pass on {@code states}.
     *
     * @param params  parameters, the head's from {@code offset}
     * @param offset  where the head's {@link #size()} parameters start in {@code params}, and its gradients in {@code grads}
     * @param states  the layer's workspace after forward
     * @param targets T x B target ids in [0, V) (a longer array is accepted)
     * @param hws     this head's workspace
     * @param grads   gradient array of the params' layout; the head's gradients are added at {@code offset}
     * @param dh      receives {@code dL/dh_t}, T x B x H (a longer array is accepted; the rest is untouched)
     * @return the sum of the T*B cross-entropies (natural log)
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code states}
     */
    public final double lossEveryStep(float[] params, int offset, Workspace states, int[] targets, HeadWorkspace hws,
                                      float[] grads, float[] dh) {
        int steps = checkStates(states);
        int rows = steps * layer.batch();
        checkCommon(params, offset, hws);
        checkTargets(targets, rows);
        checkParams("grads", grads, offset);
        Checks.distinct(params, grads);
        Checks.atLeast("dh", dh, (long) rows * layer.hiddenSize(), "steps*batch*hiddenSize");
        return computeLoss(params, offset, states.states(), states.stateOffset(1), rows, targets, hws, grads, dh);
    }

    /**
     * Loss at the last step only, over {@code h_T}.
     *
     * @param params  parameters, the head's from {@code offset}
     * @param offset  where the head's {@link #size()} parameters start in {@code params}, and its gradients in {@code grads}
     * @param states  the layer's workspace after forward
     * @param targets B target ids in [0, V), exactly B of them
     * @param hws     this head's workspace
     * @param grads   gradient array of the params' layout; the head's gradients are added at {@code offset}
     * @param dhLast  receives {@code dL/dh_T} in its first B x H floats (a longer array, such as a
     *                whole state's gradient, is accepted; the rest is untouched)
     * @return the sum of the B cross-entropies
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code states}
     */
    public final double lossLastStep(float[] params, int offset, Workspace states, int[] targets, HeadWorkspace hws,
                                     float[] grads, float[] dhLast) {
        int steps = checkStates(states);
        checkCommon(params, offset, hws);
        checkLabels("targets", targets, layer.batch());
        checkParams("grads", grads, offset);
        Checks.distinct(params, grads);
        Checks.atLeast("dhLast", dhLast, layer.hiddenLength(), "batch*hiddenSize");
        return computeLoss(params, offset, states.states(), states.stateOffset(steps), layer.batch(), targets, hws, grads, dhLast);
    }

    /**
     * The softmax probabilities of {@code h_t} ({@code 1 <= t <= T} of the last forward), B x V.
     *
     * @param params parameters, the head's from {@code offset}
     * @param offset where the head's {@link #size()} parameters start in {@code params}
     * @param states the layer's workspace after forward
     * @param t      the step whose state is classified
     * @param hws    this head's workspace
     * @param out    receives the probabilities, B x V (row b at {@code b*V}), exactly B*V floats
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     * @throws IllegalStateException    if no forward pass has run on {@code states}
     */
    public final void probabilities(float[] params, int offset, Workspace states, int t, HeadWorkspace hws, float[] out) {
        int steps = checkStates(states);
        if (t < 1 || t > steps) {
            throw new IllegalArgumentException("t must be in [1, " + steps + "] (the steps of the last forward), was " + t);
        }
        checkCommon(params, offset, hws);
        Checks.length("out", out, (long) layer.batch() * outputs, "batch*outputs");
        computeProbabilities(params, offset, states.states(), states.stateOffset(t), layer.batch(), hws, out);
    }

    /**
     * On checked arguments: the loss of {@code rows} hidden rows starting at {@code states[stateOffset]},
     * their targets, the gradients added to {@code grads} at {@code offset}, dL/dh written to {@code dh}.
     * Also leaves the logits' gradients in {@code hws}.
     *
     * @param params      parameters, the head's from {@code offset}
     * @param offset      where the head's parameters start in {@code params}, and its gradients in {@code grads}
     * @param states      the hidden rows, row r of H floats at {@code stateOffset + r*H}
     * @param stateOffset where row 0 starts in {@code states}
     * @param rows        the number of rows
     * @param targets     one id in [0, V) per row, row r's at {@code targets[r]}
     * @param hws         this head's workspace
     * @param grads       gradient array of the params' layout; the head's gradients are added at {@code offset}
     * @param dh          receives dL/dh, rows x H from index 0 (row r at {@code r*H})
     * @return the sum of the rows' cross-entropies (natural log)
     */
    protected abstract double computeLoss(float[] params, int offset, float[] states, int stateOffset, int rows,
                                          int[] targets, HeadWorkspace hws, float[] grads, float[] dh);

    /**
     * On checked arguments: softmax of the logits of {@code rows} hidden rows into {@code out} (rows x V).
     *
     * @param params      parameters, the head's from {@code offset}
     * @param offset      where the head's parameters start in {@code params}
     * @param states      the hidden rows, row r of H floats at {@code stateOffset + r*H}
     * @param stateOffset where row 0 starts in {@code states}
     * @param rows        the number of rows
     * @param hws         this head's workspace
     * @param out         receives the probabilities, row r's V floats at {@code r*V}
     */
    protected abstract void computeProbabilities(float[] params, int offset, float[] states, int stateOffset, int rows,
                                                 HeadWorkspace hws, float[] out);

    private int checkStates(Workspace states) {
        Checks.notNull("states", states);
        LayerShape s = states.shape();
        if (s.batch() != layer.batch() || s.hiddenSize() != layer.hiddenSize() || s.maxSteps() > layer.maxSteps()) {
            throw new IllegalArgumentException("states must be a workspace of " + layer + " (or of its B and H with fewer steps), was one of " + s);
        }
        if (states.steps() == 0) {
            throw new IllegalStateException("the head needs a forward pass on the layer's workspace first");
        }
        return states.steps();
    }

    private void checkCommon(float[] params, int offset, HeadWorkspace hws) {
        checkParams("params", params, offset);
        Checks.notNull("hws", hws);
        if (!hws.layer().equals(layer) || hws.outputs() != outputs) {
            throw new IllegalArgumentException("hws must be a head workspace for " + layer + " and " + outputs
                    + " outputs, was one for " + hws.layer() + " and " + hws.outputs());
        }
        if (!accepts(hws)) {
            throw new IllegalArgumentException("hws must come from this head's newWorkspace() (" + getClass().getSimpleName()
                    + "), was a " + hws.getClass().getSimpleName());
        }
    }

    private void checkParams(String name, float[] array, int offset) {
        Checks.notNull(name, array);
        if (offset < 0 || (long) offset + size() > array.length) {
            throw new IllegalArgumentException(name + " must hold the head's " + size() + " floats from offset " + offset
                    + ", but its length is " + array.length);
        }
    }

    /**
     * Checks labels of a loss at the last step: exactly {@code rows} ids in [0, V). Exactly, not at
     * least: a longer array is most likely the T x B array of a loss at every step, passed here by
     * mistake, whose first B ids would be taken for labels silently.
     *
     * @param labels the labels, one per row
     * @param rows   the number of rows (B for {@link #lossLastStep})
     * @throws IllegalArgumentException if labels is null, not {@code rows} long, or holds an id outside [0, V)
     */
    public final void checkLabels(int[] labels, int rows) {
        checkLabels("labels", labels, rows);
    }

    /** {@link #checkLabels(int[], int)}, its messages naming the argument {@code name}. */
    final void checkLabels(String name, int[] labels, int rows) {
        Checks.notNull(name, labels);
        if (labels.length != rows) {
            throw new IllegalArgumentException(name + ".length must be " + rows + " (one label per row), was " + labels.length);
        }
        checkIds(name, labels, rows);
    }

    /**
     * Checks target ids without computing anything: callers that write elsewhere first (a model's
     * forward pass) call it so that bad targets are rejected before anything is written.
     *
     * @param targets the target ids; only the first {@code rows} are checked
     * @param rows    the number of ids to check
     * @throws IllegalArgumentException if targets is null, shorter than {@code rows}, or holds an id outside [0, V)
     */
    public final void checkTargets(int[] targets, int rows) {
        Checks.notNull("targets", targets);
        if (targets.length < rows) {
            throw new IllegalArgumentException("targets.length must be at least " + rows + ", was " + targets.length);
        }
        checkIds("targets", targets, rows);
    }

    private void checkIds(String name, int[] ids, int rows) {
        for (int r = 0; r < rows; r++) {
            if (ids[r] < 0 || ids[r] >= outputs) {
                throw new IllegalArgumentException(name + "[" + r + "] must be in [0, " + outputs + ") (outputs), was " + ids[r]);
            }
        }
    }
}
