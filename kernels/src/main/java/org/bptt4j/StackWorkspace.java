package org.bptt4j;

import java.util.Arrays;

import org.bptt4j.internal.Checks;

/**
 * The buffers of one {@link RecurrentStack}: a workspace per layer and direction, and the stack's
 * own, allocated once ({@link RecurrentStack#newWorkspace()}); neither pass allocates after that.
 * With T = maxSteps and N = T*B packed rows at most, the stack's own buffers are
 * <pre>
 *   input            layer 0's input, packed                         N*I
 *   outputs          each layer's outputs (D = 2): the two directions'  L*(B+N)*2H  (D = 2)
 *                    saved states, rows 2H wide (h_0's B rows, then the
 *                    packed rows), forward in columns 0..H-1, reverse in
 *                    H..2H-1; each direction's workspace keeps its states
 *                    there, so the next layer reads them where they were
 *                    written (with D = 1 it reads the layer's own states)
 *   dropped          the outputs of layers 0..L-2 with dropout applied  (L-1)*N*D*H
 *   outputGradients  the gradient of each layer's outputs              L*N*D*H
 *   inputGradient    layer 0's input gradient, packed                 N*I
 *   state, stateGradient   one (layer, direction)'s state, rows sorted  2*S*B*H
 * </pre>
 * and the sort: each row's place and its inverse, each sorted row's length, and token input
 * packed ({@code int}s, 3*B + N). Both directions run on the same packed rows (the reverse one
 * {@linkplain StepRows#reversed() reversed}): they read the same input, and their upstream
 * gradients and input gradients lie where the layers above and below read and write them.
 *
 * <p>Not thread-safe: one thread uses a workspace at a time.
 */
public final class StackWorkspace {
    private final RecurrentStack stack;
    private final StackShape shape;
    private final Workspace[][] layers;
    private final float[] input, inputGradient, state, stateGradient;
    private final float[][] outputs, dropped, outputGradients;
    /** order[s]: the caller's row that is sorted row s (longest first; ties keep the caller's order); rank is its inverse. */
    private final int[] order, rank, sortedLengths;
    /** Token input, packed. */
    private final int[] tokens;
    /** The rows of every step, the same for every layer and direction (theirs are copies). */
    private final StepRows rows;
    /** The caller's T: at least the longest row's length ({@code rows.steps()}); positions past a row's length are zeros out. */
    private int callSteps;
    /** The caller's rows in this pass: B, or fewer (one length each). */
    private int callRows;
    private int steps;
    /** Dropout between layers: the probability of zeroing an output, and the seed of the masks. */
    private float dropout;
    private long dropoutSeed;
    /** The arrays the last forward read (their identity): backward must be given the same. */
    private Object forwardParams, forwardInput;

    StackWorkspace(RecurrentStack stack) {
        this.stack = stack;
        this.shape = stack.shape();
        int L = shape.layers(), D = shape.directions(), B = shape.batch(), H = shape.hiddenSize();
        long n = (long) shape.maxSteps() * B;
        int dh = shape.outputSize();
        layers = new Workspace[L][D];
        outputs = new float[L][];
        dropped = new float[L][];
        outputGradients = new float[L][];
        for (int l = 0; l < L; l++) {
            outputs[l] = D == 2 ? buffer((B + n) * dh) : null;
            for (int d = 0; d < D; d++) {
                layers[l][d] = stack.layer(l).newPackedWorkspace(outputs[l], d * H, dh);
            }
            dropped[l] = l < L - 1 ? buffer(n * dh) : null;
            outputGradients[l] = buffer(n * dh);
        }
        input = buffer(n * shape.inputSize());
        inputGradient = buffer(n * shape.inputSize());
        state = buffer((long) shape.cell().states() * B * H);
        stateGradient = buffer((long) shape.cell().states() * B * H);
        order = new int[B];
        rank = new int[B];
        sortedLengths = new int[B];
        tokens = new int[(int) n];
        rows = new StepRows(shape.maxSteps(), B);
    }

    private static float[] buffer(long n) {
        return new float[(int) Checks.arraySize("a stack workspace's buffer", n + Workspace.PADDING)];
    }

    /**
     * The shape of the stack this workspace belongs to.
     *
     * @return the stack's shape
     */
    public StackShape shape() {
        return shape;
    }

    Implementation implementation() {
        return stack.implementation();
    }

