package org.bptt4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bptt4j.Activation;
import org.bptt4j.Cell;
import org.bptt4j.Implementation;
import org.bptt4j.Network;
import org.bptt4j.ParameterLayout;
import org.bptt4j.StackShape;
import org.bptt4j.internal.Checks;
import org.bptt4j.io.SafeTensors;

/**
 * A {@link Network} as a self-describing safetensors file: its configuration and a format version
 * in the metadata, so that one call loads the file into a ready network; the parameters under
 * PyTorch's names, so that they load into {@code torch.nn.RNN/LSTM/GRU(I, H, num_layers=L,
 * bidirectional=D==2)} plus {@code torch.nn.Linear(D*H, V)} as {@code rnn.*} and {@code head.*}
 * of a module, and back; and, when given, the optimizer's state, so that training resumed from the
 * file continues bit for bit.
 *
 * <pre>
 * tensors   rnn.weight_ih_l{k}[_reverse]  G*H x I_k       head.weight  V x D*H
 *           rnn.weight_hh_l{k}[_reverse]  G*H x H         head.bias    V
 *           rnn.bias_ih_l{k}[_reverse]    G*H (b)         optimizer.{array}  one per state array, flat
 *           rnn.bias_hh_l{k}[_reverse]    G*H (zeros when saved here, but the GRU's n part, b_hn; any split loads)
 * metadata  format = bptt4j-network, version = 1, cell, activation, input, target, maxSteps, batch,
 *           inputSize, hiddenSize, layers, directions, outputs; optimizer.kind, optimizer.steps,
 *           optimizer.{setting} when saved with one; and whatever the caller adds
 * </pre>
 * Saving is atomic (see {@link SafeTensors#writeFloats}); loading checks the format, the
 * configuration and every tensor before anything is written.
 */
public final class NetworkCheckpoint {
    /** The metadata's {@code format}. */
    public static final String FORMAT = "bptt4j-network";
    /** The metadata's {@code version}: this class reads files of this version only. */
    public static final String VERSION = "1";
    private static final List<String> CONFIGURATION = List.of("cell", "activation", "input", "target", "maxSteps", "batch",
            "inputSize", "hiddenSize", "layers", "directions", "outputs");
    /** What a network's parameters depend on: the configuration but for maxSteps and batch, which only size its workspaces. */
    private static final List<String> MODEL = List.of("cell", "activation", "input", "target", "inputSize", "hiddenSize", "layers",
            "directions", "outputs");
    private static final String OPTIMIZER = "optimizer.";

    /**
     * What a file holds.
     *
     * @param network   a network of the file's configuration, made with the implementation asked for
     * @param params    its parameters
     * @param metadata  what the caller added when saving
     * @param optimizer the optimizer's state, or null if none was saved
     */
    public record Loaded(Network network, float[] params, Map<String, String> metadata, OptimizerState optimizer) {
    }

    private NetworkCheckpoint() {
    }

