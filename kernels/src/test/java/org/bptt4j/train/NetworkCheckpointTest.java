package org.bptt4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.bptt4j.Fixtures;
import org.bptt4j.Implementation;
import org.bptt4j.Network;
import org.bptt4j.Network.Input;
import org.bptt4j.Network.Target;
import org.bptt4j.StackShape;
import org.bptt4j.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Self-describing network checkpoints: every configuration round trips, mismatches are refused, training resumes bit for bit, PyTorch reads them. */
class NetworkCheckpointTest {
    @TempDir
    Path dir;

    static List<Object[]> configurations() {
        List<Object[]> all = new ArrayList<>();
        for (String cell : new String[]{"rnn_tanh", "rnn_relu", "lstm", "gru"}) {
            for (Input input : Input.values()) {
                for (Target target : Target.values()) {
                    for (int[] ld : new int[][]{{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 1}}) {
                        all.add(new Object[]{cell, input, target, ld[0], ld[1]});
                    }
                }
            }
        }
        return all;
    }

    @ParameterizedTest(name = "{0} {1} {2} L={3} D={4}")
    @MethodSource("configurations")
    void everyConfigurationRoundTrips(String cell, Input input, Target target, int layers, int directions) throws Exception {
        Network network = Network.of(Implementation.SIMD, StackShape.named(cell, 7, 3, 5, 6, layers, directions), input, target, 4);
        float[] params = Fixtures.uniform(new Random(layers * 7 + directions), network.size(), 1f);
        Path file = dir.resolve("n.safetensors");
        NetworkCheckpoint.save(file, network, params, null, Map.of("vocabulary", "abcde"));
        NetworkCheckpoint.Loaded loaded = NetworkCheckpoint.load(file, Implementation.REFERENCE);
        assertEquals(network.shape(), loaded.network().shape());
        assertEquals(input, loaded.network().input());
        assertEquals(target, loaded.network().target());
        assertEquals(4, loaded.network().outputs());
        assertEquals(Map.of("vocabulary", "abcde"), loaded.metadata());
        assertNull(loaded.optimizer());
        // b is stored whole in bias_ih (bias_hh zeros but the GRU's b_hn): every float comes back.
        assertArrayEquals(params, loaded.params());
        float[] into = new float[network.size()];
        assertEquals(Map.of("vocabulary", "abcde"), NetworkCheckpoint.loadInto(file, network, into));
        assertArrayEquals(params, into);
    }