    /**
     * Dropout between layers, as PyTorch's {@code dropout=} argument, for the passes that follow:
     * each output of every layer but the top one is zeroed with probability {@code probability}
     * and the others scaled by {@code 1/(1 - probability)}; backward applies the same mask. The
     * mask of an element is a hash of (seed, layer, step, row, unit): the same seed gives the same
     * masks on every run and for every batch the row is in, so pass a new seed per training step
     * for fresh masks. 0 turns dropout off (evaluation). The last forward pass is forgotten:
     * backward needs a new one.
     *
     * @param probability the probability of zeroing an output, in [0, 1)
     * @param seed        the seed of the masks
     * @throws IllegalArgumentException unless {@code 0 <= probability < 1}
     */
    public void dropout(float probability, long seed) {
        if (!(probability >= 0 && probability < 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1), was " + probability);
        }
        this.dropout = probability;
        this.dropoutSeed = seed;
        this.steps = 0; // the masks of a past forward are gone: backward needs a new forward
    }

    /**
     * The dropout probability of the passes that follow.
     *
     * @return the probability, 0 for none
     */
    public float dropout() {
        return dropout;
    }

    /**
     * The steps of the last successful forward pass.
     *
     * @return T, or 0 if there was none since the workspace was made or dropout was set
     */
    public int steps() {
        return steps;
    }

    /**
     * The size in bytes of every buffer: the layers' workspaces and the stack's own.
     *
     * @return the size in bytes
     */
    public long sizeInBytes() {
        long bytes = 0;
        for (Workspace[] layer : layers) {
            for (Workspace ws : layer) {
                bytes += ws.sizeInBytes();
            }
        }
        for (float[] a : new float[][]{input, inputGradient, state, stateGradient}) {
            bytes += 4L * a.length;
        }
        for (int l = 0; l < shape.layers(); l++) {
            for (float[] a : new float[][]{outputs[l], dropped[l], outputGradients[l]}) {
                bytes += a == null ? 0 : 4L * a.length;
            }
        }
        return bytes + 4L * (order.length + rank.length + sortedLengths.length + tokens.length);
    }

    /**
     * @throws IllegalArgumentException unless params and the input are the arrays the last forward read,
     *                                  and grads is not params
     */
    void requireForwardArrays(float[] params, Object input, String inputName, float[] grads) {
        if (params != forwardParams) {
            throw new IllegalArgumentException("params must be the array the last forward on ws used");
        }
        if (input != forwardInput) {
            throw new IllegalArgumentException(inputName + " must be the array the last forward on ws read");
        }
        Checks.distinct(params, grads);
    }

    /** @return the workspace of layer l's direction d */
    Workspace layerWorkspace(int l, int d) {
        return layers[l][d];
    }

    /** @return the rows of the last pass (B, or fewer) */
    int rows() {
        return callRows;
    }

    /** Sorts the rows by length (longest first, stable) and sets every layer's rows: lengths.length of them, or B when null. */
    void plan(int steps, int[] lengths) {
        this.steps = 0;
        this.callSteps = steps;
        int count = lengths == null ? shape.batch() : lengths.length;
        this.callRows = count;
        for (int b = 0; b < count; b++) {
            order[b] = b;
        }
        if (lengths == null) {
            Arrays.fill(sortedLengths, steps);
        } else {
            for (int i = 1; i < count; i++) { // insertion sort: stable, allocation-free, B is small
                int row = order[i], j = i;
                while (j > 0 && lengths[order[j - 1]] < lengths[row]) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = row;
            }
            for (int s = 0; s < count; s++) {
                sortedLengths[s] = lengths[order[s]];
            }
        }
        for (int s = 0; s < count; s++) {
            rank[order[s]] = s;
        }
        setRows(rows, steps, lengths == null, count);
        for (Workspace[] layer : layers) {
            for (int d = 0; d < layer.length; d++) {
                setRows(layer[d].stepRows(), steps, lengths == null, count);
                layer[d].stepRows().setReversed(d == 1);
            }
        }
    }

    /** Forward over dense {@code x} or, when x is null, {@code tokenIds}; everything checked by the caller. */
    void forward(float[] params, float[] x, int[] tokenIds, float[] state0, float[] out, float[] stateT) {
        int L = shape.layers(), D = shape.directions(), dh = shape.outputSize();
        gatherInput(x, tokenIds);
        for (int l = 0; l < L; l++) {
            RecurrentLayer layer = stack.layer(l);
            float[] in = l == 0 ? input : outputArray(l - 1);
            int inOffset = l == 0 ? 0 : outputOffset(l - 1);
            int width = l == 0 ? shape.inputSize() : dh;
            for (int d = 0; d < D; d++) {
                Workspace ws = layers[l][d];
                float[] s0 = null;
                if (state0 != null) {
                    sortState(state0, l * D + d, state);
                    s0 = state;
                }
                int offset = stack.parameterOffset(l, d);
                boolean byTokens = l == 0 && tokenIds != null;
                layer.forwardPacked(params, offset, byTokens ? null : in, inOffset, width, byTokens ? tokens : null, s0, ws);
            }
            if (dropsOut(l)) {
                dropOut(savedOutputs(l), shape.batch() * dh, dropped[l], l); // the saved states stay as backward reads them
            }
        }
        // Every layer's states are read before any is written: stateT may be state0.
        if (stateT != null) {
            for (int l = 0; l < L; l++) {
                for (int d = 0; d < D; d++) {
                    stack.layer(l).copyFinalState(layers[l][d], state);
                    unsortState(state, l * D + d, stateT);
                }
            }
        }
        if (out != null) {
            scatter(outputArray(L - 1), outputOffset(L - 1), dh, out);
        }
        forwardParams = params;
        forwardInput = x != null ? x : tokenIds;
        steps = callSteps;
    }

