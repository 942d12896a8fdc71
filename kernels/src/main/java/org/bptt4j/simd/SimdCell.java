package org.bptt4j.simd;

import jdk.incubator.vector.VectorSpecies;
import org.bptt4j.Activation;
import org.bptt4j.LayerShape;

/**
 * The elementwise math of one cell's time step, forward and backward, run by {@link SimdLayer} on
 * a finished block of the step's product (hidden units {@code [u0, u1)} of a range of its rows;
 * on one thread all H units) while it is in cache. A cell reads and writes only padded buffers
 * (the workspace's, or the states array a bidirectional stack shares between its directions,
 * padded too), so the last vector of a row is a masked one and never needs a scalar remainder.
 *
 * <p>What the driver has done before each call:
 * <ul>
 *   <li>forward, step t (1..T): the step's pre-activations are in {@code ws.gates} at
 *       {@link SimdLayer#gateOffset(int, SimdWorkspace)}, {@code x_t W_x + b + h_{t-1} W_h} (the GRU's n gate:
 *       {@code x_t W_xn + b_n} there, and {@code h_{t-1} W_hn + b_hn} in {@code ws.newGateSums}).
 *       The cell writes {@code h_t} (and {@code c_t}) and keeps what its backward step needs.</li>
 *   <li>backward, step t (T..1): {@code ws.carry} holds the whole gradient of {@code h_t} (the
 *       upstream one added). The cell writes {@code dz_t} into {@code ws.stepGradients} (the
 *       GRU's n part as W_h sees it into {@code ws.newGateGradients}) and what flows back into the state of step t-1 other than
 *       through {@code dz_t W_h^T}: the LSTM's {@code dc} into {@code ws.cellCarry}, the GRU's
 *       {@code dh*z} into {@code ws.carry}.</li>
 * </ul>
 * "Step t-1" is the step before t in the recurrence: in a {@linkplain org.bptt4j.StepRows#reversed()
 * reversed} pass, step t+1, or the initial state for a row that starts at t. A cell finds a row's
 * previous state with {@link org.bptt4j.StepRows#previousRow(int, int)}.
 * No method takes or returns a vector or a mask (see {@link MatMul}): each mask is made where it
 * is used, {@code S.indexInRange(0, lanes)} (all lanes when lanes >= L). A helper returning the
 * mask was once compiled on its own, C2 then declined to inline it, and it returned a new mask
 * object on every call (seen in a test run, where it depended on the order of compilations).
 */
abstract class SimdCell {
    static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    static final int L = S.length();

    /** @return the cell of {@code shape} */
    static SimdCell of(LayerShape shape) {
        return switch (shape.cell()) {
            case VANILLA -> shape.activation() == Activation.TANH ? VanillaCell.TANH : VanillaCell.RELU;
            case LSTM -> LstmCell.INSTANCE;
            case GRU -> GruCell.INSTANCE;
        };
    }

    /** Forward step t for hidden units [u0, u1) of the step's rows [b0, b1) (at most its active rows). */
    abstract void forward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1);

    /** Backward step t for hidden units [u0, u1) of the step's rows [b0, b1) (at most its active rows). */
    abstract void backward(SimdWorkspace ws, int t, int b0, int b1, int u0, int u1);
}
