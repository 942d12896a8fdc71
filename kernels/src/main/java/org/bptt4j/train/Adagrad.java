package org.bptt4j.train;

import org.bptt4j.ComputePool;
import org.bptt4j.internal.Checks;

/**
 * Adagrad exactly as Karpathy's min-char-rnn: {@code mem += g*g; p -= lr * g / sqrt(mem + 1e-8)}.
 */
public final class Adagrad implements Optimizer {
    /** min-char-rnn's epsilon, inside the square root. */
    public static final float EPSILON = 1e-8f;
    private final float learningRate;
    private final float[] memory;
    private final ElementwiseSplit split;

    /**
     * An optimizer for {@code size} parameters, its sums zero.
     *
     * @param size         the number of parameters
     * @param learningRate lr, positive and finite
     * @throws IllegalArgumentException if size is below 1 or the learning rate is not positive and finite
     */
    public Adagrad(int size, float learningRate) {
        this(size, learningRate, null);
    }

    /**
     * An optimizer for {@code size} parameters whose steps may run on {@code pool}'s threads (the
     * same bits for any thread count; see {@link ComputePool}).
     *
     * @param size         the number of parameters
     * @param learningRate lr, positive and finite
     * @param pool         the threads, or null for the caller's only
     * @throws IllegalArgumentException if size is below 1 or the learning rate is not positive and finite
     */
    public Adagrad(int size, float learningRate, ComputePool pool) {
        Checks.positive("size", size);
        this.learningRate = Checks.positiveFinite("learningRate", learningRate);
        this.memory = new float[size];
        this.split = new ElementwiseSplit(pool, this::update);
    }

    @Override
    public int size() {
        return memory.length;
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState("adagrad", settings(), 0, java.util.Map.of("memory", memory.clone()));
    }

    @Override
    public void restore(OptimizerState state) {
        Checks.notNull("state", state).requireLike("adagrad", settings(), java.util.Map.of("memory", memory.length));
        System.arraycopy(state.arrays().get("memory"), 0, memory, 0, memory.length);
    }

    private java.util.Map<String, String> settings() {
        return java.util.Map.of("learningRate", Float.toString(learningRate));
    }

    /**
     * The running sums of squared gradients, {@code mem}.
     *
     * @return the running sums of squared gradients (for checkpoints and tests); the array itself
     */
    public float[] memory() {
        return memory;
    }

    @Override
    public void step(float[] params, float[] grads) {
        Checks.length("params", params, memory.length, "the optimizer's size");
        Checks.length("grads", grads, memory.length, "the optimizer's size");
        Clipping.requireFinite(grads);
        split.requireOpen();
        split.run(params, grads, memory.length);
    }

    private void update(float[] params, float[] grads, int from, int to) {
        int i = Clipping.VECTOR ? VectorUpdates.adagrad(params, grads, memory, learningRate, EPSILON, from, to) : from;
        for (; i < to; i++) {
            float g = grads[i];
            float mem = Math.fma(g, g, memory[i]);
            memory[i] = mem;
            params[i] = params[i] - g * learningRate / (float) Math.sqrt(mem + EPSILON);
        }
    }
}
