package org.bptt4j.io;

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
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    /** A file with the given header and data. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    private static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static final String GOOD = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]}}";

    private static byte[] good() {
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1f).putFloat(-2f).putFloat(3.5f).putFloat(Float.NaN).putDouble(0.1);
        return file(GOOD, data.array());
    }

    @Test
    void readsTensorsAndMetadata(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("t.safetensors");
        Files.write(p, good());
        SafeTensors st = SafeTensors.read(p);
        assertEquals("v", st.metadata().get("k"));
        assertEquals(2, st.tensors().size());
        assertArrayEquals(new float[]{1f, -2f, 3.5f, Float.NaN}, st.floats("a", 2, 2));
        assertArrayEquals(new double[]{1, -2, 3.5, Double.NaN}, st.doubles("a"));
        assertArrayEquals(new double[]{0.1}, st.doubles("s"));
        assertEquals(1, st.tensor("s").elements());
    }

    @Test
    void lookupErrorsNameTheTensorAndWhatWasExpected() throws IOException {
        SafeTensors st = SafeTensors.parse(good(), "good");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> st.floats("missing")).getMessage().contains("\"missing\" is missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> st.floats("a", 4)).getMessage().contains("must have shape [4], was [2, 2]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> st.floats("s")).getMessage().contains("must be F32, was F64"));
    }

    @Test
    void writtenFilesAreAlignedReadableByAllAndRoundTrip(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("w.safetensors");
        float[] data = {1f, -2f, 3f};
        // Non-ASCII metadata: more bytes than characters, the header must still pad to 8 bytes.
        SafeTensors.writeFloats(p, java.util.List.of("t"), java.util.List.of(new int[]{3}), java.util.List.of(data),
                java.util.Map.of("vocabulary", "aé€😀"));
        byte[] bytes = Files.readAllBytes(p);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, (8 + headerLength) % 8, "data starts 8-byte aligned");
        SafeTensors st = SafeTensors.read(p);
        assertArrayEquals(data, st.floats("t", 3));
        assertEquals("aé€😀", st.metadata().get("vocabulary"));
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        }
    }

    @Test
    void everyTruncationOfAGoodFileIsRejected() {
        byte[] whole = good();
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            IOException e = assertThrows(IOException.class, () -> SafeTensors.parse(cut, "cut"), "length " + n);
            assertTrue(e.getMessage().startsWith("malformed safetensors file cut: "), e.getMessage());
        }
    }

    @Test
    void malformedHeadersAreRejectedWithTheirFault() {
        byte[] d16 = floatsLE(1, 2, 3, 4);
        String[][] cases = {
                {"[1,2]", "not a JSON object"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}", "unexpected end"},
                {"{\"a\":{\"dtype\":\"F99\",\"shape\":[4],\"data_offsets\":[0,16]}}", "unknown dtype"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", "bad dimension"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,20]}}", "outside"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", "expected 12"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4]}}", "data_offsets"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"a\":{}}", "duplicate key"},
                {"{\"__metadata__\":{\"k\":1}}", "not a string"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16.0]}}", "only integers"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576,16777216],\"data_offsets\":[0,0]}}", "more than a Java array"},
                // 5 * 2^30 * 4 * 2^29 lies in [2^63, 2^64): a product that wraps negative without overflowing 64 bits
                {"{\"a\":{\"dtype\":\"F64\",\"shape\":[5,1073741824,4,536870912],\"data_offsets\":[0,0]}}", "more than a Java array"},
        };
        for (String[] c : cases) {
            IOException e = assertThrows(IOException.class, () -> SafeTensors.parse(file(c[0], d16), "bad"), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        byte[] hugeHeader = good();
        hugeHeader[7] = 0x7f;
        assertTrue(assertThrows(IOException.class, () -> SafeTensors.parse(hugeHeader, "bad")).getMessage().contains("header length"));
    }
}
