package org.bptt4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file held in memory: 8 bytes little-endian header length N, N bytes of UTF-8 JSON
 * ({@code name -> {dtype, shape, data_offsets}} plus an optional {@code __metadata__} of string
 * values), then the raw little-endian tensor data; offsets count from the end of the header.
 *
 * <p>{@link #read} checks the whole structure (header length, JSON, known dtypes, shapes, offsets
 * inside the data and matching each tensor's size) and throws {@link IOException} naming the file
 * and the fault for a truncated or malformed one.
 */
public final class SafeTensors {

    /** The element types of the format, with their sizes in bytes. */
    public enum DType {
        /** boolean, one byte */ BOOL(1),
        /** unsigned 8-bit */ U8(1),
        /** signed 8-bit */ I8(1),
        /** 8-bit float, 5-bit exponent */ F8_E5M2(1),
        /** 8-bit float, 4-bit exponent */ F8_E4M3(1),
        /** signed 16-bit */ I16(2),
        /** unsigned 16-bit */ U16(2),
        /** IEEE half */ F16(2),
        /** bfloat16 */ BF16(2),
        /** signed 32-bit */ I32(4),
        /** unsigned 32-bit */ U32(4),
        /** IEEE single */ F32(4),
        /** signed 64-bit */ I64(8),
        /** unsigned 64-bit */ U64(8),
        /** IEEE double */ F64(8);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /**
         * The size of one element.
         *
         * @return the size of one element in bytes
         */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One tensor's entry in the header.
     *
     * @param name   its name
     * @param dtype  its element type
     * @param shape  its dimensions, outermost first (empty for a scalar)
     * @param begin  its first byte, counted from the start of the data
     * @param end    one past its last byte
     */
    public record Tensor(String name, DType dtype, int[] shape, long begin, long end) {
        /**
         * The number of elements, from the byte range.
         *
         * @return the number of elements, the product of the shape (checked to fit an array when read)
         */
        public long elements() {
            return (end - begin) / dtype.bytes();
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    private static final long MAX_HEADER = 100L << 20;

    private final String source;
    private final Map<String, String> metadata;
    private final Map<String, Tensor> tensors;
    private final ByteBuffer data;

    private SafeTensors(String source, Map<String, String> metadata, Map<String, Tensor> tensors, ByteBuffer data) {
        this.source = source;
        this.metadata = metadata;
        this.tensors = tensors;
        this.data = data;
    }

    /**
     * Reads and checks a whole file.
     *
     * @param file the file to read
     * @return the file's tensors and metadata, held in memory
     * @throws IOException if it cannot be read, or is truncated or malformed (the message says where)
     */
    public static SafeTensors read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * Checks and wraps the bytes of a safetensors file (not copied).
     *
     * @param bytes  the whole file: header length, header and data
     * @param source a name for error messages, e.g. the file's path
     * @return the tensors and metadata, reading from {@code bytes}
     * @throws IOException if they are truncated or malformed
     */
    public static SafeTensors parse(byte[] bytes, String source) throws IOException {
        if (bytes.length < 8) {
            throw malformed(source, "only " + bytes.length + " bytes, less than the 8-byte header length");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = all.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > bytes.length - 8L) {
            throw malformed(source, "header length " + headerLength + " does not fit a file of " + bytes.length + " bytes");
        }
        String header;
        try {
            header = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) headerLength)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(source, "header is not UTF-8");
        }
        Object root;
        try {
            root = Json.parse(header);
        } catch (IllegalArgumentException e) {
            throw malformed(source, "header: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries)) {
            throw malformed(source, "header is not a JSON object");
        }
        ByteBuffer data = all.slice(8 + (int) headerLength, bytes.length - 8 - (int) headerLength).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw malformed(source, "__metadata__ is not an object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String value)) {
                        throw malformed(source, "__metadata__ value of \"" + m.getKey() + "\" is not a string");
                    }
                    metadata.put((String) m.getKey(), value);
                }
                continue;
            }
            tensors.put(name, tensor(source, name, e.getValue(), data.capacity()));
        }
        return new SafeTensors(source, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors), data);
    }

    private static Tensor tensor(String source, String name, Object entry, long dataLength) throws IOException {
        if (!(entry instanceof Map<?, ?> fields)) {
            throw malformed(source, "tensor \"" + name + "\" is not an object");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(String.valueOf(fields.get("dtype")));
        } catch (IllegalArgumentException e) {
            throw malformed(source, "tensor \"" + name + "\" has unknown dtype " + fields.get("dtype"));
        }
        if (!(fields.get("shape") instanceof List<?> dims)) {
            throw malformed(source, "tensor \"" + name + "\" has no shape list");
        }
        int[] shape = new int[dims.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw malformed(source, "tensor \"" + name + "\" has a bad dimension " + dims.get(i));
            }
            shape[i] = (int) (long) d;
            long cap = Long.MAX_VALUE / 16; // saturates: a count this large fails the size check below
            elements = d == 0 || elements == 0 ? 0 : elements > cap / d ? cap : elements * d;
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw malformed(source, "tensor \"" + name + "\" has " + elements + " elements, more than a Java array holds");
        }
        if (!(fields.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw malformed(source, "tensor \"" + name + "\" has no [begin, end] data_offsets");
        }
        if (begin < 0 || end < begin || end > dataLength) {
            throw malformed(source, "tensor \"" + name + "\" data_offsets [" + begin + ", " + end
                    + "] lie outside the " + dataLength + " data bytes (truncated file?)");
        }
        if (end - begin != elements * dtype.bytes()) {
            throw malformed(source, "tensor \"" + name + "\" has " + (end - begin) + " bytes, expected "
                    + elements * dtype.bytes() + " for " + dtype + Arrays.toString(shape));
        }
        return new Tensor(name, dtype, shape, begin, end);
    }

    /**
     * Writes F32 tensors as a safetensors file, atomically: the bytes go to a temporary file in the
     * same directory, which is forced to disk and then moved over {@code file} in one step, so a
     * crash or an error mid-write leaves either the old file or the new one, never a torn one.
     *
     * @param names    the tensors' names, in the order their data is stored
     * @param shapes   their shapes, outermost dimension first
     * @param data     their elements, row-major
     * @param metadata strings stored under {@code __metadata__}; may be empty
     * @param file     the file to write or replace
     * @throws IllegalArgumentException if an argument is null, the lists differ in length, a name
     *                                  repeats or is {@code __metadata__}, or a shape does not match its data
     * @throws IOException              if the file cannot be written (the old file, if any, is kept)
     */
    public static void writeFloats(Path file, java.util.List<String> names, java.util.List<int[]> shapes,
                                   java.util.List<float[]> data, Map<String, String> metadata) throws IOException {
        org.bptt4j.internal.Checks.notNull("file", file);
        org.bptt4j.internal.Checks.notNull("names", names);
        org.bptt4j.internal.Checks.notNull("shapes", shapes);
        org.bptt4j.internal.Checks.notNull("data", data);
        org.bptt4j.internal.Checks.notNull("metadata", metadata);
        if (names.size() != shapes.size() || names.size() != data.size()) {
            throw new IllegalArgumentException("names, shapes and data must have the same length, were "
                    + names.size() + ", " + shapes.size() + ", " + data.size());
        }
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                json.append(first ? "" : ",").append(quote(m.getKey())).append(':').append(quote(m.getValue()));
                first = false;
            }
            json.append('}');
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.equals("__metadata__") || !seen.add(name)) {
                throw new IllegalArgumentException("tensor name \"" + name + "\" is repeated or reserved");
            }
            long elements = 1;
            for (int d : shapes.get(i)) {
                if (d < 0) {
                    throw new IllegalArgumentException("tensor \"" + name + "\" has a negative dimension " + d);
                }
                elements *= d;
            }
            if (elements != data.get(i).length) {
                throw new IllegalArgumentException("tensor \"" + name + "\" has shape " + Arrays.toString(shapes.get(i))
                        + " (" + elements + " elements) but " + data.get(i).length + " floats");
            }
            json.append(json.length() > 1 ? "," : "").append(quote(name)).append(":{\"dtype\":\"F32\",\"shape\":")
                    .append(Arrays.toString(shapes.get(i)).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + 4 * elements).append("]}");
            offset += 4 * elements;
        }
        json.append('}');
        byte[] unpadded = json.toString().getBytes(StandardCharsets.UTF_8);
        // The format pads the header with spaces so that the data starts 8-byte aligned (in bytes:
        // non-ASCII metadata takes more bytes than characters).
        byte[] header = Arrays.copyOf(unpadded, (unpadded.length + 7) / 8 * 8);
        Arrays.fill(header, unpadded.length, header.length, (byte) ' ');
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".bptt4j-", ".tmp");
        IOException failure = null;
        try {
            try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(temp,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(out, length);
                writeFully(out, ByteBuffer.wrap(header));
                ByteBuffer block = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] tensor : data) {
                    for (float v : tensor) {
                        if (!block.hasRemaining()) {
                            writeFully(out, block.flip());
                            block.clear();
                        }
                        block.putFloat(v);
                    }
                }
                writeFully(out, block.flip());
                out.force(true);
            }
            keepPermissions(file, temp);
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(dir);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The new file gets the old one's permissions, or, for a new file, read for all (a temporary file is owner-only). */
    private static void keepPermissions(Path file, Path temp) throws IOException {
        if (!temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.exists(file)
                ? Files.getPosixFilePermissions(file)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temp, permissions);
    }

    /** Makes the rename itself durable where the platform allows forcing a directory (Linux does). */
    private static void forceDirectory(Path dir) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory; the file itself was forced before the move.
        }
    }

    private static void writeFully(java.nio.channels.FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static IOException malformed(String source, String what) {
        return new IOException("malformed safetensors file " + source + ": " + what);
    }

    /**
     * The header's metadata.
     *
     * @return the {@code __metadata__} strings (empty if there were none), unmodifiable
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The header's tensor entries.
     *
     * @return every tensor by name, in header order, unmodifiable
     */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /**
     * The header entry of one tensor.
     *
     * @param name the tensor's name
     * @return the entry of tensor {@code name}
     * @throws IllegalArgumentException if there is none
     */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("tensor \"" + name + "\" is missing from " + source + " (it has " + tensors.keySet() + ")");
        }
        return t;
    }

    /**
     * The elements of an F32 tensor, in row-major order.
     *
     * @param name          the tensor's name
     * @param expectedShape if not empty, the shape the tensor must have
     * @return a new array of its elements
     * @throws IllegalArgumentException if the tensor is missing, not F32, or of another shape
     */
    public float[] floats(String name, int... expectedShape) {
        Tensor t = checked(name, expectedShape);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException("tensor \"" + name + "\" in " + source + " must be F32, was " + t.dtype());
        }
        float[] out = new float[(int) t.elements()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.getFloat((int) t.begin() + 4 * i);
        }
        return out;
    }

    /**
     * The elements of an F32 or F64 tensor as doubles (exact), in row-major order.
     *
     * @param name          the tensor's name
     * @param expectedShape if not empty, the shape the tensor must have
     * @return a new array of its elements
     * @throws IllegalArgumentException if the tensor is missing, not F32 or F64, or of another shape
     */
    public double[] doubles(String name, int... expectedShape) {
        Tensor t = checked(name, expectedShape);
        double[] out = new double[(int) t.elements()];
        switch (t.dtype()) {
            case F32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.getFloat((int) t.begin() + 4 * i);
                }
            }
            case F64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.getDouble((int) t.begin() + 8 * i);
                }
            }
            default -> throw new IllegalArgumentException("tensor \"" + name + "\" in " + source + " must be F32 or F64, was " + t.dtype());
        }
        return out;
    }

    private Tensor checked(String name, int[] expectedShape) {
        Tensor t = tensor(name);
        if (expectedShape.length > 0 && !Arrays.equals(t.shape(), expectedShape)) {
            throw new IllegalArgumentException("tensor \"" + name + "\" in " + source + " must have shape "
                    + Arrays.toString(expectedShape) + ", was " + Arrays.toString(t.shape()));
        }
        return t;
    }
}
