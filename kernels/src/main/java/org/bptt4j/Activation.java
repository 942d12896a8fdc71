package org.bptt4j;

/**
 * The activation f of a {@link Cell#VANILLA} cell. Backward takes {@code f'} from the stored
 * output {@code h = f(a)}, so both are chosen so that this is possible.
 */
public enum Activation {
    /** {@code tanh(a)}; {@code f' = 1 - h^2}. */
    TANH,
    /** {@code max(a, 0)}; {@code f' = 1} where {@code h > 0}, else 0 (PyTorch's choice at 0). */
    RELU
}
