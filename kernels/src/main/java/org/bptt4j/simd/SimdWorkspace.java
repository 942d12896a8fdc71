package org.bptt4j.simd;

import org.bptt4j.Cell;
import org.bptt4j.LayerShape;
import org.bptt4j.Workspace;

/**
 * The buffers of {@link SimdLayer}, allocated once. With T = maxSteps, G gates, S states, and
 * element {@code (t, b, j)} of a sequence of rows of width W at {@code (t*B + b)*W + j}, counted
 * from the buffer's {@link #origin} (every buffer but the states; see {@link #ORIGIN}):
 *
 * <pre>
 * saved by forward for backward                                   floats
 *   states        h_0 .. h_T (or rows of an array shared by a       (T+1)*B*H  (own only)
 *                 bidirectional stack's two directions: row r at
 *                 stateBase + r*ldh)
 *   cellStates    c_0 .. c_T (LSTM)                                (T+1)*B*H
 *   gates         the step's gate activations, T x B rows of G*H   T*B*ldg   (vanilla: none, h_t is its own)
 *   newGateSums   h_{t-1} W_hn + b_hn of each step (GRU)           T*B*H
 * scratch of backward
 *   stepGradients dz_t, the gradients of the pre-activations       T*B*ldz
 *                 (GRU: as W_x sees them, the n part dn)
 *   newGateGradients  the GRU's n part of dz_t as W_h sees it,      T*B*ldn   (GRU only)
 *                 dn*r; W_h's r and z parts are stepGradients'
 *   carry         the gradient flowing back into h_{t-1}           B*H        (in stepGradients' array,
 *                                                                              from {@link #carryOrigin})
 *   cellCarry     the gradient flowing back into c_{t-1} (LSTM)    B*H        (in the gates' array, likewise)
 *   transposed    W_x^T (G*H x I)                                  G*H*stride(I)
 *   staging       running weight-gradient sums, panel by panel of   max(I,H)*ceil(G*H/W)*W
 *                 W columns (see {@link MatMul#stagingLength})
 *   previousStates  each step's previous rows, gathered for dW_h     T*B*H      (a stack's layers only: rows of
 *                                                                              different lengths, or reversed)
 *   recurrentPanelsTransposed  W_h^T packed once per pass for the     ceil(H/W)*G*H*W
 *                 steps' products: ceil(H/W) panels of G*H x W, W hidden
 *                 units each, rows W apart
 * scratch of forward
 *   recurrentPanels W_h packed once per pass for the steps' products: G*ceil(H/W) panels of H x W
 *                 for each gate, W = {@link MatMul#W} of its units,        (W: 4 vectors)
 *                 rows W apart, zeros past H
 * scratch of every product
 *   pack          a group of panels of B, packed (see {@link MatMul}),  (1 + parts) * MatMul.packLength(max(I, G*H, K_CHUNK), max(I, G*H))
 *                 (a weight gradient's chunk of B's panel among them); one for
 *                 {@link #product} and one for each of the parts a
 *                 compute pool runs at once (none without a pool); in
 *                 stepGradients' array after the carry, from {@link #packStart}
 * </pre>
 * Rows of different lengths (a {@link org.bptt4j.RecurrentStack}) leave out the missing steps'
 * rows: the offsets come from {@link org.bptt4j.StepRows}, and the formulas are the capacity.
 * Row strides: a product reads a column block of B row after row, and rows whose stride is an
 * even number of cache lines share a fraction of L1's sets (a stride of 2 KiB: 2 of 64), which
 * thrashes (an LSTM at B = 64, rows of 4H floats: PhaseBenchmark's dX product took 199 ms at
 * H = 512, rows 8 KiB apart, and 72 ms at H = 496, on 2026-11-26). So the buffers this class owns put rows of n floats {@link #stride(int) stride(n)}
 * apart, an odd number of cache lines: dz rows {@code ldz = stride(G*H)} apart (the GRU's dn*r
 * {@code ldn = stride(H)}), the gated cells'
 * gates likewise ({@code ldg}; the vanilla cell's gates are its states, {@code ldh} apart: H, a
 * public layout, or a bidirectional stack's 2H),
 * W_x^T {@code stride(I)}. The parameters' own rows (W_x, W_h) need no copy at odd strides:
 * {@link MatMul} reads them through packed panels ({@code recurrentPanels} and
 * {@code recurrentPanelsTransposed} for W_h and W_h^T, packed once per pass; the input
 * projection's pack buffer for W_x).
 * Each buffer is preceded by {@link #ORIGIN} floats (the states: none) and followed by
 * {@link Workspace#PADDING} floats, and a buffer a cell does not use has none at all. {@link #sizeInBytes(LayerShape, boolean, boolean, int)} adds up exactly these lengths: the formula lives
 * in {@link #lengths}.
 */
