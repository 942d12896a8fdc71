package org.bptt4j.train;

import java.util.Arrays;

import org.bptt4j.HeadWorkspace;
import org.bptt4j.Implementation;
import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.SoftmaxHead;
import org.bptt4j.Workspace;
import org.bptt4j.internal.Checks;

/**
 * A token model: a recurrent layer over token ids (I = the vocabulary) and a {@link SoftmaxHead}
 * over V classes, sharing <b>one</b> parameter array and one gradient array so that optimizers and
 * clipping run as one loop:
 *
 * <pre>
 * offset                 what
 * 0                      the layer's parameters ({@link org.bptt4j.ParameterLayout}): W_x (I x G*H), W_h (H x G*H), b (G*H)
 *                        (and the GRU's b_hn, H)
 * headOffset()           the head's W_y (H x V), then b_y (V)
 * size() = (I + H + 1)*G*H (+ H) + (H + 1)*V
 * </pre>
 *
 * It owns its workspaces (allocated once) and is used by one thread at a time. A training step
 * allocates nothing.
 */
public final class Model {
    private final RecurrentLayer layer;
    private final SoftmaxHead head;
    private final Workspace ws;
    private final HeadWorkspace hws;
    private final float[] dh;
    private final float[] dhLast;

    /**
     * A model of {@code layer} and {@code head}; allocates the workspaces.
     *
     * @param layer the recurrent layer, over token ids
     * @param head  the softmax head; it must read {@code layer}'s shape
     * @throws IllegalArgumentException if either is null or the head reads another shape than the layer's
     */
    public Model(RecurrentLayer layer, SoftmaxHead head) {
        this.layer = Checks.notNull("layer", layer);
        this.head = Checks.notNull("head", head);
        if (!head.layer().equals(layer.shape())) {
            throw new IllegalArgumentException("head must read " + layer.shape() + ", reads " + head.layer());
        }
        Checks.arraySize("the model's parameters", (long) layer.layout().size() + head.size());
        this.ws = layer.newWorkspace();
        this.hws = head.newWorkspace();
        this.dh = new float[layer.shape().hiddenSequenceLength(layer.shape().maxSteps())];
        this.dhLast = new float[layer.shape().stateLength()];
    }

    /**
     * The layer and head of {@code implementation}.
     *
     * @param implementation the implementation of both
     * @param shape          the layer's shape; I is the vocabulary
     * @param outputs        V, the number of classes
     * @return a new model
     * @throws IllegalArgumentException if an argument is null, outputs is below 1, or the parameters would not fit one array
     */
    public static Model of(Implementation implementation, LayerShape shape, int outputs) {
        Checks.notNull("implementation", implementation);
        return new Model(implementation.layer(shape), implementation.head(shape, outputs));
    }

    /**
     * The SIMD layer and head.
     *
     * @param shape   the layer's shape; I is the vocabulary
     * @param outputs V, the number of classes
     * @return a new model
     * @throws IllegalArgumentException if shape is null, outputs is below 1, or the parameters would not fit one array
     */
    public static Model simd(LayerShape shape, int outputs) {
        return of(Implementation.SIMD, shape, outputs);
    }

    /**
     * The scalar reference layer and head.
     *
     * @param shape   the layer's shape; I is the vocabulary
     * @param outputs V, the number of classes
     * @return a new model
     * @throws IllegalArgumentException if shape is null, outputs is below 1, or the parameters would not fit one array
     */
    public static Model reference(LayerShape shape, int outputs) {
        return of(Implementation.REFERENCE, shape, outputs);
    }

    /**
     * The recurrent layer.
     *
     * @return the recurrent layer
     */
    public RecurrentLayer layer() {
        return layer;
    }

    /**
     * The softmax head.
     *
     * @return the head
     */
    public SoftmaxHead head() {
        return head;
    }

    /**
     * The layer's workspace, owned by this model.
     *
     * @return the layer's workspace: after a forward pass, {@code h_0 .. h_T}
     */
    public Workspace workspace() {
        return ws;
    }

    /**
     * The offset of the head's parameters in the parameter array.
     *
     * @return where the head's parameters start: the layer's parameter count
     */
    public int headOffset() {
        return layer.layout().size();
    }

    /**
     * The number of parameters.
     *
     * @return the length of the parameter (and gradient) array
     */
    public int size() {
        return headOffset() + head.size();
    }

