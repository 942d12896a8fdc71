package org.bptt4j.train;

import org.bptt4j.ComputePool;
import org.bptt4j.internal.Checks;

/**
 * Adam as PyTorch's {@code torch.optim.Adam} (no weight decay): {@code m = b1 m + (1-b1) g},
 * {@code v = b2 v + (1-b2) g^2}, {@code p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)}.
 */
public final class Adam implements Optimizer {
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float[] first;
    private final float[] second;
    private int steps;
    private final ElementwiseSplit split;
    /** The bias corrections of the step under way, for {@link #update}. */
    private float stepSize, rootCorrection2;

    /**
     * Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8.
     *
     * @param size         the number of parameters
     * @param learningRate lr, positive and finite
     * @throws IllegalArgumentException for a size below 1 or a rate not positive and finite
     */
    public Adam(int size, float learningRate) {
        this(size, learningRate, 0.9f, 0.999f, 1e-8f);
    }

    /**
     * An optimizer for {@code size} parameters, its moments zero and t 0.
     *
     * @param size         the number of parameters
     * @param learningRate lr, positive and finite
     * @param beta1        b1, the first moment's decay, in [0, 1)
     * @param beta2        b2, the second moment's decay, in [0, 1)
     * @param epsilon      eps, added to the denominator; positive
     * @throws IllegalArgumentException for a size below 1, a rate not positive, betas outside [0, 1) or eps not positive
     */
    public Adam(int size, float learningRate, float beta1, float beta2, float epsilon) {
        this(size, learningRate, beta1, beta2, epsilon, null);
    }

    /**
     * An optimizer for {@code size} parameters whose steps may run on {@code pool}'s threads (the
     * same bits for any thread count; see {@link ComputePool}).
     *
     * @param size         the number of parameters
     * @param learningRate lr, positive and finite
     * @param beta1        b1, the first moment's decay, in [0, 1)
     * @param beta2        b2, the second moment's decay, in [0, 1)
     * @param epsilon      eps, added to the denominator; positive
     * @param pool         the threads, or null for the caller's only
     * @throws IllegalArgumentException for a size below 1, a rate not positive, betas outside [0, 1) or eps not positive
     */
    public Adam(int size, float learningRate, float beta1, float beta2, float epsilon, ComputePool pool) {
        Checks.positive("size", size);
        Checks.positiveFinite("learningRate", learningRate);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), was " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), was " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive, was " + epsilon);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.first = new float[size];
        this.second = new float[size];
        this.split = new ElementwiseSplit(pool, this::update);
    }

    @Override
    public int size() {
        return first.length;
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState("adam", settings(), steps, java.util.Map.of("first", first.clone(), "second", second.clone()));
    }

    @Override
    public void restore(OptimizerState state) {
        Checks.notNull("state", state).requireLike("adam", settings(), java.util.Map.of("first", first.length, "second", second.length));
        if (state.steps() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the state's steps must fit an int, were " + state.steps());
        }
        System.arraycopy(state.arrays().get("first"), 0, first, 0, first.length);
        System.arraycopy(state.arrays().get("second"), 0, second, 0, second.length);
        steps = (int) state.steps();
    }

    private java.util.Map<String, String> settings() {
        return java.util.Map.of("learningRate", Float.toString(learningRate), "beta1", Float.toString(beta1),
                "beta2", Float.toString(beta2), "epsilon", Float.toString(epsilon));
    }

    /**
     * The number of steps taken.
     *
     * @return the number of steps taken (t)
     */
    public int steps() {
        return steps;
    }

    @Override
    public void step(float[] params, float[] grads) {
        Checks.length("params", params, first.length, "the optimizer's size");
        Checks.length("grads", grads, first.length, "the optimizer's size");
        Clipping.requireFinite(grads);
        split.requireOpen();
        steps++;
        float correction1 = (float) (1 - Math.pow(beta1, steps));
        float correction2 = (float) (1 - Math.pow(beta2, steps));
        this.stepSize = learningRate / correction1;
        this.rootCorrection2 = (float) Math.sqrt(correction2);
        split.run(params, grads, first.length);
    }

    private void update(float[] params, float[] grads, int from, int to) {
        float stepSize = this.stepSize, rootCorrection2 = this.rootCorrection2;
        int i = Clipping.VECTOR ? VectorUpdates.adam(params, grads, first, second, beta1, beta2, epsilon, stepSize, rootCorrection2, from, to)
                : from;
        for (; i < to; i++) {
            float g = grads[i];
            float m = first[i] * beta1 + g * (1 - beta1);
            float v = second[i] * beta2 + g * g * (1 - beta2);
            first[i] = m;
            second[i] = v;
            float denominator = (float) Math.sqrt(v) / rootCorrection2 + epsilon;
            params[i] = params[i] - m * stepSize / denominator;
        }
    }
}
