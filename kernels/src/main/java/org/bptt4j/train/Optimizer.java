package org.bptt4j.train;

/**
 * An update rule run as one loop over one flat parameter array and its gradient array (any
 * layout: the rule is elementwise). State (momentum, squared-gradient sums) is allocated once, at
 * construction, for a fixed number of parameters; {@link #step} allocates nothing.
 */
public interface Optimizer {
    /**
     * Updates {@code params} from {@code grads}, both of the size given at construction. Reads
     * {@code grads}, never writes it (the caller zeroes it for the next step).
     *
     * @param params the parameters, updated in place
     * @param grads  their gradients, in the same layout; read only
     * @throws IllegalArgumentException if an array is null or not of that size; nothing is written then
     * @throws ArithmeticException      if a gradient is NaN or infinite (one NaN input or parameter makes every gradient
     *                                  NaN, and a step would spread it to the parameters); parameters and state are untouched then
     */
    void step(float[] params, float[] grads);

    /**
     * The number of parameters this optimizer updates.
     *
     * @return the number of parameters this optimizer's state was sized for
     */
    int size();

    /**
     * Saves this optimizer's state, for a checkpoint.
     *
     * @return a copy of everything {@link #restore} needs to continue exactly from here
     */
    OptimizerState state();

    /**
     * Continues from {@code state}, saved by an optimizer of the same kind, size and settings.
     *
     * @param state a state from {@link #state()}; its arrays are copied in
     * @throws IllegalArgumentException if it was not (the message says what differs); nothing is changed then
     */
    void restore(OptimizerState state);
}