    /**
     * Backward after forward, on the input forward packed (the caller's own arrays were checked to
     * be forward's, so they are not gathered again): dense, or token ids ({@code byTokens}, then dx
     * must be null); everything checked by the caller. With {@code dOut} null and
     * {@code packedTopGradient} true, the upstream gradient of the top layer's outputs is already
     * in {@link #topGradient()}, packed.
     */
    void backward(float[] params, boolean byTokens, float[] dOut, boolean packedTopGradient, float[] dStateT, float[] grads,
                  float[] dx, float[] dState0) {
        int L = shape.layers(), D = shape.directions(), H = shape.hiddenSize(), dh = shape.outputSize();
        if (dOut != null) {
            gather(dOut, dh, outputGradients[L - 1]);
        }
        boolean topGradient = dOut != null || packedTopGradient;
        for (int l = L - 1; l >= 0; l--) {
            RecurrentLayer layer = stack.layer(l);
            float[] in = l == 0 ? input : outputArray(l - 1);
            int inOffset = l == 0 ? 0 : outputOffset(l - 1);
            int width = l == 0 ? shape.inputSize() : dh;
            float[] up = l < L - 1 || topGradient ? outputGradients[l] : null;
            if (dropsOut(l)) {
                dropOut(up, 0, up, l); // the gradient passes where the output did, scaled alike
            }
            float[] inGrad = l > 0 ? outputGradients[l - 1] : dx != null ? inputGradient : null;
            for (int d = 0; d < D; d++) {
                Workspace ws = layers[l][d];
                float[] sT = null;
                if (dStateT != null) {
                    sortState(dStateT, l * D + d, state);
                    sT = state;
                }
                float[] s0 = dState0 != null ? stateGradient : null;
                int offset = stack.parameterOffset(l, d);
                boolean tokenInput = l == 0 && byTokens;
                // Direction d reads its columns of the upstream gradient; the reverse one adds its dx to the forward one's.
                layer.computeBackward(params, offset, tokenInput ? null : in, inOffset, width, tokenInput ? tokens : null, up, d * H, dh, sT,
                        ws, grads, inGrad, 0, width, d == 1, s0);
                if (dState0 != null) {
                    unsortState(stateGradient, l * D + d, dState0);
                }
            }
        }
        if (dx != null) {
            scatter(inputGradient, 0, shape.inputSize(), dx);
        }
    }

    private void setRows(StepRows r, int steps, boolean full, int count) {
        if (full) {
            r.setFull(steps);
        } else {
            r.setSorted(sortedLengths, count);
        }
    }

    /** Whether layer l's outputs pass through dropout on their way to layer l + 1. */
    private boolean dropsOut(int l) {
        return dropout > 0 && l < shape.layers() - 1;
    }

    /**
     * Layer {@code l}'s packed outputs (or their gradient), rows of D*H from {@code from}, times its
     * dropout mask (0, or 1/(1-p)) into {@code to}'s rows from 0; {@code to} may be {@code from}.
     */
    private void dropOut(float[] from, int fromOffset, float[] to, int l) {
        int dh = shape.outputSize();
        float scale = 1 / (1 - dropout);
        for (int t = 1; t <= rows.steps(); t++) {
            for (int s = 0; s < rows.active(t); s++) {
                int r = (rows.start(t) + s) * dh;
                long key = ((dropoutSeed * 0x9E3779B97F4A7C15L + l) * 0x100000001B3L + t) * 0x100000001B3L + order[s];
                for (int j = 0; j < dh; j++) {
                    to[r + j] = from[fromOffset + r + j] * (uniform(key * 0x100000001B3L + j) < dropout ? 0f : scale);
                }
            }
        }
    }

