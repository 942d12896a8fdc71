package org.bptt4j;

import org.bptt4j.internal.Checks;

/**
 * Where each parameter of a layer lives in its one flat {@code float[]} (the gradient array has
 * the same layout), and the mapping to and from PyTorch's {@code nn.RNN}/{@code nn.LSTM}/
 * {@code nn.GRU} tensors. With G = {@code cell.gates()}:
 *
 * <pre>
 * offset                      what             shape        element (r, c) at
 * 0                           W_x              I x G*H      r*G*H + c
 * I*G*H                       W_h              H x G*H      wh + r*G*H + c
 * (I+H)*G*H                   b                G*H          bias + c
 * (I+H+1)*G*H                 b_hn (GRU only)  H            bhn + c
 * size = (I+H+1)*G*H (+ H for the GRU)
 * </pre>
 *
 * Both matrices are row-major with the input (or previous hidden) index as the row, so that
 * {@code x_t W_x} reads rows. PyTorch's {@code weight_ih_l0} (G*H x I) is the transpose of W_x,
 * {@code weight_hh_l0} that of W_h, and {@code bias_ih_l0 + bias_hh_l0} is b, except for the
 * GRU's n-gate part of {@code bias_hh_l0}, which is {@code b_hn}.
 *
 * @param inputSize  I
 * @param hiddenSize H
 * @param cell       the cell, which gives G
 */
public record ParameterLayout(int inputSize, int hiddenSize, Cell cell) {

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if a size is below 1, cell is null, or the parameter array
     *                                  would not fit in a Java array
     */
    public ParameterLayout {
        Checks.positive("inputSize", inputSize);
        Checks.positive("hiddenSize", hiddenSize);
        Checks.notNull("cell", cell);
        Checks.arraySize("the parameter array", (long) inputSize + hiddenSize + 2, (long) cell.gates() * hiddenSize);
    }

    /**
     * The row length of both matrices, and the length of b.
     *
     * @return G*H
     */
    public int gateWidth() {
        return cell.gates() * hiddenSize;
    }

    /**
     * Where W_x starts.
     *
     * @return 0: W_x always comes first
     */
    public int inputWeightsOffset() {
        return 0;
    }

    /**
     * Where W_h starts.
     *
     * @return {@code I*G*H}
     */
    public int recurrentWeightsOffset() {
        return inputSize * gateWidth();
    }

    /**
     * Where b starts.
     *
     * @return {@code (I+H)*G*H}
     */
    public int biasOffset() {
        return (inputSize + hiddenSize) * gateWidth();
    }

    /**
     * Where the GRU's b_hn starts; for other cells, the end of the layout.
     *
     * @return {@code (I+H+1)*G*H}; for other cells this equals {@link #size()}
     */
    public int recurrentNewGateBiasOffset() {
        return biasOffset() + gateWidth();
    }

    /**
     * The length of the parameter (and gradient) array.
     *
     * @return {@code (I+H+1)*G*H}, plus H for the GRU
     */
    public int size() {
        return recurrentNewGateBiasOffset() + (cell == Cell.GRU ? hiddenSize : 0);
    }

    /**
     * Writes PyTorch's four tensors into {@code params} in this layout. Each tensor is flat and
     * row-major as PyTorch stores it.
     *
     * @param weightIh {@code weight_ih_l0}, G*H x I
     * @param weightHh {@code weight_hh_l0}, G*H x H
     * @param biasIh   {@code bias_ih_l0}, G*H
     * @param biasHh   {@code bias_hh_l0}, G*H
     * @param params   the destination, {@link #size()} floats; fully written
     * @throws IllegalArgumentException for a null or wrongly sized array; nothing is written then
     */
    public void fromPyTorch(float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh, float[] params) {
        Checks.length("params", params, size(), "parameter layout size");
        fromPyTorch(weightIh, weightHh, biasIh, biasHh, params, 0);
    }

    /**
     * {@link #fromPyTorch(float[], float[], float[], float[], float[])} into the {@link #size()}
     * floats of {@code params} from {@code offset} (one layer of a {@link StackShape stack}).
     *
     * @param weightIh {@code weight_ih}, G*H x I
     * @param weightHh {@code weight_hh}, G*H x H
     * @param biasIh   {@code bias_ih}, G*H
     * @param biasHh   {@code bias_hh}, G*H
     * @param params   the destination; its {@link #size()} floats from {@code offset} are fully written
     * @param offset   where this layer's parameters start in {@code params}
     * @throws IllegalArgumentException for a null or wrongly sized array; nothing is written then
     */
    public void fromPyTorch(float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh, float[] params, int offset) {
        checkPyTorch(weightIh, weightHh, biasIh, biasHh);
        checkRange("params", params, offset);
        int gh = gateWidth();
        int wh = offset + recurrentWeightsOffset();
        int bias = offset + biasOffset();
        for (int g = 0; g < gh; g++) {
            for (int i = 0; i < inputSize; i++) {
                params[offset + i * gh + g] = weightIh[g * inputSize + i];
            }
            for (int k = 0; k < hiddenSize; k++) {
                params[wh + k * gh + g] = weightHh[g * hiddenSize + k];
            }
            params[bias + g] = biasIh[g] + (isNewGateOfGru(g) ? 0f : biasHh[g]);
        }
        if (cell == Cell.GRU) {
            System.arraycopy(biasHh, 2 * hiddenSize, params, offset + recurrentNewGateBiasOffset(), hiddenSize);
        }
    }