final class SimdWorkspace extends Workspace {
    /** The hidden states: state row r (h_0's rows, then those of h_1 ...) at {@code stateBase + r*ldh}. */
    final float[] states;
    final int stateBase, ldh;
    /** Whether {@link #states} is another's array (a bidirectional stack's), not counted in this workspace's size. */
    private final boolean sharedStates;
    final float[] cellStates;
    final float[] gates;
    final float[] newGateSums;
    final float[] stepGradients;
    final float[] newGateGradients;
    final float[] carry;
    final float[] cellCarry;
    final float[] transposed;
    final float[] staging;
    final float[] previousStates;
    final float[] recurrentPanels;
    final float[] recurrentPanelsTransposed;
    /**
     * Where the buffers this workspace owns start being used (all but the states): their element
     * {@code origin + i} is what the layouts above call element i. {@link #ORIGIN}.
     */
    final int origin;
    /**
     * Where row 0 of {@link #carry} and of {@link #cellCarry} starts in its array. They are B x H
     * only, small arrays whose alignment nobody knows (see {@link #ORIGIN}), so they live in the
     * arrays of dz (carry) and of the LSTM's gates (cellCarry), past their T*B rows: there they
     * start a cache line as those do.
     */
    final int carryOrigin;
    /** The row stride of gates: ldh for the vanilla cell (its gates are its states), else ldz. */
    final int ldg;
    /** The row stride of stepGradients. */
    final int ldz;
    /** The row stride of newGateGradients: stride(H). */
    final int ldn;
    /** The row stride of W_x^T in {@code transposed}: stride(I). */
    final int ldx;
    /** The descriptor every product of a pass is run through, on the caller's thread. */
    final Product product;
    /** One descriptor for each part of a split step or product, each with its own pack buffer. */
    final Product[] partProducts;
    /** The pass's steps split for a compute pool (set by the layer that made this workspace). */
    Parts parts;
    /** The pass's big products split for a compute pool (the part descriptors are shared with {@link #parts}: never both at once). */
    final ProductSplit productSplit;

    /**
     * @param parts the most parts a compute pool runs at once for this workspace's layer (0 without
     *              a pool): the descriptors, and pack buffers, the split passes need
     */
    SimdWorkspace(LayerShape shape, boolean variableLengths, int parts) {
        this(shape, variableLengths, parts, null, 0, 0);
    }

    /**
     * @param sharedStates the hidden states' array, or null for a buffer of this workspace's own
     * @param stateBase    where state row 0 starts in sharedStates
     * @param ldh          the distance between state rows in sharedStates
     */
    SimdWorkspace(LayerShape shape, boolean variableLengths, int parts, float[] sharedStates, int stateBase, int ldh) {
        this(shape, variableLengths, parts, sharedStates, stateBase, ldh, ORIGIN);
    }

