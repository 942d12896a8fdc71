package org.bptt4j;

import java.util.Random;

import org.bptt4j.internal.Checks;

/**
 * A model of any shape: token ids or dense rows in, a {@link RecurrentStack} (L layers, D
 * directions, rows of their own lengths), and a {@link SoftmaxHead} over V classes that reads
 * either the top layer's output at every step of every row ({@link Target#EVERY_STEP}, D*H wide: a
 * tagger or a character model) or each row's final state ({@link Target#LAST_STEP}: the top
 * layer's {@code h_n} of each direction, concatenated, as PyTorch users classify a sentence).
 *
 * <p>One parameter array and one gradient array, so that optimizers and clipping run as one loop:
 * <pre>
 * offset          what
 * 0               the stack's parameters, in {@link StackShape}'s order (PyTorch's)
 * headOffset()    the head's W_y (D*H x V), then b_y (V)
 * </pre>
 * The network owns its workspaces (allocated once) and is used by one thread at a time; a training
 * step allocates nothing.
 */
public final class Network {
    /** What the first layer reads. */
    public enum Input {
        /** Token ids in [0, I): row t of a sequence is the one-hot vector of its id. */
        TOKENS,
        /** Rows of I floats. */
        DENSE
    }

    /** Where the head classifies. */
    public enum Target {
        /** Every step of every row: targets are steps x rows ids (past a row's length, not read). */
        EVERY_STEP,
        /** Each row's final state: targets are one label per row. */
        LAST_STEP
    }

    private final StackShape shape;
    private final Input input;
    private final Target target;
    private final RecurrentStack stack;
    private final SoftmaxHead head;
    private final StackWorkspace ws;
    private final HeadWorkspace hws;
    private final float[] finalState, stateGradient, features, featureGradient, packedProbabilities;
    private final int[] packedTargets;
    private float trainingDropout;
    private long trainingSeed;
    /** The shape's parameter count, computed once: a training step allocates nothing. */
    private final int headOffset, size;

    private Network(Implementation implementation, StackShape shape, Input input, Target target, int outputs, ComputePool pool) {
        this.shape = Checks.notNull("shape", shape);
        this.input = Checks.notNull("input", input);
        this.target = Checks.notNull("target", target);
        Checks.notNull("implementation", implementation);
        this.stack = new RecurrentStack(implementation, shape, pool);
        // The head reads rows of D*H floats: T*B of them (every step) or B (the last).
        LayerShape read = new LayerShape(shape.maxSteps(), shape.batch(), 1, shape.outputSize(), Cell.VANILLA, Activation.TANH);
        this.head = implementation.head(read, outputs, pool);
        Checks.arraySize("the network's parameters", (long) shape.parameterSize() + head.size());
        this.headOffset = shape.parameterSize();
        this.size = headOffset + head.size();
        this.ws = stack.newWorkspace();
        this.hws = head.newWorkspace();
        this.finalState = new float[shape.stateLength()];
        this.stateGradient = new float[shape.stateLength()];
        this.features = new float[shape.batch() * shape.outputSize()];
        this.featureGradient = new float[shape.batch() * shape.outputSize()];
        this.packedTargets = new int[shape.maxSteps() * shape.batch()];
        this.packedProbabilities = target == Target.EVERY_STEP ? new float[shape.maxSteps() * shape.batch() * outputs] : null;
    }

    /**
     * A network that runs on the caller's thread only; its workspaces are allocated here.
     *
     * @param implementation the kernels of the stack and the head
     * @param shape          the stack's shape
     * @param input          what the first layer reads
     * @param target         where the head classifies
     * @param outputs        V, the classes of the head
     * @return a new network
     * @throws IllegalArgumentException for a null argument or outputs below 1
     */
    public static Network of(Implementation implementation, StackShape shape, Input input, Target target, int outputs) {
        return new Network(implementation, shape, input, target, outputs, null);
    }

    /**
     * A network whose stack and head run on {@code pool}'s threads (see {@link ComputePool});
     * results are bit-identical to one thread's. The optimizer runs on the caller's thread.
     *
     * @param implementation the kernels of the stack and the head
     * @param shape          the stack's shape
     * @param input          what the first layer reads
     * @param target         where the head classifies
     * @param outputs        V, the classes of the head
     * @param pool           the threads, or null for the caller's only
     * @return a new network
     * @throws IllegalArgumentException for a null argument (but pool) or outputs below 1
     */
    public static Network of(Implementation implementation, StackShape shape, Input input, Target target, int outputs, ComputePool pool) {
        return new Network(implementation, shape, input, target, outputs, pool);
    }

    /**
     * The shape of the stack: layers, directions, batch, maxSteps, sizes and cell.
     *
     * @return the stack's shape
     */
    public StackShape shape() {
        return shape;
    }

