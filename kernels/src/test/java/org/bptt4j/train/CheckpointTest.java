package org.bptt4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.bptt4j.Activation;
import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    private static final LayerShape SHAPE = LayerShape.vanilla(5, 2, 7, 4, Activation.TANH);
    private static final int V = 6;

    private static float[] randomParams(Model model, long seed) {
        return Fixtures.uniform(new Random(seed), model.size(), 1f);
    }

    @Test
    void roundTripKeepsEveryParameterAndNamesThemAsPyTorch(@TempDir Path dir) throws IOException {
        Model model = Model.simd(SHAPE, V);
        float[] params = randomParams(model, 1);
        Path file = dir.resolve("model.safetensors");
        Checkpoint.save(file, model, params, Map.of("note", "test"));
        float[] loaded = new float[model.size()];
        Checkpoint.load(file, model, loaded);
        assertArrayEquals(params, loaded);
        SafeTensors st = SafeTensors.read(file);
        assertEquals(List.of("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "head.weight", "head.bias"),
                List.copyOf(st.tensors().keySet()));
        assertArrayEquals(new int[]{4, 7}, st.tensor("rnn.weight_ih_l0").shape());
        assertArrayEquals(new int[]{6, 4}, st.tensor("head.weight").shape());
        // head.weight is W_y transposed: element (c, k) is W_y[k][c].
        assertEquals(params[model.headOffset() + 3 * V + 5], st.floats("head.weight")[5 * 4 + 3]);
        assertEquals("test", st.metadata().get("note"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void pyTorchsTwoBiasesLoadAsTheirSum(@TempDir Path dir) throws IOException {
        Model model = Model.reference(SHAPE, V);
        float[] params = randomParams(model, 2);
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, model, params, Map.of());
        SafeTensors st = SafeTensors.read(file);
        float[] bih = st.floats("rnn.bias_ih_l0");
        float[] half = new float[4];
        for (int i = 0; i < 4; i++) {
            half[i] = bih[i] / 2;
        }
        SafeTensors.writeFloats(file,
                List.of("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "head.weight", "head.bias"),
                List.of(new int[]{4, 7}, new int[]{4, 4}, new int[]{4}, new int[]{4}, new int[]{6, 4}, new int[]{6}),
                List.of(st.floats("rnn.weight_ih_l0"), st.floats("rnn.weight_hh_l0"), half, half, st.floats("head.weight"), st.floats("head.bias")),
                Map.of());
        float[] loaded = new float[model.size()];
        Checkpoint.load(file, model, loaded);
        assertArrayEquals(params, loaded, 1e-6f);
    }

    @Test
    void aTornFileIsRejectedAndNothingIsOverwritten(@TempDir Path dir) throws IOException {
        Model model = Model.simd(SHAPE, V);
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, model, randomParams(model, 3), Map.of());
        byte[] whole = Files.readAllBytes(file);
        float[] params = randomParams(model, 4);
        float[] before = params.clone();
        for (int cut : new int[]{0, 5, 8, 40, whole.length / 2, whole.length - 1}) {
            Files.write(file, java.util.Arrays.copyOf(whole, cut));
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(file, model, params), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("malformed safetensors file"), e.getMessage());
            assertArrayEquals(before, params);
        }
    }

    @Test
    void aMissingTensorAWrongShapeOrDtypeIsNamed(@TempDir Path dir) throws IOException {
        Model model = Model.simd(SHAPE, V);
        float[] params = randomParams(model, 5);
        float[] before = params.clone();
        Path file = dir.resolve("m.safetensors");
        SafeTensors.writeFloats(file, List.of("rnn.weight_ih_l0"), List.of(new int[]{4, 7}), List.of(new float[28]), Map.of());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, model, params));
        assertTrue(missing.getMessage().contains("\"rnn.weight_hh_l0\" is missing"), missing.getMessage());

        Model wider = Model.simd(LayerShape.vanilla(5, 2, 7, 5, Activation.TANH), V);
        Checkpoint.save(file, wider, randomParams(wider, 6), Map.of());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, model, params));
        assertTrue(shape.getMessage().contains("\"rnn.weight_ih_l0\"") && shape.getMessage().contains("must have shape [4, 7], was [5, 7]"),
                shape.getMessage());

        String header = "{\"rnn.weight_ih_l0\":{\"dtype\":\"F64\",\"shape\":[4,7],\"data_offsets\":[0,224]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Files.write(file, ByteBuffer.allocate(8 + h.length + 224).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array());
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, model, params));
        assertTrue(dtype.getMessage().contains("must be F32, was F64"), dtype.getMessage());
        assertArrayEquals(before, params);
    }

    @Test
    void aFailedSaveKeepsTheOldFile(@TempDir Path dir) throws IOException {
        Model model = Model.simd(SHAPE, V);
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, model, randomParams(model, 7), Map.of());
        byte[] old = Files.readAllBytes(file);
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, model, new float[3], Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.writeFloats(file, List.of("a", "a"),
                List.of(new int[]{1}, new int[]{1}), List.of(new float[1], new float[1]), Map.of()));
        assertArrayEquals(old, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void aNonFiniteParameterIsRefusedUnlessAllowedAndTheOldFileIsKept(@TempDir Path dir) throws IOException {
        Model model = Model.reference(SHAPE, V);
        float[] good = randomParams(model, 8);
        Path file = dir.resolve("m.safetensors");
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Checkpoint.save(file, model, good, Map.of());
            byte[] before = Files.readAllBytes(file);
            float[] diverged = good.clone();
            diverged[model.headOffset() + 1] = bad; // head.weight, element (1, 0)
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, model, diverged, Map.of()));
            assertTrue(e.getMessage().startsWith("head.weight[" + SHAPE.hiddenSize() + "] is " + bad), e.getMessage());
            assertTrue(e.getMessage().contains("ALLOW_NON_FINITE"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file), "the last good checkpoint is kept");
            Checkpoint.save(file, model, diverged, Map.of(), SaveOption.ALLOW_NON_FINITE);
            float[] loaded = new float[model.size()];
            Checkpoint.load(file, model, loaded);
            assertArrayEquals(diverged, loaded, "saved as asked");
        }
    }
}
