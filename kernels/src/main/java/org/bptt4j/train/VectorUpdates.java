package org.bptt4j.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bptt4j.simd.VectorWidth;

/**
 * The optimizers' and clipping's loops on the Vector API, each over the whole vectors of an array;
 * the caller finishes the remaining elements with the same operations in scalar code. This is the
 * only class of the package that touches {@code jdk.incubator.vector}, and it is loaded only where
 * the JVM has it ({@link Clipping#VECTOR}, a flag kept out of this class: reading a field of it
 * would load it), so that the scalar reference path, optimizers included, runs without
 * {@code --add-modules jdk.incubator.vector}.
 */
final class VectorUpdates {
    private VectorUpdates() {
    }

    private static VectorSpecies<Float> species() {
        return VectorWidth.species();
    }

    /** Elements [from, to), whole vectors only. @return where the scalar remainder starts */
    static int sgd(float[] params, float[] grads, float[] velocity, float learningRate, float momentum, int from, int to) {
        VectorSpecies<Float> s = species();
        int i = from;
        for (; i <= to - s.length(); i += s.length()) {
            FloatVector v = FloatVector.fromArray(s, velocity, i).fma(FloatVector.broadcast(s, momentum), FloatVector.fromArray(s, grads, i));
            v.intoArray(velocity, i);
            FloatVector.fromArray(s, params, i).sub(v.mul(learningRate)).intoArray(params, i);
        }
        return i;
    }

    /** Elements [from, to), whole vectors only. @return where the scalar remainder starts */
    static int adagrad(float[] params, float[] grads, float[] memory, float learningRate, float epsilon, int from, int to) {
        VectorSpecies<Float> s = species();
        int i = from;
        for (; i <= to - s.length(); i += s.length()) {
            FloatVector g = FloatVector.fromArray(s, grads, i);
            FloatVector mem = g.fma(g, FloatVector.fromArray(s, memory, i));
            mem.intoArray(memory, i);
            FloatVector step = g.mul(learningRate).div(mem.add(epsilon).lanewise(VectorOperators.SQRT));
            FloatVector.fromArray(s, params, i).sub(step).intoArray(params, i);
        }
        return i;
    }

    /** Elements [from, to), whole vectors only. @return where the scalar remainder starts */
    static int adam(float[] params, float[] grads, float[] first, float[] second, float beta1, float beta2, float epsilon,
                    float stepSize, float rootCorrection2, int from, int to) {
        VectorSpecies<Float> s = species();
        int i = from;
        for (; i <= to - s.length(); i += s.length()) {
            FloatVector g = FloatVector.fromArray(s, grads, i);
            FloatVector m = FloatVector.fromArray(s, first, i).mul(beta1).add(g.mul(1 - beta1));
            FloatVector v = FloatVector.fromArray(s, second, i).mul(beta2).add(g.mul(g).mul(1 - beta2));
            m.intoArray(first, i);
            v.intoArray(second, i);
            FloatVector denominator = v.lanewise(VectorOperators.SQRT).div(rootCorrection2).add(epsilon);
            FloatVector.fromArray(s, params, i).sub(m.mul(stepSize).div(denominator)).intoArray(params, i);
        }
        return i;
    }

    /** @return where the scalar remainder starts */
    static int clip(float[] grads, float limit) {
        VectorSpecies<Float> s = species();
        int i = 0;
        for (; i <= grads.length - s.length(); i += s.length()) {
            FloatVector.fromArray(s, grads, i).max(-limit).min(limit).intoArray(grads, i);
        }
        return i;
    }

    /** @return where the scalar remainder starts */
    static int scale(float[] grads, float factor) {
        VectorSpecies<Float> s = species();
        int i = 0;
        for (; i <= grads.length - s.length(); i += s.length()) {
            FloatVector.fromArray(s, grads, i).mul(factor).intoArray(grads, i);
        }
        return i;
    }

    /** @return how many leading elements of an array of {@code n} the loops here cover: its whole vectors */
    static int wholeVectors(int n) {
        return n - n % species().length();
    }

    /**
     * The sum of squares of the {@link #wholeVectors} of {@code a}: float lanes over blocks of about
     * 1024 elements, each block's lanes added in double, in order.
     */
    static double sumOfSquares(float[] a) {
        VectorSpecies<Float> s = species();
        double sum = 0;
        int i = 0;
        while (i <= a.length - s.length()) {
            int end = Math.min(a.length - s.length(), i + 1024);
            FloatVector acc = FloatVector.zero(s);
            for (; i <= end; i += s.length()) {
                FloatVector v = FloatVector.fromArray(s, a, i);
                acc = v.fma(v, acc);
            }
            for (int l = 0; l < s.length(); l++) {
                sum += acc.lane(l); // in lane order: reduceLanes(ADD) leaves the order open, and so the bits
            }
        }
        return sum;
    }
}
