package org.bptt4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;
import org.bptt4j.internal.Checks;
import org.bptt4j.io.SafeTensors;

/**
 * A {@link Model}'s parameters as a safetensors file with PyTorch's names and layouts, so that it
 * loads into {@code torch.nn.RNN(I, H)}, {@code torch.nn.LSTM(I, H)} or {@code torch.nn.GRU(I, H)}
 * (one layer, time-major) plus {@code torch.nn.Linear(H, V)} as {@code rnn.*} and {@code head.*} of
 * a module, and back. With G gates (1, 4 or 3, in PyTorch's gate order):
 *
 * <pre>
 * rnn.weight_ih_l0  G*H x I   (W_x transposed)       head.weight  V x H  (W_y transposed)
 * rnn.weight_hh_l0  G*H x H   (W_h transposed)       head.bias    V
 * rnn.bias_ih_l0    G*H       (b; PyTorch adds the two biases)
 * rnn.bias_hh_l0    G*H       (zeros when saved here, any split loads; the GRU's n part is b_hn)
 * </pre>
 *
 * Saving is atomic (see {@link SafeTensors#writeFloats}); loading checks every tensor (present,
 * F32, shape) before anything is written to the parameters.
 */
public final class Checkpoint {
    /** The names, as {@code torch.save({"rnn.": nn.RNN, "head.": nn.Linear}.state_dict())} gives them. */
    public static final String WEIGHT_IH = "rnn.weight_ih_l0", WEIGHT_HH = "rnn.weight_hh_l0",
            BIAS_IH = "rnn.bias_ih_l0", BIAS_HH = "rnn.bias_hh_l0", HEAD_WEIGHT = "head.weight", HEAD_BIAS = "head.bias";

    private Checkpoint() {
    }

    /**
     * Writes {@code params} of {@code model} to {@code file}, replacing it atomically.
     *
     * @param file     the file to write
     * @param model    the model {@code params} belong to
     * @param params   the model's parameters, {@link Model#size()} long
     * @param metadata strings stored in the file's {@code __metadata__} (e.g. a vocabulary); may be empty
     * @param options  {@link SaveOption#ALLOW_NON_FINITE} to save a NaN or infinite parameter
     * @throws IllegalArgumentException if an argument is null, params is not of the model's size, or a
     *                                  parameter is NaN or infinite (and that is not allowed); nothing
     *                                  is written then
     * @throws IOException              if the file cannot be written (an existing one is kept)
     */
    public static void save(Path file, Model model, float[] params, Map<String, String> metadata, SaveOption... options)
            throws IOException {
        Checks.notNull("file", file);
        Checks.notNull("metadata", metadata);
        Checks.length("params", params, model.size(), "the model's size");
        LayerShape s = model.layer().shape();
        int in = s.inputSize(), hid = s.hiddenSize(), gh = s.gateWidth(), v = model.head().outputs();
        ParameterLayout layout = model.layer().layout();
        float[] wih = new float[gh * in];
        float[] whh = new float[gh * hid];
        float[] bih = new float[gh];
        float[] bhh = new float[gh];
        layout.toPyTorch(java.util.Arrays.copyOf(params, layout.size()), wih, whh, bih, bhh);
        float[] headWeight = new float[v * hid];
        int head = model.headOffset();
        for (int k = 0; k < hid; k++) {
            for (int c = 0; c < v; c++) {
                headWeight[c * hid + k] = params[head + k * v + c];
            }
        }
        float[] headBias = java.util.Arrays.copyOfRange(params, head + model.head().biasOffset(), head + model.head().size());
        List<String> names = List.of(WEIGHT_IH, WEIGHT_HH, BIAS_IH, BIAS_HH, HEAD_WEIGHT, HEAD_BIAS);
        List<float[]> tensors = List.of(wih, whh, bih, bhh, headWeight, headBias);
        SaveOption.requireFinite(names, tensors, options);
        SafeTensors.writeFloats(file, names,
                List.of(new int[]{gh, in}, new int[]{gh, hid}, new int[]{gh}, new int[]{gh}, new int[]{v, hid}, new int[]{v}),
                tensors, metadata);
    }

    /**
     * Reads {@code file} into {@code params} of {@code model}.
     *
     * @param file   a file that {@link #save} wrote, or PyTorch's {@code state_dict} of the same names
     * @param model  the model the parameters are for; its shape must be the file's
     * @param params receives the parameters, {@link Model#size()} long
     * @throws IOException              if the file is unreadable, truncated or malformed
     * @throws IllegalArgumentException if a tensor is missing, not F32, or of another shape than the
     *                                  model's (the message names it, the expected and the actual
     *                                  shape); {@code params} is untouched then
     */
    public static void load(Path file, Model model, float[] params) throws IOException {
        Checks.notNull("file", file);
        Checks.length("params", params, model.size(), "the model's size");
        LayerShape s = model.layer().shape();
        int in = s.inputSize(), hid = s.hiddenSize(), gh = s.gateWidth(), v = model.head().outputs();
        SafeTensors st = SafeTensors.read(file);
        float[] wih = st.floats(WEIGHT_IH, gh, in);
        float[] whh = st.floats(WEIGHT_HH, gh, hid);
        float[] bih = st.floats(BIAS_IH, gh);
        float[] bhh = st.floats(BIAS_HH, gh);
        float[] headWeight = st.floats(HEAD_WEIGHT, v, hid);
        float[] headBias = st.floats(HEAD_BIAS, v);
        float[] loaded = new float[model.size()];
        ParameterLayout layout = model.layer().layout();
        float[] layer = new float[layout.size()];
        layout.fromPyTorch(wih, whh, bih, bhh, layer);
        System.arraycopy(layer, 0, loaded, 0, layer.length);
        int head = model.headOffset();
        for (int k = 0; k < hid; k++) {
            for (int c = 0; c < v; c++) {
                loaded[head + k * v + c] = headWeight[c * hid + k];
            }
        }
        System.arraycopy(headBias, 0, loaded, head + model.head().biasOffset(), v);
        System.arraycopy(loaded, 0, params, 0, loaded.length);
    }
}