    /**
     * Writes {@code params} of {@code network} (and the optimizer's state, when not null) to
     * {@code file}, replacing it atomically.
     *
     * @param file      the file to write
     * @param network   the network {@code params} belong to
     * @param params    the network's parameters, {@link Network#size()} long
     * @param optimizer the optimizer whose state is saved too, or null for none
     * @param metadata  the caller's strings (a vocabulary, say); its keys must not be the configuration's or start with {@code optimizer.}
     * @param options   {@link SaveOption#ALLOW_NON_FINITE} to save a NaN or infinite parameter or optimizer value
     * @throws IllegalArgumentException for a null argument, params of another size, an optimizer of another size, a reserved key,
     *                                  or a NaN or infinite parameter or optimizer value (unless allowed); nothing is written then
     * @throws IOException              if the file cannot be written (an existing one is kept)
     */
    public static void save(Path file, Network network, float[] params, Optimizer optimizer, Map<String, String> metadata,
                            SaveOption... options) throws IOException {
        Checks.notNull("file", file);
        Checks.notNull("network", network);
        Checks.length("params", params, network.size(), "the network's size()");
        Checks.notNull("metadata", metadata);
        Map<String, String> meta = new LinkedHashMap<>(configuration(network));
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (meta.containsKey(m.getKey()) || m.getKey().equals("format") || m.getKey().equals("version")
                    || m.getKey().startsWith(OPTIMIZER)) {
                throw new IllegalArgumentException("metadata key \"" + m.getKey() + "\" is reserved for the checkpoint's own");
            }
        }
        meta.putAll(metadata);
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<float[]> data = new ArrayList<>();
        StackShape s = network.shape();
        for (int l = 0; l < s.layers(); l++) {
            ParameterLayout layout = s.layer(l).parameterLayout();
            int gh = layout.gateWidth(), in = layout.inputSize(), hid = s.hiddenSize();
            for (int d = 0; d < s.directions(); d++) {
                float[] wih = new float[gh * in], whh = new float[gh * hid], bih = new float[gh], bhh = new float[gh];
                int offset = s.parameterOffset(l, d);
                layout.toPyTorch(java.util.Arrays.copyOfRange(params, offset, offset + layout.size()), wih, whh, bih, bhh);
                add(names, shapes, data, "rnn." + StackShape.torchName("weight_ih", l, d), new int[]{gh, in}, wih);
                add(names, shapes, data, "rnn." + StackShape.torchName("weight_hh", l, d), new int[]{gh, hid}, whh);
                add(names, shapes, data, "rnn." + StackShape.torchName("bias_ih", l, d), new int[]{gh}, bih);
                add(names, shapes, data, "rnn." + StackShape.torchName("bias_hh", l, d), new int[]{gh}, bhh);
            }
        }
        int v = network.outputs(), dh = s.outputSize(), head = network.headOffset();
        float[] weight = new float[v * dh];
        for (int k = 0; k < dh; k++) {
            for (int c = 0; c < v; c++) {
                weight[c * dh + k] = params[head + k * v + c];
            }
        }
        add(names, shapes, data, "head.weight", new int[]{v, dh}, weight);
        add(names, shapes, data, "head.bias", new int[]{v}, java.util.Arrays.copyOfRange(params, head + dh * v, head + dh * v + v));
        if (optimizer != null) {
            if (optimizer.size() != network.size()) {
                throw new IllegalArgumentException("optimizer must be sized for the network's " + network.size() + " parameters, is for "
                        + optimizer.size());
            }
            OptimizerState state = optimizer.state();
            meta.put(OPTIMIZER + "kind", state.kind());
            meta.put(OPTIMIZER + "steps", Long.toString(state.steps()));
            state.settings().forEach((k, value) -> meta.put(OPTIMIZER + k, value));
            for (Map.Entry<String, float[]> a : new java.util.TreeMap<>(state.arrays()).entrySet()) {
                add(names, shapes, data, OPTIMIZER + a.getKey(), new int[]{a.getValue().length}, a.getValue());
            }
        }
        SaveOption.requireFinite(names, data, options);
        SafeTensors.writeFloats(file, names, shapes, data, meta);
    }

    private static void add(List<String> names, List<int[]> shapes, List<float[]> data, String name, int[] shape, float[] values) {
        names.add(name);
        shapes.add(shape);
        data.add(values);
    }

    /** @return the network's configuration as the metadata stores it */
    static Map<String, String> configuration(Network network) {
        StackShape s = network.shape();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("cell", s.cell().name().toLowerCase(java.util.Locale.ROOT));
        c.put("activation", s.activation().name().toLowerCase(java.util.Locale.ROOT));
        c.put("input", network.input().name().toLowerCase(java.util.Locale.ROOT));
        c.put("target", network.target().name().toLowerCase(java.util.Locale.ROOT));
        c.put("maxSteps", Integer.toString(s.maxSteps()));
        c.put("batch", Integer.toString(s.batch()));
        c.put("inputSize", Integer.toString(s.inputSize()));
        c.put("hiddenSize", Integer.toString(s.hiddenSize()));
        c.put("layers", Integer.toString(s.layers()));
        c.put("directions", Integer.toString(s.directions()));
        c.put("outputs", Integer.toString(network.outputs()));
        return c;
    }

    /**
     * Reads {@code file} into a new network of its configuration.
     *
     * @param file           a file that {@link #save} wrote
     * @param implementation which kernels the network runs on
     * @return the network, its parameters, the caller's metadata and the optimizer's state
     * @throws IOException              if the file is unreadable, truncated or malformed
     * @throws IllegalArgumentException if it is not a checkpoint of this format and version, or a tensor is missing or misshapen
     */
    public static Loaded load(Path file, Implementation implementation) throws IOException {
        Checks.notNull("file", file);
        Checks.notNull("implementation", implementation);
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> meta = st.metadata();
        requireFormat(file, meta);
        Network network;
        try {
            StackShape shape = new StackShape(number(meta, "maxSteps"), number(meta, "batch"), number(meta, "inputSize"),
                    number(meta, "hiddenSize"), number(meta, "layers"), number(meta, "directions"),
                    Cell.valueOf(text(meta, "cell").toUpperCase(java.util.Locale.ROOT)),
                    Activation.valueOf(text(meta, "activation").toUpperCase(java.util.Locale.ROOT)));
            network = Network.of(implementation, shape, Network.Input.valueOf(text(meta, "input").toUpperCase(java.util.Locale.ROOT)),
                    Network.Target.valueOf(text(meta, "target").toUpperCase(java.util.Locale.ROOT)), number(meta, "outputs"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " holds no valid network configuration: " + e.getMessage(), e);
        }
        float[] params = new float[network.size()];
        readParameters(st, network, params);
        return new Loaded(network, params, callersMetadata(meta), optimizerState(st, meta, network.size()));
    }

    /**
     * Reads {@code file} into {@code params} of {@code network}, whose configuration must be the
     * file's but for maxSteps and batch (which size workspaces, not parameters).
     *
     * @param file    a file that {@link #save} wrote
     * @param network the network the parameters are for
     * @param params  receives the parameters, {@link Network#size()} long
     * @return the caller's metadata saved with it
     * @throws IOException              if the file is unreadable, truncated or malformed
     * @throws IllegalArgumentException if the file is not of this format and version, its configuration differs from the
     *                                  network's (the message gives both), or a tensor is missing or misshapen; params is untouched then
     */
    public static Map<String, String> loadInto(Path file, Network network, float[] params) throws IOException {
        Checks.notNull("file", file);
        Checks.notNull("network", network);
        Checks.length("params", params, network.size(), "the network's size()");
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> meta = st.metadata();
        requireFormat(file, meta);
        Map<String, String> expected = new LinkedHashMap<>(configuration(network)), found = new LinkedHashMap<>();
        expected.keySet().retainAll(MODEL);
        for (String key : MODEL) {
            found.put(key, meta.get(key));
        }
        if (!found.equals(expected)) {
            throw new IllegalArgumentException(file + " holds a network of " + found + ", not of this network's " + expected);
        }
        float[] loaded = new float[network.size()];
        readParameters(st, network, loaded);
        System.arraycopy(loaded, 0, params, 0, loaded.length);
        return callersMetadata(meta);
    }

    /**
     * The optimizer's state saved in {@code file}, or null if it holds none.
     *
     * @param file a file that {@link #save} wrote
     * @return the state, for {@link Optimizer#restore}; null if the file holds none
     * @throws IOException if the file is unreadable, truncated or malformed
     */
    public static OptimizerState optimizerState(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(Checks.notNull("file", file));
        requireFormat(file, st.metadata());
        return optimizerState(st, st.metadata(), -1);
    }

    private static OptimizerState optimizerState(SafeTensors st, Map<String, String> meta, int size) {
        String kind = meta.get(OPTIMIZER + "kind");
        if (kind == null) {
            return null;
        }
        Map<String, String> settings = new HashMap<>();
        Map<String, float[]> arrays = new HashMap<>();
        for (Map.Entry<String, String> m : meta.entrySet()) {
            String key = m.getKey();
            if (key.startsWith(OPTIMIZER) && !key.equals(OPTIMIZER + "kind") && !key.equals(OPTIMIZER + "steps")) {
                settings.put(key.substring(OPTIMIZER.length()), m.getValue());
            }
        }
        for (String name : st.tensors().keySet()) {
            if (name.startsWith(OPTIMIZER)) {
                int n = (int) st.tensor(name).elements();
                arrays.put(name.substring(OPTIMIZER.length()), size < 0 ? st.floats(name, n) : st.floats(name, size));
            }
        }
        return new OptimizerState(kind, settings, Long.parseLong(text(meta, OPTIMIZER + "steps")), arrays);
    }

    private static void readParameters(SafeTensors st, Network network, float[] params) {
        StackShape s = network.shape();
        for (int l = 0; l < s.layers(); l++) {
            ParameterLayout layout = s.layer(l).parameterLayout();
            int gh = layout.gateWidth(), in = layout.inputSize(), hid = s.hiddenSize();
            for (int d = 0; d < s.directions(); d++) {
                layout.fromPyTorch(st.floats("rnn." + StackShape.torchName("weight_ih", l, d), gh, in),
                        st.floats("rnn." + StackShape.torchName("weight_hh", l, d), gh, hid),
                        st.floats("rnn." + StackShape.torchName("bias_ih", l, d), gh),
                        st.floats("rnn." + StackShape.torchName("bias_hh", l, d), gh), params, s.parameterOffset(l, d));
            }
        }
        int v = network.outputs(), dh = s.outputSize(), head = network.headOffset();
        float[] weight = st.floats("head.weight", v, dh);
        for (int k = 0; k < dh; k++) {
            for (int c = 0; c < v; c++) {
                params[head + k * v + c] = weight[c * dh + k];
            }
        }
        System.arraycopy(st.floats("head.bias", v), 0, params, head + dh * v, v);
    }

    private static void requireFormat(Path file, Map<String, String> meta) {
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IllegalArgumentException(file + " is not a " + FORMAT + " checkpoint (its format is " + meta.get("format") + ")");
        }
        if (!VERSION.equals(meta.get("version"))) {
            throw new IllegalArgumentException(file + " is of version " + meta.get("version") + "; this library reads version " + VERSION);
        }
    }

    private static Map<String, String> callersMetadata(Map<String, String> meta) {
        Map<String, String> own = new LinkedHashMap<>(meta);
        own.keySet().removeAll(Set.copyOf(CONFIGURATION));
        own.keySet().removeIf(k -> k.equals("format") || k.equals("version") || k.startsWith(OPTIMIZER));
        return Map.copyOf(own);
    }

    private static String text(Map<String, String> meta, String key) {
        String value = meta.get(key);
        if (value == null) {
            throw new IllegalArgumentException("the metadata has no " + key);
        }
        return value;
    }

    private static int number(Map<String, String> meta, String key) {
        try {
            return Integer.parseInt(text(meta, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the metadata's " + key + " must be an integer, was \"" + meta.get(key) + "\"");
        }
    }
}