    /** As above, with {@code origin} for {@link #origin} (0 or {@link #ORIGIN}: a test's choice). */
    SimdWorkspace(LayerShape shape, boolean variableLengths, int parts, float[] sharedStates, int stateBase, int ldh, int origin) {
        super(shape);
        this.origin = origin;
        long[] n = lengths(shape, variableLengths, sharedStates != null, parts);
        this.sharedStates = sharedStates != null;
        this.stateBase = sharedStates == null ? 0 : stateBase;
        this.ldh = sharedStates == null ? shape.hiddenSize() : ldh;
        ldg = shape.cell() == Cell.VANILLA ? this.ldh : stride(shape.gateWidth());
        ldz = stride(shape.gateWidth());
        ldn = stride(shape.hiddenSize());
        ldx = stride(shape.inputSize());
        states = sharedStates == null ? buffer(n[0]) : sharedStates;
        cellStates = buffer(n[1]);
        gates = shape.cell() == Cell.VANILLA ? states : buffer(n[2]); // a vanilla step's pre-activation becomes h_t in place
        newGateSums = buffer(n[3]);
        stepGradients = buffer(n[4]);
        newGateGradients = buffer(n[5]);
        carry = stepGradients; // after dz's rows (see carryStart)
        cellCarry = shape.cell() == Cell.LSTM ? gates : null; // after the gates' rows, as far from the origin as the carry is in dz's
        carryOrigin = origin + (int) carryStart(shape);
        // The pack buffers after the carry, each from a cache line's start (see packStart).
        int packs = origin + (int) packStart(shape), packStride = (int) packStride(shape);
        product = new Product(stepGradients, packs, packLength(shape));
        partProducts = new Product[parts];
        for (int i = 0; i < parts; i++) {
            partProducts[i] = new Product(stepGradients, packs + (i + 1) * packStride, packLength(shape));
        }
        productSplit = new ProductSplit(partProducts);
        transposed = buffer(n[8]);
        staging = buffer(n[9]);
        previousStates = buffer(n[10]);
        recurrentPanels = buffer(n[11]);
        recurrentPanelsTransposed = buffer(n[12]);
    }

    /** @return the panels of units a gate's W_h takes in {@link #recurrentPanels}: ceil(H / W) */
    static int panelsPerGate(LayerShape s) {
        return (s.hiddenSize() + MatMul.W - 1) / MatMul.W;
    }

    /**
     * The floats of each buffer without padding, in the order of the class comment; 0 for a buffer
     * the cell does not use (or shares: the vanilla cell's gates are its states).
     */
    private static long[] lengths(LayerShape s, boolean variableLengths, boolean sharedStates, int parts) {
        long t = s.maxSteps(), bh = (long) s.batch() * s.hiddenSize(), gh = s.gateWidth(), ldz = stride(s.gateWidth());
        Cell cell = s.cell();
        long[] n = {
                sharedStates ? 0 : (t + 1) * bh,
                cell == Cell.LSTM ? (t + 1) * bh : 0,
                cell == Cell.VANILLA ? 0 : cell == Cell.LSTM ? carryStart(s) + bh : t * s.batch() * ldz, // ldg = ldz apart; the LSTM's cellCarry after them
                cell == Cell.GRU ? t * bh : 0,
                packStart(s) + parts * packStride(s) + packLength(s), // dz, the carry, then the pack buffers
                cell == Cell.GRU ? t * s.batch() * stride(s.hiddenSize()) : 0,
                0, // the carry, in dz's array
                0, // the LSTM's cellCarry, in its gates' array
                gh * (long) stride(s.inputSize()),
                MatMul.stagingPanels(Math.max(s.inputSize(), s.hiddenSize()), s.gateWidth()),
                variableLengths ? t * bh : 0,
                (long) s.cell().gates() * panelsPerGate(s) * s.hiddenSize() * MatMul.W,
                (long) panelsPerGate(s) * gh * MatMul.W};
        for (int i = 1; i < n.length; i++) { // the buffers used from their origin (the states from element 0)
            n[i] += n[i] == 0 ? 0 : ORIGIN;
        }
        return n;
    }