    /**
     * The kind of input, which decides the training and prediction methods to call.
     *
     * @return what the first layer reads
     */
    public Input input() {
        return input;
    }

    /**
     * The kind of target, which decides the layout of the targets and of the probabilities.
     *
     * @return where the head classifies
     */
    public Target target() {
        return target;
    }

    /**
     * The number of classes of the head.
     *
     * @return V
     */
    public int outputs() {
        return head.outputs();
    }

    /**
     * The recurrent layers of this network; its parameters are the first {@link #headOffset()} floats.
     *
     * @return the stack
     */
    public RecurrentStack stack() {
        return stack;
    }

    /**
     * Dropout between the stack's layers in the training calls that follow (predictions never
     * drop): see {@link StackWorkspace#dropout(float, long)}. Pass a new seed per step for fresh masks.
     *
     * @param probability the probability of zeroing an output, {@code 0 <= probability < 1}; 0 turns dropout off
     * @param seed        the seed of the masks
     * @throws IllegalArgumentException unless {@code 0 <= probability < 1}
     */
    public void dropout(float probability, long seed) {
        ws.dropout(probability, seed);
        trainingDropout = probability;
        trainingSeed = seed;
    }

    /**
     * The offset of the head's {@code W_y} in the parameter and gradient arrays.
     *
     * @return where the head's parameters start: the stack's parameter count
     */
    public int headOffset() {
        return headOffset;
    }

    /**
     * The number of parameters: the stack's, then the head's.
     *
     * @return the length of the parameter (and gradient) array
     */
    public int size() {
        return size;
    }

    /**
     * PyTorch's default initialisation: every recurrent weight and bias uniform in
     * {@code ±1/sqrt(H)} (b, the sum of PyTorch's two biases, as the sum of two such draws; the
     * GRU's b_hn one draw), the head's weights and bias uniform in {@code ±1/sqrt(D*H)} (as
     * {@code torch.nn.Linear}).
     *
     * @param params receives the initial parameters; {@link #size()} floats, every one written
     * @param random the source of the draws
     * @throws IllegalArgumentException if params is not {@link #size()} long or random is null
     */
    public void initialize(float[] params, Random random) {
        Checks.length("params", params, size(), "the network's size()");
        Checks.notNull("random", random);
        float bound = (float) (1 / Math.sqrt(shape.hiddenSize()));
        for (int l = 0; l < shape.layers(); l++) {
            ParameterLayout layout = shape.layer(l).parameterLayout();
            for (int d = 0; d < shape.directions(); d++) {
                int offset = shape.parameterOffset(l, d);
                for (int i = 0; i < layout.biasOffset(); i++) {
                    params[offset + i] = uniform(random, bound);
                }
                for (int i = layout.biasOffset(); i < layout.biasOffset() + layout.gateWidth(); i++) {
                    boolean newGate = shape.cell() == Cell.GRU && i - layout.biasOffset() >= 2 * shape.hiddenSize();
                    params[offset + i] = uniform(random, bound) + (newGate ? 0f : uniform(random, bound)); // b_ih + b_hh
                }
                for (int i = layout.recurrentNewGateBiasOffset(); i < layout.size(); i++) {
                    params[offset + i] = uniform(random, bound);
                }
            }
        }
        float headBound = (float) (1 / Math.sqrt(shape.outputSize()));
        for (int i = headOffset(); i < size(); i++) {
            params[i] = uniform(random, headBound);
        }
    }

    private static float uniform(Random random, float bound) {
        return (random.nextFloat() * 2 - 1) * bound;
    }