    @Test
    void anotherConfigurationIsRefusedWithNothingWritten() throws Exception {
        Network saved = Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 6, 2, 2), Input.TOKENS, Target.LAST_STEP, 4);
        Path file = dir.resolve("n.safetensors");
        NetworkCheckpoint.save(file, saved, new float[saved.size()], null, Map.of());
        List<Network> others = List.of(
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 8, 2, 2), Input.TOKENS, Target.LAST_STEP, 4),
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 6, 2, 1), Input.TOKENS, Target.LAST_STEP, 4),
                Network.of(Implementation.SIMD, StackShape.named("gru", 7, 3, 5, 6, 2, 2), Input.TOKENS, Target.LAST_STEP, 4),
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 6, 2, 2), Input.DENSE, Target.LAST_STEP, 4),
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 6, 2, 2), Input.TOKENS, Target.EVERY_STEP, 4),
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 6, 2, 2), Input.TOKENS, Target.LAST_STEP, 5),
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 6, 3, 2), Input.TOKENS, Target.LAST_STEP, 4),
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 5, 6, 1, 2), Input.TOKENS, Target.LAST_STEP, 4),
                Network.of(Implementation.SIMD, StackShape.named("lstm", 7, 3, 6, 6, 2, 2), Input.TOKENS, Target.LAST_STEP, 4));
        Path tanhFile = dir.resolve("tanh.safetensors");
        Network tanh = Network.of(Implementation.SIMD, StackShape.named("rnn_tanh", 7, 3, 5, 6, 2, 2), Input.TOKENS, Target.LAST_STEP, 4);
        NetworkCheckpoint.save(tanhFile, tanh, new float[tanh.size()], null, Map.of());
        assertRefused(tanhFile, Network.of(Implementation.SIMD, StackShape.named("rnn_relu", 7, 3, 5, 6, 2, 2), Input.TOKENS, Target.LAST_STEP, 4));
        for (Network other : others) {
            assertRefused(file, other);
        }
        assertThrows(IllegalArgumentException.class,
                () -> NetworkCheckpoint.save(file, saved, new float[saved.size()], null, Map.of("layers", "9")));
        assertThrows(IllegalArgumentException.class,
                () -> NetworkCheckpoint.save(file, saved, new float[saved.size()], null, Map.of("optimizer.x", "9")));
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.writeFloats(plain, List.of("x"), List.of(new int[]{1}), List.of(new float[1]), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkCheckpoint.load(plain, Implementation.SIMD));
        assertTrue(e.getMessage().contains("not a bptt4j-network checkpoint"), e.getMessage());
    }

    /** Loading {@code file} into {@code other} is refused, with a message that says why, and leaves its parameters as they were. */
    private static void assertRefused(Path file, Network other) {
        float[] params = new float[other.size()];
        Arrays.fill(params, 7f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkCheckpoint.loadInto(file, other, params));
        assertTrue(e.getMessage().contains("holds a network of"), e.getMessage());
        for (float p : params) {
            assertEquals(7f, p, "params untouched");
        }
    }

    @Test
    void aNonFiniteParameterOrOptimizerValueIsRefusedUnlessAllowed() throws Exception {
        Network network = Network.of(Implementation.REFERENCE, StackShape.named("gru", 4, 2, 3, 5, 2, 2), Input.TOKENS, Target.EVERY_STEP, 4);
        float[] params = new float[network.size()];
        network.initialize(params, new Random(3));
        Path file = dir.resolve("n.safetensors");
        params[network.shape().parameterOffset(1, 1) + 2] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetworkCheckpoint.save(file, network, params, null, Map.of()));
        assertTrue(e.getMessage().contains("_l1_reverse[") && e.getMessage().contains("is NaN"), e.getMessage());
        assertTrue(Files.notExists(file), "nothing written");
        NetworkCheckpoint.save(file, network, params, null, Map.of(), SaveOption.ALLOW_NON_FINITE);
        assertTrue(Float.isNaN(NetworkCheckpoint.load(file, Implementation.REFERENCE).params()[network.shape().parameterOffset(1, 1) + 2]));

        network.initialize(params, new Random(3));
        Adagrad adagrad = new Adagrad(network.size(), 0.1f);
        adagrad.memory()[5] = Float.POSITIVE_INFINITY;
        Path withOptimizer = dir.resolve("o.safetensors");
        e = assertThrows(IllegalArgumentException.class, () -> NetworkCheckpoint.save(withOptimizer, network, params, adagrad, Map.of()));
        assertTrue(e.getMessage().startsWith("optimizer.memory[5] is Infinity"), e.getMessage());
        assertTrue(Files.notExists(withOptimizer), "nothing written");
    }

    static List<Object[]> optimizers() {
        return List.<Object[]>of(new Object[]{"adam"}, new Object[]{"sgd"}, new Object[]{"adagrad"});
    }

    private static Optimizer optimizer(String kind, int size) {
        return switch (kind) {
            case "adam" -> new Adam(size, 0.01f);
            case "sgd" -> new Sgd(size, 0.05f, 0.9f);
            default -> new Adagrad(size, 0.1f);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void trainingResumedFromACheckpointIsBitIdentical(String kind) throws Exception {
        Network network = Network.of(Implementation.SIMD, StackShape.named("gru", 6, 4, 7, 10, 2, 2), Input.TOKENS, Target.EVERY_STEP, 5);
        float[] params = new float[network.size()];
        network.initialize(params, new Random(9));
        Optimizer optimizer = optimizer(kind, network.size());
        Random data = new Random(10);
        List<int[][]> batches = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batches.add(new int[][]{Fixtures.tokens(data, 24, 7), Fixtures.tokens(data, 24, 5), {6, 2, 5, 1}});
        }
        Supplier<float[]> grads = () -> new float[network.size()];
        for (int i = 0; i < 4; i++) {
            step(network, params, optimizer, batches.get(i), grads.get());
        }
        Path file = dir.resolve("resume.safetensors");
        NetworkCheckpoint.save(file, network, params, optimizer, Map.of());
        for (int i = 4; i < 8; i++) {
            step(network, params, optimizer, batches.get(i), grads.get());
        }

        NetworkCheckpoint.Loaded loaded = NetworkCheckpoint.load(file, Implementation.SIMD);
        Optimizer resumed = optimizer(kind, network.size());
        resumed.restore(loaded.optimizer());
        for (int i = 4; i < 8; i++) {
            step(loaded.network(), loaded.params(), resumed, batches.get(i), grads.get());
        }
        assertArrayEquals(params, loaded.params(), "resumed training ends where uninterrupted training does");
        OptimizerState again = NetworkCheckpoint.optimizerState(file);
        assertEquals(loaded.optimizer().kind(), again.kind());
        assertEquals(loaded.optimizer().settings(), again.settings());
        assertEquals(loaded.optimizer().steps(), again.steps());
        assertEquals(loaded.optimizer().arrays().keySet(), again.arrays().keySet());
        loaded.optimizer().arrays().forEach((name, values) -> assertArrayEquals(values, again.arrays().get(name), name));
        Optimizer differentRate = kind.equals("adam") ? new Adam(network.size(), 0.02f) : new Adam(network.size(), 0.01f);
        assertThrows(IllegalArgumentException.class, () -> differentRate.restore(loaded.optimizer()));
    }

    private static void step(Network network, float[] params, Optimizer optimizer, int[][] batch, float[] grads) {
        network.trainTokens(params, batch[0], 6, batch[2], batch[1], grads);
        optimizer.step(params, grads);
    }

    /**
     * The interop of {@link #aTwoLayerBidirectionalLstmGoesToPyTorchAndBack} where PyTorch is not
     * installed (as in CI). {@code interop/lstm-2x2-pytorch.safetensors} is what
     * {@code torch_network.py} wrote with PyTorch 1.13 (2026-11-26) for that test's network:
     * {@code torch.nn.LSTM(9, 8, num_layers=2, bidirectional=True)} and {@code Linear(16, 5)}, its
     * state_dict with the biases split anew, and the probabilities PyTorch computed for the tokens
     * of {@code Fixtures.tokens(new Random(22), 18, 9)} at lengths 4, 6, 1. A layout or name
     * mistake on either side of the file changes the probabilities by far more than 1e-5, or
     * fails the load.
     */
    @Test
    void aFileWrittenByPyTorchLoadsAndPredictsWhatPyTorchPredicted() throws Exception {
        Path theirs = dir.resolve("theirs.safetensors"), ours = dir.resolve("ours.safetensors");
        try (InputStream s = getClass().getResourceAsStream("/interop/lstm-2x2-pytorch.safetensors")) {
            Files.copy(s, theirs);
        }
        int[] tokens = Fixtures.tokens(new Random(22), 18, 9), lengths = {4, 6, 1};
        for (Implementation implementation : Implementation.values()) {
            NetworkCheckpoint.Loaded loaded = NetworkCheckpoint.load(theirs, implementation);
            assertEquals(StackShape.named("lstm", 6, 3, 9, 8, 2, 2), loaded.network().stack().shape());
            assertEquals("abcdefghi", loaded.metadata().get("vocabulary"));
            float[] probabilities = new float[3 * 5];
            loaded.network().predictTokens(loaded.params(), tokens, 6, lengths, probabilities);
            // float32 on both sides, different orders and tanh: 1e-5 on probabilities is ~100 ulps, far from a layout mistake.
            assertArrayEquals(SafeTensors.read(theirs).floats("probabilities", 3, 5), probabilities, 1e-5f, implementation.toString());
            // And back: our file holds PyTorch's tensors under PyTorch's names (each bias pair as its sum: PyTorch split it anew).
            NetworkCheckpoint.save(ours, loaded.network(), loaded.params(), null, loaded.metadata());
            SafeTensors a = SafeTensors.read(theirs), b = SafeTensors.read(ours);
            for (String name : a.tensors().keySet()) {
                if (name.equals("probabilities") || name.contains("bias_hh")) {
                    continue;
                }
                int[] shape = a.tensor(name).shape();
                float[] expected = a.floats(name, shape), got = b.floats(name, shape);
                if (name.contains("bias_ih")) {
                    String hh = name.replace("bias_ih", "bias_hh");
                    float[] expectedHh = a.floats(hh, shape), gotHh = b.floats(hh, shape);
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] += expectedHh[i];
                        got[i] += gotHh[i];
                    }
                    assertArrayEquals(expected, got, 1e-6f, name + " + bias_hh"); // a float sum, rounded once on each side
                } else {
                    assertArrayEquals(expected, got, name);
                }
            }
        }
    }

    @Test
    void aTwoLayerBidirectionalLstmGoesToPyTorchAndBack() throws Exception {
        Assumptions.assumeTrue(PyTorchInteropTest.torchAvailable(), "PyTorch is not installed for /usr/bin/python3");
        Network network = Network.of(Implementation.SIMD, StackShape.named("lstm", 6, 3, 9, 8, 2, 2), Input.TOKENS, Target.LAST_STEP, 5);
        float[] params = new float[network.size()];
        network.initialize(params, new Random(21));
        int[] tokens = Fixtures.tokens(new Random(22), 18, 9), lengths = {4, 6, 1};
        Path ours = dir.resolve("ours.safetensors"), theirs = dir.resolve("theirs.safetensors"), script = dir.resolve("torch_network.py");
        NetworkCheckpoint.save(ours, network, params, null, Map.of("vocabulary", "abcdefghi"));
        try (InputStream s = getClass().getResourceAsStream("/torch_network.py")) {
            Files.copy(s, script);
        }
        String ids = Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), ours.toString(), theirs.toString(), ids, "4,6,1")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), output);
        float[] ours1 = new float[3 * 5];
        network.predictTokens(params, tokens, 6, lengths, ours1);
        // float32 on both sides, different orders and tanh: 1e-5 on probabilities is ~100 ulps, far from a layout mistake.
        assertArrayEquals(SafeTensors.read(theirs).floats("probabilities", 3, 5), ours1, 1e-5f);
        float[] back = new float[network.size()];
        assertEquals(Map.of("vocabulary", "abcdefghi"), NetworkCheckpoint.loadInto(theirs, network, back));
        float[] ours2 = new float[3 * 5];
        network.predictTokens(back, tokens, 6, lengths, ours2);
        assertArrayEquals(ours1, ours2, 1e-6f, "PyTorch's split of the biases loads as their sum");
    }
}
