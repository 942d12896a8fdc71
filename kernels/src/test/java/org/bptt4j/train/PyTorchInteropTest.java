package org.bptt4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint saved here loads into {@code torch.nn.RNN}, {@code LSTM} or {@code GRU} + {@code torch.nn.Linear}, which predict
 * what bptt4j predicts, and PyTorch's state_dict (with the bias split differently) loads back.
 * Needs PyTorch ({@code apt-get install python3-torch}); skipped where {@code /usr/bin/python3}
 * cannot import it.
 */
class PyTorchInteropTest {

    @ParameterizedTest
    @ValueSource(strings = {"rnn_tanh", "lstm", "gru"})
    void checkpointGoesToPyTorchAndBack(String cell, @TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "PyTorch is not installed for /usr/bin/python3");
        int in = 11, hid = 9, v = 7;
        LayerShape shape = LayerShape.named(cell, 6, 1, in, hid);
        Model model = Model.simd(shape, v);
        float[] params = Fixtures.uniform(new Random(12), model.size(), 0.6f);
        int[] tokens = {3, 1, 4, 1, 5, 9};
        Path ours = dir.resolve("ours.safetensors");
        Path theirs = dir.resolve("theirs.safetensors");
        Checkpoint.save(ours, model, params, Map.of());
        Path script = dir.resolve("torch_roundtrip.py");
        try (InputStream s = getClass().getResourceAsStream("/torch_roundtrip.py")) {
            Files.copy(s, script);
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), ours.toString(), theirs.toString(),
                "" + in, "" + hid, "" + v, "3,1,4,1,5,9", cell).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), output);

        float[] ourProbabilities = new float[v];
        model.predict(params, tokens, tokens.length, null, ourProbabilities);
        float[] torchProbabilities = SafeTensors.read(theirs).floats("probabilities", v);
        // float32 in both, different summation orders and tanh/exp implementations: 1e-5 absolute
        // on probabilities below 1 is ~100 float ulps, far from any layout mistake.
        assertArrayEquals(torchProbabilities, ourProbabilities, 1e-5f);

        float[] back = new float[model.size()];
        Checkpoint.load(theirs, model, back);
        assertArrayEquals(params, back, 1e-6f); // the biases' sum, rounded once
    }

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