    private void checkRange(String name, float[] array, int offset) {
        Checks.notNull(name, array);
        if (offset < 0 || (long) offset + size() > array.length) {
            throw new IllegalArgumentException(name + " must hold the layout's " + size() + " floats from offset " + offset
                    + ", but its length is " + array.length);
        }
    }

    /**
     * Writes {@code params} as PyTorch's four tensors. A sum of two biases cannot be split back,
     * so all of b goes to {@code biasIh} and {@code biasHh} gets zeros (the GRU's n-gate part of
     * {@code biasHh} gets {@code b_hn}); PyTorch computes the same function from them.
     *
     * @param params   the source, {@link #size()} floats in this layout; read only
     * @param weightIh receives {@code weight_ih_l0}, G*H x I
     * @param weightHh receives {@code weight_hh_l0}, G*H x H
     * @param biasIh   receives {@code bias_ih_l0}, G*H: all of b
     * @param biasHh   receives {@code bias_hh_l0}, G*H: zeros (for the GRU, {@code b_hn} in the n-gate part)
     * @throws IllegalArgumentException for a null or wrongly sized array; nothing is written then
     */
    public void toPyTorch(float[] params, float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh) {
        Checks.length("params", params, size(), "parameter layout size");
        checkPyTorch(weightIh, weightHh, biasIh, biasHh);
        transposeMatricesOut(params, 0, weightIh, weightHh);
        int gh = gateWidth();
        System.arraycopy(params, biasOffset(), biasIh, 0, gh);
        java.util.Arrays.fill(biasHh, 0f);
        if (cell == Cell.GRU) {
            System.arraycopy(params, recurrentNewGateBiasOffset(), biasHh, 2 * hiddenSize, hiddenSize);
        }
    }

    /**
     * Writes a gradient array of this layout as the gradients PyTorch gives its four tensors. Both
     * biases enter the pre-activation as a plain sum, so each gets the gradient of b (the GRU's
     * n-gate part of {@code bias_hh} gets that of {@code b_hn}).
     *
     * @param grads     the gradients, {@link #size()} floats in this layout; read only
     * @param dWeightIh receives the gradient of {@code weight_ih_l0}, G*H x I
     * @param dWeightHh receives the gradient of {@code weight_hh_l0}, G*H x H
     * @param dBiasIh   receives the gradient of {@code bias_ih_l0}, G*H: that of b
     * @param dBiasHh   receives the gradient of {@code bias_hh_l0}, G*H: that of b (for the GRU's
     *                  n-gate part, that of {@code b_hn})
     * @throws IllegalArgumentException for a null or wrongly sized array; nothing is written then
     */
    public void gradientsToPyTorch(float[] grads, float[] dWeightIh, float[] dWeightHh, float[] dBiasIh, float[] dBiasHh) {
        Checks.length("grads", grads, size(), "parameter layout size");
        gradientsToPyTorch(grads, 0, dWeightIh, dWeightHh, dBiasIh, dBiasHh);
    }

    /**
     * {@link #gradientsToPyTorch(float[], float[], float[], float[], float[])} from the
     * {@link #size()} floats of {@code grads} from {@code offset} (one layer of a stack).
     *
     * @param grads     the gradient array; its {@link #size()} floats from {@code offset} are read
     * @param offset    where this layer's gradients start in {@code grads}
     * @param dWeightIh receives the gradient of {@code weight_ih}, G*H x I
     * @param dWeightHh receives the gradient of {@code weight_hh}, G*H x H
     * @param dBiasIh   receives the gradient of {@code bias_ih}, G*H
     * @param dBiasHh   receives the gradient of {@code bias_hh}, G*H
     * @throws IllegalArgumentException for a null or wrongly sized array; nothing is written then
     */
    public void gradientsToPyTorch(float[] grads, int offset, float[] dWeightIh, float[] dWeightHh, float[] dBiasIh, float[] dBiasHh) {
        checkRange("grads", grads, offset);
        checkPyTorch(dWeightIh, dWeightHh, dBiasIh, dBiasHh);
        transposeMatricesOut(grads, offset, dWeightIh, dWeightHh);
        int gh = gateWidth();
        System.arraycopy(grads, offset + biasOffset(), dBiasIh, 0, gh);
        System.arraycopy(grads, offset + biasOffset(), dBiasHh, 0, gh);
        if (cell == Cell.GRU) {
            System.arraycopy(grads, offset + recurrentNewGateBiasOffset(), dBiasHh, 2 * hiddenSize, hiddenSize);
        }
    }

    private void transposeMatricesOut(float[] src, int offset, float[] weightIh, float[] weightHh) {
        int gh = gateWidth();
        int wh = offset + recurrentWeightsOffset();
        for (int g = 0; g < gh; g++) {
            for (int i = 0; i < inputSize; i++) {
                weightIh[g * inputSize + i] = src[offset + i * gh + g];
            }
            for (int k = 0; k < hiddenSize; k++) {
                weightHh[g * hiddenSize + k] = src[wh + k * gh + g];
            }
        }
    }

    private boolean isNewGateOfGru(int g) {
        return cell == Cell.GRU && g >= 2 * hiddenSize;
    }

    private void checkPyTorch(float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh) {
        int gh = gateWidth();
        Checks.length("weightIh", weightIh, (long) gh * inputSize, "gates*hiddenSize*inputSize");
        Checks.length("weightHh", weightHh, (long) gh * hiddenSize, "gates*hiddenSize*hiddenSize");
        Checks.length("biasIh", biasIh, gh, "gates*hiddenSize");
        Checks.length("biasHh", biasHh, gh, "gates*hiddenSize");
    }
}
