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
    /** @throws IllegalArgumentException for a size below 1, directions other than 1 or 2, or a null cell or activation */
    public StackShape {
        Checks.positive("layers", layers);
        if (directions != 1 && directions != 2) {
            throw new IllegalArgumentException("directions must be 1 or 2, was " + directions);
        }
        new LayerShape(maxSteps, batch, inputSize, hiddenSize, Checks.notNull("cell", cell), Checks.notNull("activation", activation));
        Checks.arraySize("a stack's states", cell.states(), layers, directions, batch, hiddenSize);
    }

    /** A stack of PyTorch's named cell ({@code rnn_tanh}, {@code rnn_relu}, {@code lstm}, {@code gru}). */
    public static StackShape named(String cell, int maxSteps, int batch, int inputSize, int hiddenSize, int layers, int directions) {
        LayerShape one = LayerShape.named(cell, maxSteps, batch, inputSize, hiddenSize);
        return new StackShape(maxSteps, batch, inputSize, hiddenSize, layers, directions, one.cell(), one.activation());
    }

    /** @return the shape of each direction of layer {@code layer}: input I for layer 0, D*H above */
    public LayerShape layer(int layer) {
        Checks.index("layer", layer, layers);
        return new LayerShape(maxSteps, batch, layer == 0 ? inputSize : outputSize(), hiddenSize, cell, activation);
    }

    /** @return D*H, the width of a layer's output rows */
    public int outputSize() {
        return directions * hiddenSize;
    }

    /** @return where the parameters of (layer, direction) start */
    public int parameterOffset(int layer, int direction) {
        Checks.index("layer", layer, layers);
        Checks.index("direction", direction, directions);
        int offset = 0;
        for (int l = 0; l < layer; l++) {
            offset += directions * layer(l).parameterLayout().size();
        }
        return offset + direction * layer(layer).parameterLayout().size();
    }

    /** @return the floats of the parameter (and gradient) array */
    public int parameterSize() {
        return parameterOffset(layers - 1, directions - 1) + layer(layers - 1).parameterLayout().size();
    }

    /** @return the floats of a state: S x L*D x B x H (h of every layer and direction, then c) */
    public int stateLength() {
        return stateLength(batch);
    }

    /** @return the floats of the state of a pass over {@code rows} rows (a smaller batch): S x L*D x rows x H */
    public int stateLength(int rows) {
        return cell.states() * layers * directions * rows * hiddenSize;
    }

    /** @return PyTorch's name of the parameter {@code kind} ({@code weight_ih}, {@code weight_hh}, {@code bias_ih}, {@code bias_hh}) of (layer, direction) */
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
