package org.bptt4j.train;

import java.util.Arrays;

import org.bptt4j.internal.Checks;

/**
 * Truncated BPTT over long token streams: each call trains on one chunk of {@code length} steps
 * from B positions of a stream (B parallel streams, one per batch row), predicting every next
 * token, then clips and updates. The state {@code h} (h, and the LSTM's c: {@code stateLength()}
 * floats) is carried from one chunk to the next by the caller's array; {@link Model#resetState} starts a row over where the caller says. A chunk
 * longer than the model's maxSteps is an error, never a silent skip. Buffers are allocated once;
 * a call allocates nothing.
 */
public final class StreamTrainer {
    private final Model model;
    private final Optimizer optimizer;
    private final float clip;
    private final int[] inputs;
    private final int[] targets;
    private final float[] grads;

    /**
     * A trainer of {@code model} by {@code optimizer}; allocates its buffers.
     *
     * @param model     the model to train
     * @param optimizer the update rule, sized for {@code model.size()} parameters
     * @param clip      elementwise gradient clip limit (min-char-rnn uses 5); 0 for none
     * @throws IllegalArgumentException if model or optimizer is null, the optimizer is sized for
     *                                  another parameter count, or clip is negative
     */
    public StreamTrainer(Model model, Optimizer optimizer, float clip) {
        this.model = Checks.notNull("model", model);
        this.optimizer = Checks.notNull("optimizer", optimizer);
        if (optimizer.size() != model.size()) {
            throw new IllegalArgumentException("optimizer must be sized for the model's " + model.size() + " parameters, was " + optimizer.size());
        }
        if (!(clip >= 0)) {
            throw new IllegalArgumentException("clip must be 0 (none) or positive, was " + clip);
        }
        this.clip = clip;
        int n = model.layer().shape().maxSteps() * model.layer().shape().batch();
        this.inputs = new int[n];
        this.targets = new int[n];
        this.grads = new float[model.size()];
    }

    /**
     * The gradients of the last chunk.
     *
     * @return the gradients of the last chunk, after clipping (the trainer's own array: read, don't write)
     */
    public float[] gradients() {
        return grads;
    }

    /**
     * Trains on {@code stream[positions[b] .. positions[b] + length]} for each row b: inputs are
     * the first {@code length} tokens, targets the {@code length} tokens after each. Computes the
     * gradients (into the trainer's own array), clips them, takes an optimizer step on {@code params}.
     *
     * @param params    the model's parameters, {@code model.size()} floats; updated in place
     * @param stream    the token ids, read only: in [0, I) where read as inputs, [0, V) as targets
     * @param positions B start positions; each needs {@code length + 1} tokens from it
     * @param length    the chunk's steps, in [1, maxSteps]
     * @param h         the state, {@code shape.stateLength()} floats (h, then the LSTM's c), carried in and out
     * @return the summed cross-entropy of the chunk (length * B predictions)
     * @throws IllegalArgumentException for a bad argument (a length above maxSteps, a position too
     *                                  close to the end, a token out of range); neither params nor h
     *                                  is written then (the trainer's own gradients may be)
     * @throws ArithmeticException      if the loss or a gradient is not finite; the parameters and the
     *                                  optimizer's state are untouched then (the state h has moved on).
     *                                  With clipping, an infinite gradient is clipped like any other
     *                                  (as min-char-rnn's {@code np.clip}); a NaN is refused
     */
    public double trainChunk(float[] params, int[] stream, int[] positions, int length, float[] h) {
        Checks.length("params", params, model.size(), "the model's size");
        Checks.length("h", h, model.layer().shape().stateLength(), "states*batch*hiddenSize");
        Checks.notNull("stream", stream);
        Checks.notNull("positions", positions);
        int batch = model.layer().shape().batch();
        int maxSteps = model.layer().shape().maxSteps();
        if (positions.length != batch) {
            throw new IllegalArgumentException("positions.length must be " + batch + " (batch), was " + positions.length);
        }
        if (length < 1 || length > maxSteps) {
            throw new IllegalArgumentException("length must be in [1, " + maxSteps + "] (the model's maxSteps), was " + length);
        }
        for (int b = 0; b < batch; b++) {
            if (positions[b] < 0 || (long) positions[b] + length + 1 > stream.length) {
                throw new IllegalArgumentException("positions[" + b + "] must leave " + (length + 1)
                        + " tokens before the end of the stream (" + stream.length + "), was " + positions[b]);
            }
        }
        for (int t = 0; t < length; t++) {
            for (int b = 0; b < batch; b++) {
                inputs[t * batch + b] = stream[positions[b] + t];
                targets[t * batch + b] = stream[positions[b] + t + 1];
            }
        }
        Arrays.fill(grads, 0f);
        double loss = model.trainEveryStep(params, inputs, targets, length, h, grads); // checks the rest first
        if (!Double.isFinite(loss)) {
            throw new ArithmeticException("the chunk's loss is " + loss + " (a NaN parameter or input, or an overflow);"
                    + " the parameters and the optimizer's state are untouched");
        }
        if (clip > 0) {
            Clipping.clipElementwise(grads, clip);
        }
        optimizer.step(params, grads);
        return loss;
    }
}
