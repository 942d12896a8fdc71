package org.bptt4j.reference;

import org.bptt4j.LayerShape;
import org.bptt4j.Workspace;

/**
 * The buffers of {@link ReferenceLayer}, allocated once; T = maxSteps, G gates, rows time-major:
 * <pre>
 * saved by forward                                             floats
 *   states       h_0 .. h_T (or rows of an array shared by a    (T+1)*B*H  (own only)
 *                bidirectional stack's two directions: state
 *                row r at stateBase + r*ldh)
 *   cellStates   c_0 .. c_T (all zeros but for the LSTM)       (T+1)*B*H
 *   gates        each step's gate activations                  T*B*G*H
 *   newGateSums  h_{t-1} W_hn + b_hn of each step (GRU)         T*B*H
 * scratch
 *   inputSums, recurrentSums  one row's x W_x + b and h W_h    2*G*H
 *   stepGradients, inputStepGradients  dz_t as W_h and W_x see it   2*T*B*G*H
 *   carry, cellCarry, direct  the gradients flowing back into h_{t-1}, c_{t-1}, and h_{t-1}'s direct part   3*B*H
 * </pre>
 * {@link #sizeInBytes()} is 4 times the sum of these (each with {@link Workspace#PADDING} floats more).
 */
final class ReferenceWorkspace extends Workspace {
    final float[] states, cellStates, gates, newGateSums;
    /** State row r of {@link #states} (h_0's rows, then h_1's ...) starts at {@code stateBase + r*ldh}. */
    final int stateBase, ldh;
    private final boolean sharedStates;
    final float[] inputSums, recurrentSums;
    final float[] stepGradients, inputStepGradients;
    final float[] carry, cellCarry, direct;

    /** @param sharedStates the hidden states' array (row r at {@code stateBase + r*ldh}), or null for a buffer of this workspace's own */
    ReferenceWorkspace(LayerShape s, float[] sharedStates, int stateBase, int ldh) {
        super(s);
        long t = s.maxSteps(), bh = (long) s.batch() * s.hiddenSize(), gh = s.gateWidth();
        this.sharedStates = sharedStates != null;
        states = sharedStates != null ? sharedStates : new float[padded((t + 1) * bh)];
        this.stateBase = sharedStates != null ? stateBase : 0;
        this.ldh = sharedStates != null ? ldh : s.hiddenSize();
        cellStates = new float[padded((t + 1) * bh)];
        gates = new float[padded(t * s.batch() * gh)];
        newGateSums = new float[padded(t * bh)];
        inputSums = new float[padded(gh)];
        recurrentSums = new float[padded(gh)];
        stepGradients = new float[padded(t * s.batch() * gh)];
        inputStepGradients = new float[padded(t * s.batch() * gh)];
        carry = new float[padded(bh)];
        cellCarry = new float[padded(bh)];
        direct = new float[padded(bh)];
    }

    @Override
    public long sizeInBytes() {
        long floats = 0;
        for (float[] a : new float[][]{cellStates, gates, newGateSums, inputSums, recurrentSums,
                stepGradients, inputStepGradients, carry, cellCarry, direct}) {
            floats += a.length;
        }
        return 4 * (floats + (sharedStates ? 0 : states.length)); // shared states are the stack's
    }

    @Override
    public float[] states() {
        return states;
    }

    /** @return where state row r starts in {@link #states} */
    int stateIndex(int r) {
        return stateBase + r * ldh;
    }
}