    /**
     * One training step with a loss at every step, on the gradients only: forward over
     * {@code inputs} from state {@code h}, cross-entropy against {@code targets}, backward; the
     * gradients are <b>added</b> to {@code grads}. {@code h} is then {@code h_T}, the state the next
     * chunk of a stream starts from (truncated BPTT: no gradient flows back across chunks).
     *
     * @param params  the parameters, {@link #size()} floats; read only
     * @param inputs  steps x B token ids (time-major) in [0, I)
     * @param targets steps x B token ids in [0, V)
     * @param steps   T, the chunk's length, in [1, maxSteps]
     * @param h       the state (B x H, then the LSTM's c, B x H): the initial state in, the final state out
     * @param grads   the gradients, {@link #size()} floats, laid out as {@code params}; added to
     * @return the summed cross-entropy of the steps*B predictions
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public double trainEveryStep(float[] params, int[] inputs, int[] targets, int steps, float[] h, float[] grads) {
        checkArrays(params, grads);
        Checks.length("h", h, layer.shape().stateLength(), "states*batch*hiddenSize");
        if (steps >= 1 && steps <= layer.shape().maxSteps()) {
            head.checkTargets(targets, steps * layer.shape().batch());
        }
        layer.forwardTokens(params, 0, inputs, steps, h, ws, h);
        double loss = head.lossEveryStep(params, headOffset(), ws, targets, hws, grads, dh);
        layer.backwardTokensEveryStep(params, 0, inputs, dh, ws, grads, null);
        return loss;
    }

    /**
     * One training step with a loss at the last step only (a classifier): forward from zeros over
     * {@code inputs}, cross-entropy of {@code h_T}'s prediction against {@code labels} (B), backward;
     * gradients are added to {@code grads}.
     *
     * @param params the parameters, {@link #size()} floats; read only
     * @param inputs steps x B token ids (time-major) in [0, I)
     * @param labels B class ids in [0, V)
     * @param steps  T, the sequence length, in [1, maxSteps]
     * @param grads  the gradients, {@link #size()} floats, laid out as {@code params}; added to
     * @return the summed cross-entropy of the B predictions
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public double trainLastStep(float[] params, int[] inputs, int[] labels, int steps, float[] grads) {
        checkArrays(params, grads);
        head.checkLabels(labels, layer.shape().batch());
        layer.forwardTokens(params, 0, inputs, steps, null, ws, null);
        double loss = head.lossLastStep(params, headOffset(), ws, labels, hws, grads, dhLast);
        layer.backwardTokensLastStep(params, 0, inputs, dhLast, ws, grads, null);
        return loss;
    }

    /**
     * Forward only, then the softmax of the last step's prediction: {@code out} (B x V) gets
     * p(class | inputs). With {@code h} not null, it is the initial state in and {@code h_T} out.
     *
     * @param params the parameters, {@link #size()} floats; read only
     * @param inputs steps x B token ids (time-major) in [0, I)
     * @param steps  T, the sequence length, in [1, maxSteps]
     * @param h      the state (B x H, then the LSTM's c, B x H), or null to start from zeros
     * @param out    receives the probabilities, B x V (row b at {@code b*V})
     * @throws IllegalArgumentException for a bad argument; nothing is written then
     */
    public void predict(float[] params, int[] inputs, int steps, float[] h, float[] out) {
        Checks.length("params", params, size(), "the model's size");
        Checks.lengthOrNull("h", h, layer.shape().stateLength(), "states*batch*hiddenSize");
        Checks.length("out", out, (long) layer.shape().batch() * head.outputs(), "batch*outputs");
        layer.forwardTokens(params, 0, inputs, steps, h, ws, h);
        head.probabilities(params, headOffset(), ws, steps, hws, out);
    }

    private void checkArrays(float[] params, float[] grads) {
        Checks.length("params", params, size(), "the model's size");
        Checks.length("grads", grads, size(), "the model's size");
    }

    /**
     * Sets row {@code b} of the state {@code h} (S x B x H: h, and the LSTM's c) to zeros: where a stream starts over.
     *
     * @param h the state, {@link LayerShape#stateLength()} floats; written
     * @param b the batch row, in [0, B)
     * @throws IllegalArgumentException if h is null or of another length, or b is out of range
     */
    public void resetState(float[] h, int b) {
        Checks.length("h", h, layer.shape().stateLength(), "states*batch*hiddenSize");
        if (b < 0 || b >= layer.shape().batch()) {
            throw new IllegalArgumentException("b must be in [0, " + layer.shape().batch() + "), was " + b);
        }
        LayerShape s = layer.shape();
        int hid = s.hiddenSize();
        for (int block = 0; block < s.cell().states(); block++) { // h, and the LSTM's c
            int from = block * s.hiddenLength() + b * hid;
            Arrays.fill(h, from, from + hid, 0f);
        }
    }
}
