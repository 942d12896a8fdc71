package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * The shape of a {@link RecurrentStack}: L layers of D directions (1, or 2 for bidirectional) of
 * one cell, as PyTorch's {@code torch.nn.RNN/LSTM/GRU(I, H, num_layers=L, bidirectional=D==2)}.
 * Layer 0 reads I floats per row, every other layer the D*H floats of the layer below (forward
 * direction in columns 0..H-1, reverse in H..2H-1).
 *
 * <p>Parameters: one array, each (layer, direction)'s {@link ParameterLayout} one after the other
 * in PyTorch's order (layer 0 forward, layer 0 reverse, layer 1 forward, ...), from
 * {@link #parameterOffset(int, int)}. States: {@link #stateLength()} floats, the h of every
 * (layer, direction) as PyTorch's {@code h_n} (block {@code layer*D + direction} of B x H), then,
 * for the LSTM, every c likewise ({@code c_n}).
 *
 * @param maxSteps   the longest sequence a workspace holds
 * @param batch      B, rows per call
 * @param inputSize  I, the input width of layer 0
 * @param hiddenSize H
 * @param layers     L, at least 1
 * @param directions D, 1 or 2
 * @param cell       the cell of every layer
 * @param activation the vanilla cell's activation (TANH for the gated cells, which do not use it)
 */
public record StackShape(int maxSteps, int batch, int inputSize, int hiddenSize, int layers, int directions, Cell cell,
                         Activation activation) {
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException for a size below 1, directions other than 1 or 2, a null cell or
     *                                  activation, a gated cell with another activation than TANH, or a
     *                                  buffer that would not fit in a Java array
     */
    public StackShape {
        Checks.positive("layers", layers);
        if (directions != 1 && directions != 2) {
            throw new IllegalArgumentException("directions must be 1 or 2, was " + directions);
        }
        new LayerShape(maxSteps, batch, inputSize, hiddenSize, Checks.notNull("cell", cell), Checks.notNull("activation", activation));
        Checks.arraySize("a stack's states", cell.states(), layers, directions, batch, hiddenSize);
    }

    /**
     * A stack of PyTorch's named cell ({@code rnn_tanh}, {@code rnn_relu}, {@code lstm}, {@code gru}).
     *
     * @param cell       the cell's name, as {@link LayerShape#named} reads it
     * @param maxSteps   the longest sequence a workspace holds
     * @param batch      B
     * @param inputSize  I
     * @param hiddenSize H
     * @param layers     L
     * @param directions D, 1 or 2
     * @return the shape
     * @throws IllegalArgumentException for another name or a bad size
     */
    public static StackShape named(String cell, int maxSteps, int batch, int inputSize, int hiddenSize, int layers, int directions) {
        LayerShape one = LayerShape.named(cell, maxSteps, batch, inputSize, hiddenSize);
        return new StackShape(maxSteps, batch, inputSize, hiddenSize, layers, directions, one.cell(), one.activation());
    }

    /**
     * The shape of each direction of layer {@code layer}: input I for layer 0, D*H above.
     *
     * @param layer the layer, from 0 to L-1
     * @return a new {@link LayerShape}
     * @throws IllegalArgumentException if layer is out of range
     */
    public LayerShape layer(int layer) {
        Checks.index("layer", layer, layers);
        return new LayerShape(maxSteps, batch, layer == 0 ? inputSize : outputSize(), hiddenSize, cell, activation);
    }

    /**
     * The width of a layer's output rows.
     *
     * @return D*H
     */
    public int outputSize() {
        return directions * hiddenSize;
    }

    /**
     * Where the parameters of (layer, direction) start in the stack's parameter array.
     *
     * @param layer     the layer, from 0 to L-1
     * @param direction 0 (forward) or, when D = 2, 1 (reverse)
     * @return the offset of that {@link ParameterLayout}
     * @throws IllegalArgumentException if layer or direction is out of range
     */
    public int parameterOffset(int layer, int direction) {
        Checks.index("layer", layer, layers);
        Checks.index("direction", direction, directions);
        int offset = 0;
        for (int l = 0; l < layer; l++) {
            offset += directions * layer(l).parameterLayout().size();
        }
        return offset + direction * layer(layer).parameterLayout().size();
    }

    /**
     * The floats of the parameter (and gradient) array.
     *
     * @return the sum of every (layer, direction)'s {@link ParameterLayout#size()}
     */
    public int parameterSize() {
        return parameterOffset(layers - 1, directions - 1) + layer(layers - 1).parameterLayout().size();
    }

    /**
     * The floats of a state of B rows: h of every layer and direction, then c.
     *
     * @return S x L*D x B x H
     */
    public int stateLength() {
        return stateLength(batch);
    }

    /**
     * The floats of the state of a pass over {@code rows} rows (a smaller batch).
     *
     * @param rows the rows of the pass, from 1 to B
     * @return S x L*D x rows x H
     */
    public int stateLength(int rows) {
        return cell.states() * layers * directions * rows * hiddenSize;
    }

    /**
     * PyTorch's name of a parameter of (layer, direction), such as {@code weight_hh_l1_reverse}.
     *
     * @param kind      {@code weight_ih}, {@code weight_hh}, {@code bias_ih} or {@code bias_hh}
     * @param layer     the layer
     * @param direction 0 (forward) or 1 (reverse)
     * @return {@code kind + "_l" + layer}, then {@code _reverse} for direction 1
     */
    public static String torchName(String kind, int layer, int direction) {
        return kind + "_l" + layer + (direction == 1 ? "_reverse" : "");
    }

    /** Written out, as {@link LayerShape#equals}: the generated one may box, and every pass compares shapes. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof StackShape s && maxSteps == s.maxSteps && batch == s.batch && inputSize == s.inputSize
                && hiddenSize == s.hiddenSize && layers == s.layers && directions == s.directions && cell == s.cell
                && activation == s.activation;
    }

    @Override
    public int hashCode() {
        return ((((maxSteps * 31 + batch) * 31 + inputSize) * 31 + hiddenSize) * 31 + layers * 2 + directions) * 31
                + cell.hashCode() * 7 + activation.hashCode();
    }

    @Override
    public String toString() {
        return "StackShape[T<=" + maxSteps + ", B=" + batch + ", I=" + inputSize + ", H=" + hiddenSize + ", L=" + layers + ", D="
                + directions + ", " + cell + (cell == Cell.VANILLA ? ", " + activation : "") + "]";
    }
}
