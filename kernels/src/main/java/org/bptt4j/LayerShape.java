package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * The shape of one recurrent layer and the capacity of the buffers made for it: at most
 * {@code maxSteps} time steps (T) of {@code batch} rows (B), {@code inputSize} inputs (I) and
 * {@code hiddenSize} hidden units (H) per row, a {@link Cell} and an {@link Activation}.
 *
 * <p>A shape is immutable and compares by value: a {@link Workspace} and a {@link RecurrentLayer}
 * work together only when their shapes are equal.
 *
 * @param maxSteps   T at most; a forward pass may use any {@code 1 <= T <= maxSteps}
 * @param batch      B, the rows per step
 * @param inputSize  I, the floats per input row
 * @param hiddenSize H, the floats per hidden-state row
 * @param cell       the cell; G = {@code cell.gates()}
 * @param activation f of a vanilla cell; gated cells use their fixed sigmoid/tanh and take {@link Activation#TANH}
 */
public record LayerShape(int maxSteps, int batch, int inputSize, int hiddenSize, Cell cell, Activation activation) {

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if a size is below 1, a value is null, a gated cell is given
     *                                  another activation than TANH, or a buffer of this shape
     *                                  would not fit in a Java array
     */
    public LayerShape {
        Checks.positive("maxSteps", maxSteps);
        Checks.positive("batch", batch);
        Checks.positive("inputSize", inputSize);
        Checks.positive("hiddenSize", hiddenSize);
        Checks.notNull("cell", cell);
        Checks.notNull("activation", activation);
        if (cell != Cell.VANILLA && activation != Activation.TANH) {
            throw new IllegalArgumentException("activation must be TANH for a " + cell + " cell, was " + activation);
        }
        long gh = (long) cell.gates() * hiddenSize;
        // Workspace buffers carry Workspace.PADDING floats more: checked with one extra row of 16 to spare.
        Checks.arraySize("the state buffer (maxSteps+1)*batch*hiddenSize", maxSteps + 2L, batch, 2L * hiddenSize + Workspace.PADDING);
        Checks.arraySize("the gate buffer maxSteps*batch*gates*hiddenSize", maxSteps + 1L, batch, gh + Workspace.PADDING);
        Checks.arraySize("a sequence maxSteps*batch*inputSize", maxSteps, batch, inputSize);
        Checks.arraySize("the parameter array", (long) inputSize + hiddenSize + 2, gh + Workspace.PADDING);
    }

    /**
     * A gated layer shape ({@link Cell#LSTM} or {@link Cell#GRU}; their activations are fixed).
     *
     * @param maxSteps   T at most
     * @param batch      B
     * @param inputSize  I
     * @param hiddenSize H
     * @param cell       the cell ({@link Cell#VANILLA} gives a vanilla tanh shape)
     * @return the shape, its activation {@link Activation#TANH}
     * @throws IllegalArgumentException as the constructor
     */
    public static LayerShape gated(int maxSteps, int batch, int inputSize, int hiddenSize, Cell cell) {
        return new LayerShape(maxSteps, batch, inputSize, hiddenSize, cell, Activation.TANH);
    }

    /**
     * A shape for a cell named as on a command line or in a benchmark parameter: {@code rnn_tanh},
     * {@code rnn_relu}, {@code lstm} or {@code gru} (PyTorch's {@code nn.RNN} nonlinearities, {@code nn.LSTM}, {@code nn.GRU}).
     *
     * @param cell       the cell's name, lower case
     * @param maxSteps   T at most
     * @param batch      B
     * @param inputSize  I
     * @param hiddenSize H
     * @return the shape
     * @throws IllegalArgumentException for another name or a bad size
     */
    public static LayerShape named(String cell, int maxSteps, int batch, int inputSize, int hiddenSize) {
        return switch (Checks.notNull("cell", cell)) {
            case "rnn_tanh" -> vanilla(maxSteps, batch, inputSize, hiddenSize, Activation.TANH);
            case "rnn_relu" -> vanilla(maxSteps, batch, inputSize, hiddenSize, Activation.RELU);
            case "lstm" -> gated(maxSteps, batch, inputSize, hiddenSize, Cell.LSTM);
            case "gru" -> gated(maxSteps, batch, inputSize, hiddenSize, Cell.GRU);
            default -> throw new IllegalArgumentException("cell must be rnn_tanh, rnn_relu, lstm or gru, was \"" + cell + "\"");
        };
    }

    /**
     * The name {@link #named} reads for this shape's cell.
     *
     * @return {@code rnn_tanh}, {@code rnn_relu}, {@code lstm} or {@code gru}
     */
    public String cellName() {
        return switch (cell) {
            case VANILLA -> activation == Activation.TANH ? "rnn_tanh" : "rnn_relu";
            case LSTM -> "lstm";
            case GRU -> "gru";
        };
    }

    /**
     * A vanilla RNN layer shape: {@code h_t = f(x_t W_x + h_{t-1} W_h + b)}.
     *
     * @param maxSteps   T at most
     * @param batch      B
     * @param inputSize  I
     * @param hiddenSize H
     * @param activation f
     * @return the shape, its cell {@link Cell#VANILLA}
     * @throws IllegalArgumentException as the constructor
     */
    public static LayerShape vanilla(int maxSteps, int batch, int inputSize, int hiddenSize, Activation activation) {
        return new LayerShape(maxSteps, batch, inputSize, hiddenSize, Cell.VANILLA, activation);
    }

    /**
     * The width of a pre-activation row.
     *
     * @return G*H
     */
    public int gateWidth() {
        return cell.gates() * hiddenSize;
    }

    /**
     * The layout of this layer's parameter (and gradient) array.
     *
     * @return a new {@link ParameterLayout} of I, H and the cell
     */
    public ParameterLayout parameterLayout() {
        return new ParameterLayout(inputSize, hiddenSize, cell);
    }

    /**
     * The floats an input sequence of {@code steps} steps holds.
     *
     * @param steps the time steps, at most maxSteps
     * @return {@code steps*B*I}
     */
    public int inputLength(int steps) {
        return steps * batch * inputSize;
    }

    /**
     * The floats a hidden-state sequence of {@code steps} steps holds.
     *
     * @param steps the time steps, at most maxSteps
     * @return {@code steps*B*H}
     */
    public int hiddenSequenceLength(int steps) {
        return steps * batch * hiddenSize;
    }

    /**
     * The floats of one hidden state {@code h_t} (or its gradient).
     *
     * @return {@code B*H}
     */
    public int hiddenLength() {
        return batch * hiddenSize;
    }

    /**
     * The floats of a whole state (initial, final, or their gradients): the S =
     * {@code cell.states()} blocks of B x H one after the other ({@code h}, then {@code c} for the
     * LSTM).
     *
     * @return {@code S*B*H}
     */
    public int stateLength() {
        return cell.states() * batch * hiddenSize;
    }

    /**
     * Written out rather than left to the record's generated equals, which goes through method
     * handles: where those are not inlined, its int comparisons box, and forward and backward
     * (which compare the workspace's shape with the layer's) would allocate.
     */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof LayerShape s && maxSteps == s.maxSteps && batch == s.batch
                && inputSize == s.inputSize && hiddenSize == s.hiddenSize && cell == s.cell && activation == s.activation;
    }

    @Override
    public int hashCode() {
        return ((((maxSteps * 31 + batch) * 31 + inputSize) * 31 + hiddenSize) * 31 + cell.hashCode()) * 31 + activation.hashCode();
    }

    @Override
    public String toString() {
        return "LayerShape[T<=" + maxSteps + ", B=" + batch + ", I=" + inputSize + ", H=" + hiddenSize + ", " + cell
                + (cell == Cell.VANILLA ? ", " + activation : "") + "]";
    }
}
