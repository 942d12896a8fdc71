package org.bptt4j.simd;

import org.bptt4j.Cell;
import org.bptt4j.LayerShape;
import org.bptt4j.Workspace;

/**
 * The buffers of {@link SimdLayer}, allocated once. With T = maxSteps, G gates, S states, and
 * element {@code (t, b, j)} of a sequence of rows of width W at {@code (t*B + b)*W + j}:
 *
 * <pre>
 * saved by forward for backward                                   floats
 *   states        h_0 .. h_T                                       (T+1)*B*H
 *   cellStates    c_0 .. c_T (LSTM)                                (T+1)*B*H
 *   gates         the step's gate activations, (T) x B x G*H       T*B*G*H   (vanilla: none, h_t is its own)
 *   newGateSums   h_{t-1} W_hn + b_hn of each step (GRU)           T*B*H
 * scratch of backward
 *   stepGradients dz_t, the gradients of the pre-activations       T*B*G*H
 *   inputStepGradients  dz_t as W_x sees it (GRU: its n part is     T*B*G*H   (GRU only)
 *                 not scaled by r)
 *   carry         the gradient flowing back into h_{t-1}           B*H
 *   cellCarry     the gradient flowing back into c_{t-1} (LSTM)    B*H
 *   transposed    W_h^T (G*H x H), then W_x^T (G*H x I)            G*H*(H+I)
 *   staging       running weight-gradient sums                     max(I,H)*G*H
 * </pre>
 * Each buffer is followed by {@link Workspace#PADDING} floats, and a buffer a cell does not use has
 * none at all. {@link #sizeInBytes(LayerShape)} adds up exactly these lengths: the formula lives
 * in {@link #lengths}.
 */
final class SimdWorkspace extends Workspace {
    final float[] states;
    final float[] cellStates;
    final float[] gates;
    final float[] newGateSums;
    final float[] stepGradients;
    final float[] inputStepGradients;
    final float[] carry;
    final float[] cellCarry;
    final float[] transposed;
    final float[] staging;
    /** The descriptor every product of a pass is run through. */
    final Product product = new Product();

    SimdWorkspace(LayerShape shape) {
        super(shape);
        long[] n = lengths(shape);
        states = buffer(n[0]);
        cellStates = buffer(n[1]);
        gates = shape.cell() == Cell.VANILLA ? states : buffer(n[2]); // a vanilla step's pre-activation becomes h_t in place
        newGateSums = buffer(n[3]);
        stepGradients = buffer(n[4]);
        inputStepGradients = shape.cell() == Cell.GRU ? buffer(n[5]) : stepGradients;
        carry = buffer(n[6]);
        cellCarry = buffer(n[7]);
        transposed = buffer(n[8]);
        staging = buffer(n[9]);
    }

    /**
     * The floats of each buffer without padding, in the order of the class comment; 0 for a buffer
     * the cell does not use (or shares: the vanilla cell's gates are its states).
     */
    private static long[] lengths(LayerShape s) {
        long t = s.maxSteps(), bh = (long) s.batch() * s.hiddenSize(), gh = s.gateWidth();
        Cell cell = s.cell();
        return new long[]{
                (t + 1) * bh,
                cell == Cell.LSTM ? (t + 1) * bh : 0,
                cell == Cell.VANILLA ? 0 : t * s.batch() * gh,
                cell == Cell.GRU ? t * bh : 0,
                t * s.batch() * gh,
                cell == Cell.GRU ? t * s.batch() * gh : 0,
                bh,
                cell == Cell.LSTM ? bh : 0,
                gh * (s.hiddenSize() + s.inputSize()),
                Math.max(s.inputSize(), s.hiddenSize()) * gh};
    }

    /** @return the size in bytes of the buffers of a workspace for {@code shape}: 4 times the floats of {@link #lengths} and their padding */
    static long sizeInBytes(LayerShape shape) {
        long floats = 0;
        for (long n : lengths(shape)) {
            floats += n == 0 ? 0 : n + PADDING;
        }
        return 4 * floats;
    }

    private static float[] buffer(long n) {
        return n == 0 ? null : new float[padded(n)];
    }

    @Override
    public long sizeInBytes() {
        return sizeInBytes(shape());
    }

    @Override
    public float[] states() {
        return states;
    }
}
