package org.bptt4j.train;

import org.bptt4j.ComputePool;
import org.bptt4j.internal.Checks;

/**
 * Stochastic gradient descent with momentum, as PyTorch's {@code torch.optim.SGD}:
 * {@code v = momentum * v + g; p -= lr * v} (with momentum 0, plain {@code p -= lr * g}).
 */
public final class Sgd implements Optimizer {
    private final float learningRate;
    private final float momentum;
    private final float[] velocity;
    private final ElementwiseSplit split;

    /**
     * An optimizer for {@code size} parameters, its velocity zero.
     *
     * @param size         the number of parameters
     * @param learningRate lr, positive and finite
     * @param momentum     the momentum, in [0, 1); 0 for plain SGD
     * @throws IllegalArgumentException if size is below 1, the learning rate not positive and
     *                                  finite, or the momentum not in [0, 1)
     */
    public Sgd(int size, float learningRate, float momentum) {
        this(size, learningRate, momentum, null);
    }

    /**
     * An optimizer for {@code size} parameters whose steps may run on {@code pool}'s threads (the
     * same bits for any thread count; see {@link ComputePool}).
     *
     * @param size         the number of parameters
     * @param learningRate lr, positive and finite
     * @param momentum     the momentum, in [0, 1); 0 for plain SGD
     * @param pool         the threads, or null for the caller's only
     * @throws IllegalArgumentException if size is below 1, the learning rate not positive and
     *                                  finite, or the momentum not in [0, 1)
     */
    public Sgd(int size, float learningRate, float momentum, ComputePool pool) {
        Checks.positive("size", size);
        Checks.positiveFinite("learningRate", learningRate);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.velocity = new float[size];
        this.split = new ElementwiseSplit(pool, this::update);
    }

    @Override
    public int size() {
        return velocity.length;
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState("sgd", settings(), 0, java.util.Map.of("velocity", velocity.clone()));
    }

    @Override
    public void restore(OptimizerState state) {
        Checks.notNull("state", state).requireLike("sgd", settings(), java.util.Map.of("velocity", velocity.length));
        System.arraycopy(state.arrays().get("velocity"), 0, velocity, 0, velocity.length);
    }

    private java.util.Map<String, String> settings() {
        return java.util.Map.of("learningRate", Float.toString(learningRate), "momentum", Float.toString(momentum));
    }

    @Override
    public void step(float[] params, float[] grads) {
        Checks.length("params", params, velocity.length, "the optimizer's size");
        Checks.length("grads", grads, velocity.length, "the optimizer's size");
        Clipping.requireFinite(grads);
        split.requireOpen();
        split.run(params, grads, velocity.length);
    }

    private void update(float[] params, float[] grads, int from, int to) {
        int i = Clipping.VECTOR ? VectorUpdates.sgd(params, grads, velocity, learningRate, momentum, from, to) : from;
        for (; i < to; i++) {
            float v = Math.fma(velocity[i], momentum, grads[i]);
            velocity[i] = v;
            params[i] = params[i] - v * learningRate;
        }
    }
}
