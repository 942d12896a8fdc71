package org.bptt4j;

/**
 * The kind of recurrent cell. {@link #gates()} is G, the number of H-wide blocks in a
 * pre-activation row: weights are I x G*H and H x G*H. Gate orders follow PyTorch so that weights
 * move across unchanged.
 */
public enum Cell {
    /** {@code h_t = f(x_t W_x + h_{t-1} W_h + b)} with f from {@link Activation}; G = 1. */
    VANILLA(1),
    /** Long short-term memory, gates {@code i, f, g, o}; G = 4. Not implemented by any layer yet. */
    LSTM(4),
    /** Gated recurrent unit, gates {@code r, z, n}, with the separate bias {@code b_hn}; G = 3. Not implemented by any layer yet. */
    GRU(3);

    private final int gates;

    Cell(int gates) {
        this.gates = gates;
    }

    /** @return G, the number of H-wide gate blocks in a pre-activation row */
    public int gates() {
        return gates;
    }
}
