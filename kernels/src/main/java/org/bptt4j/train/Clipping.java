package org.bptt4j.train;

import org.bptt4j.internal.Checks;

/** Gradient clipping over one flat gradient array, in place. */
public final class Clipping {

    /**
     * Whether the JVM has the Vector API, so that the optimizers and clipping may use
     * {@link VectorUpdates} (checked once, from the module layer, without loading the API).
     */
    static final boolean VECTOR = org.bptt4j.Implementation.best() == org.bptt4j.Implementation.SIMD;

    private Clipping() {
    }

    /**
     * Clips every element to [-limit, limit], as min-char-rnn's {@code np.clip(g, -5, 5, out=g)}.
     * NaN stays NaN.
     *
     * @param grads the gradients, clipped in place
     * @param limit the bound, positive
     * @throws IllegalArgumentException if grads is null or the limit is not positive
     */
    public static void clipElementwise(float[] grads, float limit) {
        Checks.notNull("grads", grads);
        if (!(limit > 0)) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        int i = VECTOR ? VectorUpdates.clip(grads, limit) : 0;
        for (; i < grads.length; i++) {
            grads[i] = Math.min(Math.max(grads[i], -limit), limit);
        }
    }

    /**
     * Scales {@code grads} by {@code maxNorm / (norm + 1e-6)} when their L2 norm exceeds
     * {@code maxNorm}, as PyTorch's {@code clip_grad_norm_}.
     *
     * @param grads   the gradients, scaled in place
     * @param maxNorm the largest L2 norm to keep, positive
     * @return the norm before clipping (accumulated in double)
     * @throws IllegalArgumentException if grads is null or maxNorm is not positive
     * @throws ArithmeticException      if the norm is not finite (a NaN or infinite gradient): scaling by it would
     *                                  silently zero or spread it; grads are untouched then
     */
    public static double clipGlobalNorm(float[] grads, float maxNorm) {
        Checks.notNull("grads", grads);
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, was " + maxNorm);
        }
        double norm = Math.sqrt(sumOfSquares(grads));
        if (!Double.isFinite(norm)) {
            requireFinite(grads); // names the first bad element
            throw new ArithmeticException("the gradients' norm overflowed (" + norm + "); nothing was scaled");
        }
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            int i = VECTOR ? VectorUpdates.scale(grads, scale) : 0;
            for (; i < grads.length; i++) {
                grads[i] *= scale;
            }
        }
        return norm;
    }

    /**
     * Checks that every gradient is finite; reads {@code grads}, never writes it.
     *
     * @param grads the gradients
     * @throws ArithmeticException naming the first gradient that is NaN or infinite: training on it would spread it to
     *                             every parameter (a plain loop over the array, small beside the pass that made it)
     */
    public static void requireFinite(float[] grads) {
        for (int i = 0; i < grads.length; i++) {
            if (!Float.isFinite(grads[i])) {
                throw new ArithmeticException("grads[" + i + "] is " + grads[i] + ": a non-finite gradient (a NaN input or parameter,"
                        + " or an overflow); nothing was updated");
            }
        }
    }

    /**
     * Sum of squares: with the Vector API, float lanes over blocks of about 1024 elements, each
     * block's lanes added in double, in order ({@link VectorUpdates#sumOfSquares}); the rest (all of
     * it without the Vector API) element by element in double.
     */
    static double sumOfSquares(float[] a) {
        double sum = VECTOR ? VectorUpdates.sumOfSquares(a) : 0;
        int i = VECTOR ? VectorUpdates.wholeVectors(a.length) : 0;
        for (; i < a.length; i++) {
            sum += (double) a[i] * a[i];
        }
        return sum;
    }
}