    /**
     * One training step on token ids: forward, cross-entropy, backward; the gradients are
     * <b>added</b> to {@code grads}. The initial state is zero.
     *
     * @param params  the parameters, {@link #size()} floats
     * @param tokens  steps x rows ids in [0, I), time-major (past a row's length, not read)
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length (1..steps), one per row of the pass (1 to B rows: a last,
     *                smaller batch or a single sequence needs no second network), or null for B rows {@code steps} long
     * @param targets {@link Target#EVERY_STEP}: steps x rows ids in [0, V); {@link Target#LAST_STEP}: one label per row
     * @param grads   the gradient array, {@link #size()} floats; the gradients are added to it
     * @return the summed cross-entropy of the predictions (one per real step of every row, or one per row)
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public double trainTokens(float[] params, int[] tokens, int steps, int[] lengths, int[] targets, float[] grads) {
        return trainTokens(params, tokens, steps, lengths, targets, grads, null);
    }

    /**
     * {@link #trainTokens(float[], int[], int, int[], int[], float[])} from a given state, which
     * then becomes each row's final state: truncated BPTT over a long stream, chunk after chunk
     * (no gradient flows back across chunks).
     *
     * @param params  the parameters, {@link #size()} floats
     * @param tokens  steps x rows ids in [0, I), time-major (past a row's length, not read)
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length (1..steps), one per row of the pass, or null for B rows {@code steps} long
     * @param targets {@link Target#EVERY_STEP}: steps x rows ids in [0, V); {@link Target#LAST_STEP}: one label per row
     * @param grads   the gradient array, {@link #size()} floats; the gradients are added to it
     * @param state   the stack's state ({@link StackShape#stateLength(int) stateLength(rows)} floats; a longer array is
     *                accepted), in and out; null for zeros and no output
     * @return the summed cross-entropy of the predictions (one per real step of every row, or one per row)
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public double trainTokens(float[] params, int[] tokens, int steps, int[] lengths, int[] targets, float[] grads, float[] state) {
        requireInput(Input.TOKENS);
        checkTraining(params, steps, lengths, targets, grads);
        Checks.atLeastOrNull("state", state, shape.stateLength(rows(lengths)), "the stack's stateLength(rows)");
        stack.forwardTokens(params, tokens, steps, lengths, state, ws, null, finalState);
        double loss = headLoss(params, targets, grads);
        if (target == Target.EVERY_STEP) {
            ws.backward(params, true, null, true, null, grads, null, null);
        } else {
            stack.backwardTokens(params, tokens, null, stateGradient, ws, grads, null);
        }
        if (state != null) {
            System.arraycopy(finalState, 0, state, 0, shape.stateLength(ws.rows()));
        }
        return loss;
    }

    /**
     * {@link #trainTokens} on dense rows.
     *
     * @param params  the parameters, {@link #size()} floats
     * @param x       steps x rows x I, time-major (past a row's length, not read)
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length, or null, as for {@link #trainTokens}
     * @param targets the targets, as for {@link #trainTokens}
     * @param grads   the gradient array, {@link #size()} floats; the gradients are added to it
     * @return the summed cross-entropy of the predictions, as for {@link #trainTokens}
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public double train(float[] params, float[] x, int steps, int[] lengths, int[] targets, float[] grads) {
        requireInput(Input.DENSE);
        checkTraining(params, steps, lengths, targets, grads);
        stack.forward(params, x, steps, lengths, null, ws, null, finalState);
        double loss = headLoss(params, targets, grads);
        if (target == Target.EVERY_STEP) {
            ws.backward(params, false, null, true, null, grads, null, null);
        } else {
            stack.backward(params, x, null, stateGradient, ws, grads, null, null);
        }
        return loss;
    }

    /**
     * Forward only, then the head's probabilities: each row's class probabilities from its final
     * state (rows x V), or every step's (steps x rows x V, time-major, zeros past a row's length).
     *
     * @param params  the parameters, {@link #size()} floats
     * @param tokens  the ids, as for {@link #trainTokens}
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length, or null, as for {@link #trainTokens}
     * @param out     receives the probabilities (a longer array is accepted)
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public void predictTokens(float[] params, int[] tokens, int steps, int[] lengths, float[] out) {
        predictTokens(params, tokens, steps, lengths, null, out);
    }

    /**
     * {@link #predictTokens(float[], int[], int, int[], float[])} from a given state, which then
     * becomes each row's final state (to generate a sequence one step at a time).
     *
     * @param params  the parameters, {@link #size()} floats
     * @param tokens  the ids, as for {@link #trainTokens}
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length, or null, as for {@link #trainTokens}
     * @param state   the stack's state, in and out; null for zeros and no output
     * @param out     receives the probabilities, rows x V or steps x rows x V (a longer array is accepted)
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public void predictTokens(float[] params, int[] tokens, int steps, int[] lengths, float[] state, float[] out) {
        requireInput(Input.TOKENS);
        checkPrediction(params, steps, lengths, out);
        Checks.atLeastOrNull("state", state, shape.stateLength(rows(lengths)), "the stack's stateLength(rows)");
        ws.dropout(0, 0);
        try {
            stack.forwardTokens(params, tokens, steps, lengths, state, ws, null, finalState);
        } finally {
            ws.dropout(trainingDropout, trainingSeed); // a rejected call must not leave training without its dropout
        }
        probabilities(params, steps, out);
        if (state != null) {
            System.arraycopy(finalState, 0, state, 0, shape.stateLength(ws.rows()));
        }
    }

    /**
     * {@link #predictTokens} on dense rows.
     *
     * @param params  the parameters, {@link #size()} floats
     * @param x       steps x rows x I, time-major (past a row's length, not read)
     * @param steps   T, from 1 to maxSteps
     * @param lengths each row's length, or null, as for {@link #trainTokens}
     * @param out     receives the probabilities, as for {@link #predictTokens}
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public void predict(float[] params, float[] x, int steps, int[] lengths, float[] out) {
        requireInput(Input.DENSE);
        checkPrediction(params, steps, lengths, out);
        ws.dropout(0, 0);
        try {
            stack.forward(params, x, steps, lengths, null, ws, null, finalState);
        } finally {
            ws.dropout(trainingDropout, trainingSeed);
        }
        probabilities(params, steps, out);
    }

    private void requireInput(Input expected) {
        if (input != expected) {
            throw new IllegalArgumentException("this network reads " + input + " input; use the method for it");
        }
    }

    private void checkTraining(float[] params, int steps, int[] lengths, int[] targets, float[] grads) {
        Checks.length("params", params, size(), "the network's size()");
        Checks.length("grads", grads, size(), "the network's size()");
        Checks.distinct(params, grads);
        Checks.notNull("targets", targets);
        int batch = RecurrentStack.rows(shape, steps, lengths);
        if (target == Target.LAST_STEP) {
            head.checkLabels("targets", targets, batch);
            return;
        }
        if (targets.length < steps * batch) {
            throw new IllegalArgumentException("targets.length must be at least " + steps * batch + " (steps*rows), was " + targets.length);
        }
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int id = targets[t * batch + b];
                boolean read = lengths == null || t < lengths[b];
                if (read && (id < 0 || id >= head.outputs())) {
                    throw new IllegalArgumentException("targets[" + (t * batch + b) + "] must be in [0, " + head.outputs()
                            + ") (outputs), was " + id);
                }
            }
        }
    }

    private void checkPrediction(float[] params, int steps, int[] lengths, float[] out) {
        Checks.length("params", params, size(), "the network's size()");
        int batch = RecurrentStack.rows(shape, steps, lengths);
        long rows = target == Target.LAST_STEP ? batch : (long) steps * batch;
        Checks.atLeast("out", out, rows * head.outputs(), target == Target.LAST_STEP ? "rows*outputs" : "steps*rows*outputs");
    }

    /** @return the rows of a pass whose lengths were checked: one per length, or B */
    private int rows(int[] lengths) {
        return lengths == null ? shape.batch() : lengths.length;
    }

