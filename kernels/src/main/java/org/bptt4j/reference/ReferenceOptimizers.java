package org.bptt4j.reference;

/**
 * The update rules and clipping of {@code org.bptt4j.train}, written plainly as scalar loops from
 * their formulas: the oracle the SIMD versions are tested against.
 */
public final class ReferenceOptimizers {
    private ReferenceOptimizers() {
    }

    /**
     * SGD with momentum: {@code v = momentum*v + g; p -= lr*v}.
     *
     * @param params   the parameters, updated in place
     * @param grads    their gradients, read only
     * @param velocity v, updated in place
     * @param lr       the learning rate
     * @param momentum the momentum
     */
    public static void sgd(float[] params, float[] grads, float[] velocity, float lr, float momentum) {
        for (int i = 0; i < params.length; i++) {
            velocity[i] = momentum * velocity[i] + grads[i];
            params[i] -= lr * velocity[i];
        }
    }

    /**
     * min-char-rnn's Adagrad: {@code mem += g*g; p -= lr*g/sqrt(mem + 1e-8)}.
     *
     * @param params the parameters, updated in place
     * @param grads  their gradients, read only
     * @param memory mem, the sums of squared gradients, updated in place
     * @param lr     the learning rate
     */
    public static void adagrad(float[] params, float[] grads, float[] memory, float lr) {
        for (int i = 0; i < params.length; i++) {
            memory[i] += grads[i] * grads[i];
            params[i] -= lr * grads[i] / (float) Math.sqrt(memory[i] + 1e-8f);
        }
    }

    /**
     * Adam, step {@code t} (from 1): bias-corrected first and second moments.
     *
     * @param params the parameters, updated in place
     * @param grads  their gradients, read only
     * @param m      the first moments, updated in place
     * @param v      the second moments, updated in place
     * @param t      the number of this step, from 1
     * @param lr     the learning rate
     * @param beta1  the first moment's decay
     * @param beta2  the second moment's decay
     * @param eps    added to the denominator
     */
    public static void adam(float[] params, float[] grads, float[] m, float[] v, int t, float lr, float beta1, float beta2, float eps) {
        for (int i = 0; i < params.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * grads[i];
            v[i] = beta2 * v[i] + (1 - beta2) * grads[i] * grads[i];
            double mHat = m[i] / (1 - Math.pow(beta1, t));
            double vHat = v[i] / (1 - Math.pow(beta2, t));
            params[i] -= (float) (lr * mHat / (Math.sqrt(vHat) + eps));
        }
    }

    /**
     * Every element clipped to [-limit, limit].
     *
     * @param grads the gradients, clipped in place
     * @param limit the bound
     */
    public static void clipElementwise(float[] grads, float limit) {
        for (int i = 0; i < grads.length; i++) {
            grads[i] = Math.max(-limit, Math.min(limit, grads[i]));
        }
    }

    /**
     * Scaled by {@code maxNorm/(norm + 1e-6)} when the L2 norm exceeds maxNorm; returns the norm.
     *
     * @param grads   the gradients, scaled in place
     * @param maxNorm the largest L2 norm to keep
     * @return the norm before scaling, summed in double
     */
    public static double clipGlobalNorm(float[] grads, float maxNorm) {
        double sum = 0;
        for (float g : grads) {
            sum += (double) g * g;
        }
        double norm = Math.sqrt(sum);
        if (norm > maxNorm) {
            for (int i = 0; i < grads.length; i++) {
                grads[i] = (float) (grads[i] * (maxNorm / (norm + 1e-6)));
            }
        }
        return norm;
    }
}
