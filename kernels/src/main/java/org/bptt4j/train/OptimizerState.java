package org.bptt4j.train;

import java.util.Map;

import org.bptt4j.internal.Checks;

/**
 * What an {@link Optimizer} needs to go on exactly where it stopped: its kind, its settings (as
 * exact decimal strings), its step count and its arrays, each a copy. A checkpoint stores it; an
 * optimizer of the same kind, size and settings restores it, and training then continues bit for
 * bit as if it had never stopped.
 *
 * @param kind     the optimizer's name ({@code sgd}, {@code adagrad}, {@code adam})
 * @param settings its hyperparameters by name
 * @param steps    the steps taken (Adam's t; 0 for the others)
 * @param arrays   its state arrays by name (momentum, squared-gradient sums, moments)
 */
public record OptimizerState(String kind, Map<String, String> settings, long steps, Map<String, float[]> arrays) {
    /**
     * Checks the arguments and copies both maps (not the arrays in them).
     *
     * @throws IllegalArgumentException for a null argument or negative steps
     */
    public OptimizerState {
        Checks.notNull("kind", kind);
        settings = Map.copyOf(Checks.notNull("settings", settings));
        arrays = Map.copyOf(Checks.notNull("arrays", arrays));
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
    }

    /**
     * Checks that this state was saved by an optimizer like the one that restores it.
     *
     * @throws IllegalArgumentException naming what differs
     */
    void requireLike(String expectedKind, Map<String, String> expectedSettings, Map<String, Integer> expectedArrays) {
        if (!kind.equals(expectedKind)) {
            throw new IllegalArgumentException("the state is of a " + kind + " optimizer, not of a " + expectedKind + " one");
        }
        if (!settings.equals(expectedSettings)) {
            throw new IllegalArgumentException("the state's settings " + settings + " differ from this optimizer's " + expectedSettings);
        }
        for (Map.Entry<String, Integer> a : expectedArrays.entrySet()) {
            float[] values = arrays.get(a.getKey());
            if (values == null || values.length != a.getValue()) {
                throw new IllegalArgumentException("the state's array " + a.getKey() + " must hold " + a.getValue() + " floats, "
                        + (values == null ? "is missing" : "holds " + values.length));
            }
        }
    }
}