    /** @return a uniform float in [0, 1) from {@code key}: SplitMix64's finaliser, its top 24 bits */
    private static float uniform(long key) {
        long z = key + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 40) * 0x1.0p-24f;
    }

    /** Layer 0's input, packed: dense rows, or token ids. */
    private void gatherInput(float[] x, int[] tokenIds) {
        if (tokenIds == null) {
            gather(x, shape.inputSize(), input);
            return;
        }
        int batch = callRows;
        for (int t = 1; t <= rows.steps(); t++) {
            for (int s = 0; s < rows.active(t); s++) {
                tokens[rows.start(t) + s] = tokenIds[(t - 1) * batch + order[s]];
            }
        }
    }

    /**
     * The array of layer l's saved states, rows of D*H: its one direction's own, or the two
     * directions' {@code outputs[l]}; its packed outputs from row B on.
     */
    private float[] savedOutputs(int l) {
        return outputs[l] != null ? outputs[l] : layers[l][0].states();
    }

    /** Where layer l + 1 reads layer l's outputs: its saved states where they lie, or their copy with dropout applied. */
    private float[] outputArray(int l) {
        return dropsOut(l) ? dropped[l] : savedOutputs(l);
    }

    private int outputOffset(int l) {
        return dropsOut(l) ? 0 : shape.batch() * shape.outputSize();
    }

    /** @return the array of the top layer's outputs of the last forward, packed: N rows of D*H ({@link #packedRows()}) from {@link #topOutputOffset()} */
    float[] topOutputs() {
        return outputArray(shape.layers() - 1);
    }

    /** @return where the top layer's packed outputs start in {@link #topOutputs()} */
    int topOutputOffset() {
        return outputOffset(shape.layers() - 1);
    }

    /** @return where backward with a packed top gradient reads it: rows as {@link #topOutputs()} */
    float[] topGradient() {
        return outputGradients[shape.layers() - 1];
    }

    /** @return N, the packed rows of the last forward */
    int packedRows() {
        return rows.rows();
    }

    /** @return the packed row of position t (1-based) of the caller's row b, or -1 where that row has ended */
    int packedRow(int t, int b) {
        return rank[b] < rows.active(t) ? rows.start(t) + rank[b] : -1;
    }

    /** Packs {@code values} given per caller row and position (steps x B, as the input) into packed order. */
    void packInts(int[] values, int[] packed) {
        int batch = callRows;
        for (int t = 1; t <= rows.steps(); t++) {
            for (int s = 0; s < rows.active(t); s++) {
                packed[rows.start(t) + s] = values[(t - 1) * batch + order[s]];
            }
        }
    }

    /** The caller's steps x B rows of {@code width} floats into packed rows (rows past a length are not read). */
    private void gather(float[] padded, int width, float[] packed) {
        int batch = callRows;
        for (int t = 1; t <= rows.steps(); t++) {
            for (int s = 0; s < rows.active(t); s++) {
                System.arraycopy(padded, ((t - 1) * batch + order[s]) * width, packed, (rows.start(t) + s) * width, width);
            }
        }
    }

    /** Packed rows (from {@code offset}) back into the caller's steps x rows rows, zeros where a row has ended. */
    private void scatter(float[] packed, int offset, int width, float[] padded) {
        int batch = callRows;
        for (int t = 1; t <= callSteps; t++) {
            for (int s = 0; s < batch; s++) {
                int to = ((t - 1) * batch + order[s]) * width;
                if (s < rows.active(t)) {
                    System.arraycopy(packed, offset + (rows.start(t) + s) * width, padded, to, width);
                } else {
                    Arrays.fill(padded, to, to + width, 0f);
                }
            }
        }
    }

    /**
     * Block {@code k} (= layer*D + direction) of a caller's state (blocks of the pass's rows x H)
     * into a layer's state (blocks of B x H, the layer's capacity), rows sorted: h then c.
     */
    private void sortState(float[] callers, int k, float[] sorted) {
        int batch = callRows, hid = shape.hiddenSize(), blocks = shape.layers() * shape.directions();
        for (int part = 0; part < shape.cell().states(); part++) {
            int from = (part * blocks + k) * batch * hid, to = part * shape.batch() * hid;
            for (int s = 0; s < batch; s++) {
                System.arraycopy(callers, from + order[s] * hid, sorted, to + s * hid, hid);
            }
        }
    }

    /** The inverse of {@link #sortState}. */
    private void unsortState(float[] sorted, int k, float[] callers) {
        int batch = callRows, hid = shape.hiddenSize(), blocks = shape.layers() * shape.directions();
        for (int part = 0; part < shape.cell().states(); part++) {
            int to = (part * blocks + k) * batch * hid, from = part * shape.batch() * hid;
            for (int s = 0; s < batch; s++) {
                System.arraycopy(sorted, from + s * hid, callers, to + order[s] * hid, hid);
            }
        }
    }
}
