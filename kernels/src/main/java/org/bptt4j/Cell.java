package org.bptt4j;

/**
 * The kind of recurrent cell. {@link #gates()} is G, the number of H-wide blocks in a
 * pre-activation row: weights are I x G*H and H x G*H. Gate orders follow PyTorch so that weights
 * move across unchanged.
 */
public enum Cell {
    /** {@code h_t = f(x_t W_x + h_{t-1} W_h + b)} with f from {@link Activation}; G = 1, state h. */
    VANILLA(1, 1),
    /**
     * Long short-term memory as PyTorch's {@code nn.LSTM}, gates {@code i, f, g, o} (G = 4):
     * {@code c_t = f*c_{t-1} + i*g}, {@code h_t = o*tanh(c_t)}; i, f, o sigmoid, g tanh. State
     * {@code (h, c)}.
     */
    LSTM(4, 2),
    /**
     * Gated recurrent unit as PyTorch's {@code nn.GRU}, gates {@code r, z, n} (G = 3):
     * {@code n_t = tanh(x W_xn + b_n + r*(h_{t-1} W_hn + b_hn))},
     * {@code h_t = (1 - z)*n_t + z*h_{t-1}}; r, z sigmoid. The recurrent n-gate bias {@code b_hn}
     * is a parameter of its own. State h.
     */
    GRU(3, 1);

    private final int gates;
    private final int states;

    Cell(int gates, int states) {
        this.gates = gates;
        this.states = states;
    }

    /**
     * S, the number of B x H blocks in the state a layer carries from step to step (and from one
     * chunk of a sequence to the next).
     *
     * @return 1 ({@code h}), or 2 for the LSTM ({@code h} then {@code c})
     */
    public int states() {
        return states;
    }

    /**
     * G, the number of H-wide gate blocks in a pre-activation row.
     *
     * @return 1, 4 for the LSTM, 3 for the GRU
     */
    public int gates() {
        return gates;
    }
}