    /** The head on the forward pass just run: its loss, its gradients added, the stack's upstream gradient set. */
    private double headLoss(float[] params, int[] targets, float[] grads) {
        if (target == Target.EVERY_STEP) {
            ws.packInts(targets, packedTargets);
            return head.computeLoss(params, headOffset(), ws.topOutputs(), ws.topOutputOffset(), ws.packedRows(), packedTargets, hws, grads,
                    ws.topGradient());
        }
        topFinalStates(finalState, features, true);
        double loss = head.computeLoss(params, headOffset(), features, 0, ws.rows(), targets, hws, grads, featureGradient);
        java.util.Arrays.fill(stateGradient, 0f);
        topFinalStates(stateGradient, featureGradient, false);
        return loss;
    }

    /** Between a stack state and the head's rows: row b = the top layer's h of each direction (D*H floats). */
    private void topFinalStates(float[] state, float[] rows, boolean toRows) {
        int batch = ws.rows(), hid = shape.hiddenSize(), dh = shape.outputSize(), D = shape.directions();
        for (int d = 0; d < D; d++) {
            int block = ((shape.layers() - 1) * D + d) * batch * hid;
            for (int b = 0; b < batch; b++) {
                if (toRows) {
                    System.arraycopy(state, block + b * hid, rows, b * dh + d * hid, hid);
                } else {
                    System.arraycopy(rows, b * dh + d * hid, state, block + b * hid, hid);
                }
            }
        }
    }

    private void probabilities(float[] params, int steps, float[] out) {
        int v = head.outputs();
        if (target == Target.LAST_STEP) {
            topFinalStates(finalState, features, true);
            head.computeProbabilities(params, headOffset(), features, 0, ws.rows(), hws, out);
            return;
        }
        // Every step: the packed rows' probabilities, then each into its row and position.
        float[] packed = packedProbabilities;
        int n = ws.packedRows();
        head.computeProbabilities(params, headOffset(), ws.topOutputs(), ws.topOutputOffset(), n, hws, packed);
        int batch = ws.rows();
        for (int t = 1; t <= steps; t++) {
            for (int b = 0; b < batch; b++) {
                int r = ws.packedRow(t, b), to = ((t - 1) * batch + b) * v;
                if (r < 0) {
                    java.util.Arrays.fill(out, to, to + v, 0f);
                } else {
                    System.arraycopy(packed, r * v, out, to, v);
                }
            }
        }
    }
}