    /**
     * @return the floats of one pack buffer: a group of panels of B for the longest k of the layer's
     *         products, a weight gradient's chunk of K_CHUNK rows included
     */
    static int packLength(LayerShape s) {
        return MatMul.packLength(Math.max(Math.max(s.inputSize(), s.gateWidth()), MatMul.K_CHUNK), Math.max(s.inputSize(), s.gateWidth()));
    }

    /**
     * The element of a buffer at which its use starts (see {@link #origin}): 12 floats, 48 bytes,
     * so that what the buffer's layout calls element 0, and every row a whole number of cache
     * lines from it, starts a 64-byte cache line, where HotSpot puts a large array's first
     * element 16 bytes past a cache line (its header: G1 and ZGC start an array of a few MiB,
     * as a workspace's buffers at sizes where speed counts are, at a region or page boundary).
     * A vector of 16 floats then loads and stores from one cache line, not two: on the Intel Xeon
     * measured (2026-11-27), a GRU step's products (64 x 1536 x 512) ran at 80-86% of the peak
     * with their operands aligned, 72-80% without (offsets alternated in one JVM, 3 JVMs). Where the guess is wrong (another header size,
     * such as the 12 bytes of {@code -XX:+UseCompactObjectHeaders}; a smaller array; a collector
     * that does not align large arrays), the buffers are as misaligned as they would be without
     * it; the results are the same bits either way.
     */
    static final int ORIGIN = 12;

    /** @return where the carry's rows start past the origin of dz's array: after dz's T*B rows and their padding, on a cache line */
    static long carryStart(LayerShape s) {
        return wholeLines((long) s.maxSteps() * s.batch() * stride(s.gateWidth()) + PADDING);
    }

    /**
     * @return where the pack buffers start past the origin of dz's array (see {@link Product}):
     *         after the carry and its padding, on a cache line. They are scratch of every product,
     *         forward and backward, and live there for the carry's reason: a pack buffer is a few
     *         hundred KiB, an array of its own starts where nobody knows, and the big products'
     *         tiles load B's packed panels 4 vectors at a time. An input projection (4096 x 1536
     *         x 512) ran at 91.0% of the peak with its pack buffer from a cache line's start, at
     *         77.2% from 16 bytes past it; a weight gradient (512 x 1536, k = 4096) at 74.8% and
     *         71.8% (2026-11-27, Intel Xeon).
     */
    static long packStart(LayerShape s) {
        return wholeLines(carryStart(s) + (long) s.batch() * s.hiddenSize() + PADDING);
    }

    /** @return the distance between two pack buffers in dz's array: one and its padding, on cache lines */
    static long packStride(LayerShape s) {
        return wholeLines(packLength(s) + PADDING);
    }

    /** @return {@code floats} rounded up to whole cache lines of 16 floats */
    private static long wholeLines(long floats) {
        return (floats + 15) / 16 * 16;
    }

    /** @return the row stride for rows of {@code n} floats: n rounded up to whole cache lines of 16 floats, an odd number of them */
    static int stride(int n) {
        int lines = (n + 15) / 16;
        return 16 * (lines % 2 == 0 ? lines + 1 : lines);
    }

    /**
     * @return the size in bytes of the buffers of a workspace for {@code shape}: 4 times the floats
     *         of {@link #lengths} and their padding (without shared states, which the stack counts)
     */
    static long sizeInBytes(LayerShape shape, boolean variableLengths, boolean sharedStates, int parts) {
        long floats = 0;
        for (long n : lengths(shape, variableLengths, sharedStates, parts)) {
            floats += n == 0 ? 0 : n + PADDING;
        }
        return 4 * floats;
    }

    private static float[] buffer(long n) {
        return n == 0 ? null : new float[padded(n)];
    }

    @Override
    public long sizeInBytes() {
        return sizeInBytes(shape(), previousStates != null, sharedStates, partProducts.length);
    }

    @Override
    public float[] states() {
        return states;
    }

    /** @return where state row r starts in {@link #states} */
    int stateIndex(int r) {
        return stateBase + r * ldh;
    }
}
