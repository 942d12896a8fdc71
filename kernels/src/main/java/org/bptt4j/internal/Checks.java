package org.bptt4j.internal;

/**
 * Argument checks shared by every public entry point. Each throws {@link IllegalArgumentException}
 * with a message that names the argument, the expected and the actual value.
 */
public final class Checks {
    /** The largest array length every JVM can allocate. */
    public static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private Checks() {
    }

    /** @throws IllegalArgumentException unless {@code value >= 1} */
    public static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code 0 <= value < count} */
    public static int index(String name, int value, int count) {
        if (value < 0 || value >= count) {
            throw new IllegalArgumentException(name + " must be in [0, " + count + "), was " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code value} is positive and finite */
    public static float positiveFinite(String name, float value) {
        if (!(value > 0 && Float.isFinite(value))) {
            throw new IllegalArgumentException(name + " must be positive and finite, was " + value);
        }
        return value;
    }

    /**
     * @throws IllegalArgumentException if {@code grads} is the {@code params} array itself: the
     *                                  gradients would be added to the parameters
     */
    public static void distinct(float[] params, float[] grads) {
        if (grads == params) {
            throw new IllegalArgumentException("grads must not be the params array: gradients would be added to the parameters");
        }
    }

    /** @throws IllegalArgumentException if {@code value} is null */
    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    /**
     * @param what how the expected length comes about, e.g. {@code "batch*hiddenSize"}: a constant,
     *             so that a passing check builds no string (hot paths must not allocate)
     * @throws IllegalArgumentException if {@code array} is null or its length is not {@code expected}
     */
    public static float[] length(String name, float[] array, long expected, String what) {
        notNull(name, array);
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ".length must be " + expected + " (" + what + "), was " + array.length);
        }
        return array;
    }

    /** Like {@link #length} but a longer array is accepted (only the first {@code expected} elements are used). */
    public static float[] atLeast(String name, float[] array, long expected, String what) {
        notNull(name, array);
        if (array.length < expected) {
            throw new IllegalArgumentException(name + ".length must be at least " + expected + " (" + what + "), was " + array.length);
        }
        return array;
    }

    /** {@link #length} for an optional array: null passes. */
    public static float[] lengthOrNull(String name, float[] array, long expected, String what) {
        return array == null ? null : length(name, array, expected, what);
    }

    /** {@link #atLeast} for an optional array: null passes. */
    public static float[] atLeastOrNull(String name, float[] array, long expected, String what) {
        return array == null ? null : atLeast(name, array, expected, what);
    }

    /**
     * The product of sizes (each at least 0) as a long.
     *
     * @throws IllegalArgumentException if it exceeds what a Java array can hold
     */
    public static long arraySize(String name, long... factors) {
        long product = 1;
        for (long f : factors) {
            if (f < 0 || (f != 0 && product > MAX_ARRAY_LENGTH / f)) {
                throw new IllegalArgumentException(name + " would need more than " + MAX_ARRAY_LENGTH + " elements");
            }
            product *= f;
        }
        return product;
    }

}
