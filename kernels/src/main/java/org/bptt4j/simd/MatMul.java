package org.bptt4j.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one matrix-product micro-kernel family every SIMD pass is built on, a pure product:
 * {@code C (m x n) = start + A (m x k) * B (k x n)}, where the start is zero, C itself (a sum
 * continued) or rows of another array (a bias row repeated, or carried rows). Nothing else happens
 * in it: activations and the rest of a cell's step run in the cells, on the finished block of C.
 * The operands come in a {@link Product}, which names each at the call site.
 *
 * <p>Register-blocked in tiles of 6 rows x {@value #VECTORS} vectors (24 accumulators in local
 * variables, the most that leave registers for B's vectors and A's broadcast; each product phase
 * 12-33% faster than with 4 x 4 tiles at B = 64, H = 512 in PhaseBenchmark), then {@value #ROWS} x
 * {@value #VECTORS} and single rows for what is left. A CPU with 16 vector registers (AVX2; see
 * {@link #VECTOR_REGISTERS}) takes each 6-row tile as two of 6 rows x 2 vectors: with 24
 * accumulators, C2's inner loop moved vectors to or from the stack 28 times in every step of k.
 *
 * <p>Packing: where a column block of {@value #VECTORS} vectors has 4 rows or more, its k x
 * {@code W} panel of B ({@code W = VECTORS * L} columns) is first copied into the product's
 * {@link Product#pack} buffer, rows W floats apart, and every tile of the block reads it there.
 * Blocks are packed in groups of up to {@link #PANEL_GROUP} floats, and each row tile of A passes
 * over all panels of its group before the next row tile.
 * The 6- and 4-row tiles read it with a stride the JIT knows (W, a constant), so that C2 hoists B's
 * bounds checks and its multiplication out of their inner loop, and the panel's rows are
 * contiguous (no cache-set conflicts, no TLB misses, whatever B's row stride). The copy (k*W
 * floats, once per block) is paid back by the tiles that read the panel.
 *
 * <p>B and C are row-major ({@code B(p, j) = b[bOff + p*ldb + j]}); A is read through two strides,
 * {@code A(i, p) = a[aOff + i*aRow + p*aCol]}, so that the same kernel computes {@code A B} and
 * {@code A^T B}. Each A element is broadcast and multiplied with a row segment of B, so B's rows
 * are read contiguously. The 6- and 4-row tiles take A row-major ({@code aCol = 1}): with
 * the sum's index as A's own, C2 drops A's bounds checks from their inner loop (a 60 x 64 x 128
 * product from L1 went from 154-155 to 164-168 GFLOP/s, about 95% of PeakBenchmark). The weight
 * gradients' A is transposed, {@code H^T} or {@code X^T} ({@code aRow = 1}), and goes through
 * 6-row tiles of its own ({@link #tile6x4Transposed}) that read it where it lies: the six
 * elements of A a step of k broadcasts are side by side in one row of H.
 *
 * <p>Tails: columns beyond the last full {@value #VECTORS}-vector block go one full vector at a
 * time, the last {@code n % L} columns as one masked vector per row where every access of that
 * vector (masked-off lanes included) stays inside its array, else by a scalar remainder (same
 * operations, lane by lane): a masked access that reaches past the end of an array leaves the
 * Vector API's intrinsic path, and there it allocates. The workspaces pad their buffers so that
 * only rows at the end of a caller's array take the scalar way. Rows beyond the last full block
 * of {@value #ROWS} go one at a time. A product whose A is not row-major (a weight gradient of
 * fewer than 4 rows, or column sums) or whose B cannot be packed takes all its columns one vector
 * at a time.
 *
 * <p>No method here takes or returns a vector: a vector handed to a call that C2 does not inline is
 * boxed, and the kernel then allocates and slows down many times.
 *
 * <p>For each element of C the sum over k runs in order p = 0..k-1, one fused multiply-add each,
 * starting from the start value, whatever the tiling and the vector width, so results are
 * deterministic and the same at every width.
 */
final class MatMul {
    static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    static final int L = S.length();
    /** Rows of C in the 4-row tiles (the largest tiles have 6). */
    static final int ROWS = 4;
    /** Vectors of C per tile row. */
    static final int VECTORS = 4;
    /** The system property that overrides {@link #K_BLOCK}, for tuning on another CPU. */
    static final String K_BLOCK_PROPERTY = "bptt4j.kBlock";
    /** The system property that overrides {@link #K_CHUNK} (at most K_BLOCK). */
    static final String K_CHUNK_PROPERTY = "bptt4j.kChunk";
    /**
     * The longest k a product sums without splitting it (see {@link #multiplyBlocked}); 1024 unless
     * overridden. At 512 the LSTM's input gradient at H = 512 (4096 x 512 x 2048) ran at 85.1% and
     * 87.2% of the peak, at 1024 at 90.6% and 90.0%, at 2048 at 87.4% and 87.8% (two JVMs each,
     * in turn; 2026-11-27, AMD Zen 5); the GRU's at H = 512 and both at H = 256 the same within
     * their spread (85.9-93.7%).
     */
    static final int K_BLOCK = blockSize(K_BLOCK_PROPERTY, System.getProperty(K_BLOCK_PROPERTY), 1024, Integer.MAX_VALUE);
    /** Rows of B per chunk of {@link #multiplyAdd}, and of a packed panel's sum in {@link #multiplyBlocked}; 128 unless overridden. */
    static final int K_CHUNK = blockSize(K_CHUNK_PROPERTY, System.getProperty(K_CHUNK_PROPERTY), 128, K_BLOCK);
    /** The system property that overrides {@link #PANEL_GROUP}, in KiB. */
    static final String PANEL_GROUP_PROPERTY = "bptt4j.panelGroupKiB";
    /**
     * The floats of the packed panels of B that one row tile of A passes over before the next (see
     * {@link #multiply(int, int, int, float[], int, int, int, float[], int, int, float[], int, int, Start, float[], int, int, float[], int)}):
     * 512 KiB unless overridden: a quarter of the L2 of the Xeon it was measured on, where 1 MiB
     * ran no faster (the LSTM's input projection at H = 512: 1.02-1.05x one panel at a time with
     * either).
     */
    static final int PANEL_GROUP = 256 * blockSize(PANEL_GROUP_PROPERTY, System.getProperty(PANEL_GROUP_PROPERTY), 512, 1 << 20);
    /** Columns of a packed panel of B: one full column block. */
    static final int W = VECTORS * L;
    /** The system property that overrides {@link #VECTOR_REGISTERS}: 16 or 32. */
    static final String VECTOR_REGISTERS_PROPERTY = "bptt4j.vectorRegisters";
    /**
     * The vector registers the JIT has: 32 where the CPU's preferred vectors are 512 bits (AVX-512,
     * whatever width the kernels use) or it is an ARM CPU (NEON, SVE), else 16 (AVX2, SSE). The
     * 6-row tiles hold 24 accumulators on 32 registers and 12 on 16 ({@link #tile6x2}), where 24
     * would spill.
     */
    static final int VECTOR_REGISTERS = vectorRegisters(System.getProperty(VECTOR_REGISTERS_PROPERTY));
    /** A 1 x k matrix of ones when read with aRow = aCol = 0: column sums as a product. */
    static final float[] ONE = {1f};

    /** Where the accumulators of C(i, j) start. */
    enum Start {
        /** From zero: {@code C = A B}. */
        ZERO,
        /** From C: {@code C = C + A B}, a sum continued (a product over k split into chunks, or a pre-computed input projection). */
        C,
        /** From rows of another array: {@code C = U + A B}; with a row stride of 0, one row (a bias) for every row. */
        ROWS
    }

    private MatMul() {
    }

    /**
     * @return the rows of each of {@code ranges} ranges that split {@code rows} rows of C between
     *         threads: all of them for one range, else a multiple of 12, so that ranges end where the
     *         6-row and 4-row tiles do (the last range takes what is left, and there may be fewer)
     */
    static int rangeHeight(int rows, int ranges) {
        return ranges == 1 ? rows : ((rows + ranges - 1) / ranges + 11) / 12 * 12;
    }

    /**
     * The vector registers: {@code value} (the system property's, 16 or 32) when set, else 32 where
     * the preferred vectors are 512 bits or the CPU is ARM, and 16 otherwise.
     *
     * @throws IllegalArgumentException naming the property if the value is not 16 or 32
     */
    static int vectorRegisters(String value) {
        if (value == null || value.isBlank()) {
            boolean wide = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 || "aarch64".equals(System.getProperty("os.arch"));
            return wide ? 32 : 16;
        }
        if (!value.trim().equals("16") && !value.trim().equals("32")) {
            throw new IllegalArgumentException(VECTOR_REGISTERS_PROPERTY + " must be 16 or 32, was \"" + value + "\"");
        }
        return Integer.parseInt(value.trim());
    }

    /**
     * A block size: {@code value} (a system property's) when set, else {@code byDefault}. The
     * sums' order does not depend on it, so results are the same bits at any block size.
     *
     * @throws IllegalArgumentException naming the property if the value is not an integer in [1, max]
     */
    static int blockSize(String property, String value, int byDefault, int max) {
        if (value == null) {
            return byDefault;
        }
        try {
            int size = Integer.parseInt(value.trim());
            if (size >= 1 && size <= max) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(property + " must be an integer in [1, " + max + "], was \"" + value + "\"");
    }

    /**
     * The length of a pack buffer for products whose sums run over at most {@code maxK} rows of B
     * (longer sums are split into chunks of K_BLOCK, or K_CHUNK when adding: an adding product
     * needs {@code maxK} of K_CHUNK at least).
     *
     * @param maxK the longest k of the products the buffer serves
     * @param maxN the most columns of C of the products the buffer serves
     * @return floats for a group of packed panels, {@code g * min(maxK, K_BLOCK) * W} with g the
     *         panels of PANEL_GROUP floats (at least 1, at most the column blocks of maxN)
     */
    static int packLength(int maxK, int maxN) {
        int k = Math.max(1, Math.min(maxK, K_BLOCK));
        long blocks = Math.max(1, (maxN + W - 1) / W);
        return Math.toIntExact(Math.max(1, Math.min(blocks, PANEL_GROUP / ((long) k * W))) * k * W);
    }

    /** Runs {@code p}: {@code C = start + A B}; see the class comment for the layouts. */
    static void multiply(Product p) {
        multiplyTile(p, 0, p.m, 0, p.n, p);
    }

    /**
     * Rows {@code [i0, i1)} and columns {@code [j0, j1)} of {@code p}'s C, with the same sums as
     * {@link #multiply(Product)} computes for them (each element's sum runs over the same k in the
     * same order whatever rows and columns come with it): the part one thread of a
     * {@link org.bptt4j.ComputePool} takes. B's panels are packed in {@code scratch}'s pack buffer (the caller's own).
     */
    static void multiplyTile(Product p, int i0, int i1, int j0, int j1, Product scratch) {
        multiplyBlocked(i1 - i0, j1 - j0, p.k, chunksFirst(p), p.a, p.aOff + i0 * p.aRow, p.aRow, p.aCol, p.b, p.bOff + j0, p.ldb,
                p.c, p.cOff + i0 * p.ldc + j0, p.ldc, p.start, p.u, p.u == null ? 0 : p.uOff + i0 * p.ldu + j0, p.ldu,
                scratch.pack, scratch.packOrigin, scratch.packLength);
    }

    /**
     * @return the floats of staging in which {@link #multiplyAdd} keeps the running sums of an
     *         m x n product from {@link SimdWorkspace#ORIGIN} (a cache line's start, see there),
     *         panel by panel of W columns (see {@link #multiplyAddTile}); a smaller staging keeps
     *         them in rows n apart from 0
     */
    static long stagingLength(int m, int n) {
        return SimdWorkspace.ORIGIN + stagingPanels(m, n);
    }

    /** @return the floats of an m x n product's running sums panel by panel: m rows of each column block of W */
    static long stagingPanels(int m, int n) {
        return (long) m * ((n + W - 1) / W * W);
    }

    /**
     * Runs {@code p} as {@code C += A B} for the long products of backward (the weight-gradient
     * sums over all T*B rows, k in the thousands), with the sum over k complete before it is added
     * to C, so that two calls add exactly twice what one adds. k is split into chunks of
     * K_CHUNK rows of B (16 to 32 KiB of a B column block, which stays in L1 while every
     * row block of C passes over it; unsplit, B streamed from L3 and these products ran at half
     * the speed of the others). The running sums wait in {@code staging} (see
     * {@link #stagingLength}) between chunks; a float stored and reloaded is unchanged, so the
     * result is bit-identical to an unsplit sum. The product's start is ignored.
     */
    static void multiplyAdd(Product p, float[] staging) {
        multiplyAddTile(p, staging, 0, p.m, 0, p.n, p);
    }

    /**
     * Rows {@code [i0, i1)} and columns {@code [j0, j1)} of {@link #multiplyAdd}, with the same
     * sums; their running sums in the same elements of {@code staging}, B's panels packed in
     * {@code scratch}'s pack buffer (the caller's own).
     */
    static void multiplyAddTile(Product p, float[] staging, int i0, int i1, int j0, int j1, Product scratch) {
        float[] pack = scratch.pack;
        int po = scratch.packOrigin, packRoom = scratch.packLength;
        int n = p.n, k = p.k, height = i1 - i0, width = j1 - j0;
        if (k == 0) {
            return; // an empty sum adds nothing
        }
        // A transposed (the weight gradients' H^T and X^T) is read where it lies, by the transposed
        // tiles (see multiply): a chunk's kc rows of H (this tile's columns of them) stream through
        // L2 once per column block.
        int ai = p.aOff + i0 * p.aRow;
        // The running sums where staging has room (see stagingLength): panel by panel from ORIGIN,
        // column block jb's m x W sums one after the other from ORIGIN + jb*m, so that the row
        // tiles, which store and reload them at every chunk, go over them as one stream (rows
        // stride(n) apart made six: a weight gradient of 512 x 1536, k = 4096, ran 1.04-1.07x as
        // fast panel by panel, alternated call by call). Else rows n apart from 0.
        boolean panels = staging.length >= stagingLength(p.m, n);
        int block = panels ? W : width; // the columns whose sums are one block of staging
        for (int k0 = 0; k0 < k; k0 += K_CHUNK) {
            int kc = Math.min(K_CHUNK, k - k0);
            Start start = k0 == 0 ? Start.ZERO : Start.C;
            for (int jb = j0; jb < j1; jb += block) {
                multiply(height, Math.min(block, j1 - jb), kc, p.a, ai + k0 * p.aCol, p.aRow, p.aCol, p.b, p.bOff + k0 * p.ldb + jb, p.ldb,
                        staging, stagingIndex(panels, p.m, n, i0, jb), panels ? W : n, start, null, 0, 0, pack, po, packRoom);
            }
        }
        for (int i = i0; i < i1; i++) {
            for (int jb = j0; jb < j1; jb += block) {
                Rows.accumulate(staging, stagingIndex(panels, p.m, n, i, jb), p.c, p.cOff + i * p.ldc + jb, Math.min(block, j1 - jb));
            }
        }
    }

    /** @return where the running sum of C(i, jb) waits in an m x n product's staging: panel by panel from ORIGIN, or in rows n apart from 0 */
    private static int stagingIndex(boolean panels, int m, int n, int i, int jb) {
        return panels ? SimdWorkspace.ORIGIN + jb * m + i * W : i * n + jb;
    }

    /**
     * The most floats of A (m x k, the whole product's) that {@link #multiplyBlocked} sums one
     * column block at a time, 2^22 (16 MiB, half the L3 of the Zen 5 it was measured on).
     */
    static final int CHUNKS_FIRST_FLOATS = 1 << 22;

    /** @return whether {@link #multiplyBlocked} runs {@code p}'s chunks of k each over all columns (A larger than CHUNKS_FIRST_FLOATS), not one column block after another */
    static boolean chunksFirst(Product p) {
        return (long) p.m * p.k > CHUNKS_FIRST_FLOATS;
    }

    /**
     * The product, blocked when k is longer than K_BLOCK (an LSTM's or a GRU's input gradient,
     * k = G*H): its sum over k in chunks of K_BLOCK rows of B, each chunk continuing the sums the
     * last one stored in C. A float stored and reloaded is unchanged, so the result is
     * bit-identical to an unsplit sum, in either order of the loops:
     * <ul>
     * <li>{@code chunksFirst}: each chunk a product over all columns (in groups of packed panels,
     *     see {@link #multiply}), so that each chunk of A streams once per group. For an A that
     *     memory serves (the LSTM's 4096 x 2048 at H = 512, 32 MiB): its input gradient ran
     *     1.05-1.09x as fast so in 3 JVMs, the GRU's (4096 x 1536) 1.05x;</li>
     * <li>else one column block of {@value #VECTORS} vectors at a time, all its chunks in turn
     *     (each chunk's 256 KiB of B in L2 while every row of C passes, and the block's running
     *     sums in L2 between chunks), A streamed once per column block: for an A that L3 holds
     *     (2048 x 768 and 2048 x 1024 at B = 32, H = 256) 1.04x (twice) and 1.03x and 0.99x as
     *     fast as chunk by chunk.</li>
     * </ul>
     * (2026-11-27, AMD Zen 5, chunks of 512 then: each way alternated call by call on the same
     * arrays, medians of 9 or 11 calls.)
     *
     * <p>A B that is one packed panel already (rows W apart: the step products' panels of W_h and
     * W_h^T, which the driver packs once per pass) is blocked at K_CHUNK, not K_BLOCK: the
     * chunk's 32 KiB (at 512 bits) stays in L1 while every row tile passes over it, where a
     * panel of k = 512 (128 KiB) was read from L2 by each tile. A step's products alone (64 x 1536
     * x 512 on a GRU's panels of W_h) ran at 82% of the peak in chunks against 76% whole, and at
     * 89% against 85% on one panel read over and over. Whole passes, both ways alternated call by
     * call in one JVM (medians of 25): 1.02x (vanilla), 1.00x (GRU) and 1.005x (LSTM) at B = 64,
     * H = 512, 1.03x (GRU) at B = 32, H = 256 (2026-11-27, Intel Xeon; with a busy neighbour on
     * the core, the products alone gained nothing).
     */
    private static void multiplyBlocked(int m, int n, int k, boolean chunksFirst,
                                        float[] a, int aOff, int aRow, int aCol,
                                        float[] b, int bOff, int ldb,
                                        float[] c, int cOff, int ldc,
                                        Start start, float[] u, int uOff, int ldu, float[] pack, int packOrigin, int packRoom) {
        int kBlock = ldb == W ? K_CHUNK : K_BLOCK;
        if (k <= kBlock) {
            multiply(m, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, start, u, uOff, ldu, pack, packOrigin, packRoom);
            return;
        }
        int width = chunksFirst ? n : W; // the columns each chunk runs over
        for (int j0 = 0; j0 < n; j0 += width) {
            for (int k0 = 0; k0 < k; k0 += kBlock) {
                multiply(m, Math.min(width, n - j0), Math.min(kBlock, k - k0), a, aOff + k0 * aCol, aRow, aCol, b, bOff + k0 * ldb + j0, ldb,
                        c, cOff + j0, ldc, k0 == 0 ? start : Start.C, u, uOff + j0, ldu, pack, packOrigin, packRoom);
            }
        }
    }

    /** @return the packed panels of k rows a group takes: as many as fill PANEL_GROUP floats of the first {@code room} of the pack buffer, at least 1 */
    private static int groupPanels(int k, int room) {
        return Math.max(1, Math.min(PANEL_GROUP, room) / (Math.max(1, k) * W));
    }

    /**
     * @return the column blocks of {@code p} whose panels each row tile of A passes over before the
     *         next (see {@link #multiply}), run by {@link #multiplyTile} with {@code packRoom}
     *         floats to pack them in: a group where the tile packs B (B not a panel already, A
     *         for the tiles; k at most K_BLOCK, or chunks first, see {@link #multiplyBlocked}), else
     *         one; a part of C streams its rows of A once per group
     */
    static int groupBlocks(Product p, int packRoom) {
        int k = Math.min(p.k, K_BLOCK);
        return (p.k <= K_BLOCK || chunksFirst(p)) && packsB(p.ldb, p.aRow, p.aCol, p.start, k, packRoom) ? groupPanels(k, packRoom) : 1;
    }

    /** @return whether {@link #multiply}'s tiles pack B's panels (given rows enough and a pack buffer): B not a panel already, A for the tiles, k rows of a panel in {@code packRoom} */
    private static boolean packsB(int ldb, int aRow, int aCol, Start ep, int k, int packRoom) {
        return ldb != W && tiles(aRow, aCol, ep) && (long) k * W <= packRoom;
    }

    /** @return whether {@link #multiply}'s tiles take A: row-major ({@code aCol = 1}), or transposed ({@code aRow = 1}) with a start of zero or C */
    private static boolean tiles(int aRow, int aCol, Start ep) {
        return aCol == 1 || (aRow == 1 && ep != Start.ROWS);
    }

    /**
     * The product with the {@code packRoom} floats of {@code pack} from {@code packOrigin} free for B's panels.
     *
     * <p>Column blocks are packed and run in groups (the blocking of BLIS, with A and B in each
     * other's roles): a group's panels, {@link #PANEL_GROUP} floats or less, stay in L2 while each
     * row tile of A passes over all of them, so that the tile's 6 x k floats of A come from L1 or
     * L2 for every panel after the first. One panel at a time, every row tile read A from L3 or
     * memory once per column block. ProductBenchmark's input product (4096 x G*H x H), old and new
     * alternated call by call (medians of 15): 1.02-1.05x as fast at H = 512 (G = 1, 3, 4), 1.13x
     * at H = 256 and 1.02x at H = 128 (G = 4).
     */
    private static void multiply(int m, int n, int k,
                                 float[] a, int aOff, int aRow, int aCol,
                                 float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc,
                                 Start ep, float[] u, int uOff, int ldu, float[] pack, int packOrigin, int packRoom) {
        // Whole column blocks go through the 6- and 4-row tiles, which read B as a packed panel (rows
        // W apart) and A row-major (aCol = 1): with both indices their loop's own, C2 drops the
        // bounds checks from the inner loops. B whose rows are W apart is a panel already (the
        // driver packs W_h once per pass); else a block of 4 rows or more packs it here.
        // A transposed (aRow = 1) goes through tiles of its own, from a start of zero or C (the
        // weight gradients' running sums), 6 rows and then single rows.
        boolean packed = ldb == W, transposed = aCol != 1;
        boolean packs = packsB(ldb, aRow, aCol, ep, k, packRoom) && m >= ROWS && pack != null;
        int nFull = (packed && tiles(aRow, aCol, ep)) || packs ? n - n % W : 0;
        // 8 or 9 rows left after the 6-row tiles go as two 4-row tiles (and a row), not as a 6-row
        // tile and 2 or 3 single rows (B = 32 leaves 8).
        int rest = m % 6, sixEnd = m - (m >= 8 && (rest == 2 || rest == 3) && !transposed ? rest + 6 : rest);
        int group = packs ? W * groupPanels(k, packRoom) : W;
        for (int g = 0; g < nFull; g += group) {
            int gEnd = Math.min(nFull, g + group);
            // The group's B: its packed panels, block j's at (j - g) * k, or the one panel B is.
            float[] bb = b;
            int bg = bOff + g;
            if (packs) {
                for (int j = g; j < gEnd; j += W) {
                    packPanel(b, bOff + j, ldb, k, pack, packOrigin + (j - g) * k);
                }
                bb = pack;
                bg = packOrigin;
            }
            int panelStride = packs ? k : 1; // block j's panel at bg + (j - g) * panelStride
            int i = 0;
            for (; i < sixEnd; i += 6) {
                int ai = aOff + i * aRow;
                for (int j = g; j < gEnd; j += W) {
                    int bj = bg + (j - g) * panelStride, ci = cOff + i * ldc + j, ui = uOff + i * ldu + j;
                    if (transposed && VECTOR_REGISTERS >= 32) {
                        tile6x4Transposed(k, a, ai, aCol, bb, bj, c, ci, ldc, ep == Start.C);
                    } else if (transposed) {
                        tile6x2Transposed(k, a, ai, aCol, bb, bj, c, ci, ldc, ep == Start.C);
                        tile6x2Transposed(k, a, ai, aCol, bb, bj + 2 * L, c, ci + 2 * L, ldc, ep == Start.C);
                    } else if (VECTOR_REGISTERS >= 32) {
                        tile6x4(k, a, ai, aRow, bb, bj, c, ci, ldc, ep, u, ui, ldu);
                    } else { // the block's two halves, each with the same sums
                        tile6x2(k, a, ai, aRow, bb, bj, c, ci, ldc, ep, u, ui, ldu);
                        tile6x2(k, a, ai, aRow, bb, bj + 2 * L, c, ci + 2 * L, ldc, ep, u, ui + 2 * L, ldu);
                    }
                }
            }
            for (; i + ROWS <= m && !transposed; i += ROWS) {
                for (int j = g; j < gEnd; j += W) {
                    tile4x4(k, a, aOff + i * aRow, aRow, bb, bg + (j - g) * panelStride, c, cOff + i * ldc + j, ldc, ep, u, uOff + i * ldu + j, ldu);
                }
            }
            for (; i < m; i++) {
                for (int j = g; j < gEnd; j += W) {
                    tile1x4(k, a, aOff + i * aRow, aCol, bb, bg + (j - g) * panelStride, W, c, cOff + i * ldc + j, ep, u, uOff + i * ldu + j);
                }
            }
        }
        int nVectors = n - n % L;
        int mFull = m - m % ROWS;
        for (int j = nFull; j < nVectors; j += L) {
            for (int i = 0; i < mFull; i += ROWS) {
                tile(ROWS, 1, i, j, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, ep, u, uOff, ldu);
            }
        }
        // Rows left below a multiple of four (every row when m < 4, as in a batch of one): two
        // vectors at a time, so that two accumulation chains hide the FMA latency.
        for (int i = mFull; i < m; i++) {
            int j = nFull;
            for (; j + 2 * L <= nVectors; j += 2 * L) {
                tile(1, 2, i, j, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, ep, u, uOff, ldu);
            }
            if (j < nVectors) {
                tile(1, 1, i, j, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, ep, u, uOff, ldu);
            }
        }
        if (nVectors < n) {
            // The last n % L columns: a masked vector where every access stays inside its array
            // (the workspaces' buffers are padded for it), else element by element.
            int lanes = n - nVectors;
            boolean bFits = k == 0 || fits(b, bOff + (k - 1) * ldb + nVectors);
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc + nVectors;
                int ui = uOff + i * ldu + nVectors;
                if (bFits && fits(c, ci) && (ep != Start.ROWS || fits(u, ui))) {
                    tilePartial(k, a, aOff + i * aRow, aCol, b, bOff + nVectors, ldb, c, ci, ep, u, ui, lanes);
                } else {
                    remainder(i, nVectors, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, ep, u, uOff, ldu);
                }
            }
        }
    }

    /**
     * Copies the k x W panel of B from {@code b[bOff]} (rows ldb apart) to {@code pack[po]} (rows W
     * apart): {@value #VECTORS} vector loads and stores a row (W is {@value #VECTORS} vectors, as
     * in the tiles), where a {@code System.arraycopy} per row called the JVM's copy stub for every
     * 256 bytes (at 512 bits). The weight gradients pack all of dZ so, once per chunk of k: a
     * 512 x 1536 x 4096 one ran 1.018x as fast (1.024x with G = 1, 1.017x with G = 4; medians of
     * 15 rounds alternated call by call, 2026-11-27), the input projection 1.005-1.009x.
     */
    private static void packPanel(float[] b, int bOff, int ldb, int k, float[] pack, int po) {
        for (int p = 0; p < k; p++) {
            int from = bOff + p * ldb, to = po + p * W;
            FloatVector.fromArray(S, b, from).intoArray(pack, to);
            FloatVector.fromArray(S, b, from + L).intoArray(pack, to + L);
            FloatVector.fromArray(S, b, from + 2 * L).intoArray(pack, to + 2 * L);
            FloatVector.fromArray(S, b, from + 3 * L).intoArray(pack, to + 3 * L);
        }
    }

    /** The tile of {@code rows} x {@code vectors} full vectors whose corner is C(i, j). */
    private static void tile(int rows, int vectors, int i, int j, int k,
                             float[] a, int aOff, int aRow, int aCol,
                             float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc,
                             Start ep, float[] u, int uOff, int ldu) {
        int ai = aOff + i * aRow, bj = bOff + j, ci = cOff + i * ldc + j, ui = uOff + i * ldu + j;
        switch (rows * 10 + vectors) {
            case 41 -> tile4x1(k, a, ai, aRow, aCol, b, bj, ldb, c, ci, ldc, ep, u, ui, ldu);
            case 12 -> tile1x2(k, a, ai, aCol, b, bj, ldb, c, ci, ep, u, ui);
            case 11 -> tile1x1(k, a, ai, aCol, b, bj, ldb, c, ci, ep, u, ui);
            default -> throw new AssertionError(rows + " x " + vectors);
        }
    }

    /** @return whether a whole vector from {@code index} lies inside {@code array} */
    private static boolean fits(float[] array, int index) {
        return index >= 0 && (long) index + L <= array.length;
    }

    /** Row i's columns [j0, n) (fewer than L), element by element with the same operations as the vector lanes. */
    private static void remainder(int i, int j0, int n, int k,
                                  float[] a, int aOff, int aRow, int aCol,
                                  float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc,
                                  Start ep, float[] u, int uOff, int ldu) {
        for (int j = j0; j < n; j++) {
            int cx = cOff + i * ldc + j;
            float acc = ep == Start.C ? c[cx] : ep == Start.ROWS ? u[uOff + i * ldu + j] : 0f;
            for (int p = 0; p < k; p++) {
                acc = Math.fma(a[aOff + i * aRow + p * aCol], b[bOff + p * ldb + j], acc);
            }
            c[cx] = acc;
        }
    }

    /**
     * Six rows by four full vectors from a packed panel of B ({@code B(p, j) = panel[po + p*W + j]})
     * and a row-major A ({@code A(i, p) = a[ai + i*aRow + p]}): 24 accumulators, 4 loads of B and 6
     * broadcasts of A per step of k. One loop only, for one layout of A: a second loop (for another
     * layout) made the method too large for C2 to inline the Vector API's calls, and every vector
     * was boxed.
     */
    private static void tile6x4(int k, float[] a, int ai, int aRow, float[] panel, int po, float[] c, int ci, int ldc, Start ep, float[] u, int ui, int ldu) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        if (ep == Start.C) {
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c02 = FloatVector.fromArray(S, c, ci + 2 * L);
            c03 = FloatVector.fromArray(S, c, ci + 3 * L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c12 = FloatVector.fromArray(S, c, ci + ldc + 2 * L);
            c13 = FloatVector.fromArray(S, c, ci + ldc + 3 * L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c22 = FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L);
            c23 = FloatVector.fromArray(S, c, ci + 2 * ldc + 3 * L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c32 = FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L);
            c33 = FloatVector.fromArray(S, c, ci + 3 * ldc + 3 * L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c42 = FloatVector.fromArray(S, c, ci + 4 * ldc + 2 * L);
            c43 = FloatVector.fromArray(S, c, ci + 4 * ldc + 3 * L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c52 = FloatVector.fromArray(S, c, ci + 5 * ldc + 2 * L);
            c53 = FloatVector.fromArray(S, c, ci + 5 * ldc + 3 * L);
        } else if (ep == Start.ROWS) {
            c00 = FloatVector.fromArray(S, u, ui);
            c01 = FloatVector.fromArray(S, u, ui + L);
            c02 = FloatVector.fromArray(S, u, ui + 2 * L);
            c03 = FloatVector.fromArray(S, u, ui + 3 * L);
            c10 = FloatVector.fromArray(S, u, ui + ldu);
            c11 = FloatVector.fromArray(S, u, ui + ldu + L);
            c12 = FloatVector.fromArray(S, u, ui + ldu + 2 * L);
            c13 = FloatVector.fromArray(S, u, ui + ldu + 3 * L);
            c20 = FloatVector.fromArray(S, u, ui + 2 * ldu);
            c21 = FloatVector.fromArray(S, u, ui + 2 * ldu + L);
            c22 = FloatVector.fromArray(S, u, ui + 2 * ldu + 2 * L);
            c23 = FloatVector.fromArray(S, u, ui + 2 * ldu + 3 * L);
            c30 = FloatVector.fromArray(S, u, ui + 3 * ldu);
            c31 = FloatVector.fromArray(S, u, ui + 3 * ldu + L);
            c32 = FloatVector.fromArray(S, u, ui + 3 * ldu + 2 * L);
            c33 = FloatVector.fromArray(S, u, ui + 3 * ldu + 3 * L);
            c40 = FloatVector.fromArray(S, u, ui + 4 * ldu);
            c41 = FloatVector.fromArray(S, u, ui + 4 * ldu + L);
            c42 = FloatVector.fromArray(S, u, ui + 4 * ldu + 2 * L);
            c43 = FloatVector.fromArray(S, u, ui + 4 * ldu + 3 * L);
            c50 = FloatVector.fromArray(S, u, ui + 5 * ldu);
            c51 = FloatVector.fromArray(S, u, ui + 5 * ldu + L);
            c52 = FloatVector.fromArray(S, u, ui + 5 * ldu + 2 * L);
            c53 = FloatVector.fromArray(S, u, ui + 5 * ldu + 3 * L);
        }
        for (int p = 0; p < k; p++) {
            int bp = po + p * W;
            FloatVector b0 = FloatVector.fromArray(S, panel, bp);
            FloatVector b1 = FloatVector.fromArray(S, panel, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, panel, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, panel, bp + 3 * L);
            int ap = ai + p;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4 * aRow]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5 * aRow]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c03.intoArray(c, ci + 3 * L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c12.intoArray(c, ci + ldc + 2 * L);
        c13.intoArray(c, ci + ldc + 3 * L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c23.intoArray(c, ci + 2 * ldc + 3 * L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c32.intoArray(c, ci + 3 * ldc + 2 * L);
        c33.intoArray(c, ci + 3 * ldc + 3 * L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c42.intoArray(c, ci + 4 * ldc + 2 * L);
        c43.intoArray(c, ci + 4 * ldc + 3 * L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c52.intoArray(c, ci + 5 * ldc + 2 * L);
        c53.intoArray(c, ci + 5 * ldc + 3 * L);
    }

    /**
     * Six rows by two full vectors from a packed panel of B and a row-major A, for CPUs with 16
     * vector registers: 12 accumulators, 2 loads of B and 6 broadcasts of A per step of k (15
     * registers). The same sums, in the same order, as the 6 x 4 tile's first or second half.
     */
    private static void tile6x2(int k, float[] a, int ai, int aRow, float[] panel, int po, float[] c, int ci, int ldc, Start ep, float[] u, int ui, int ldu) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        if (ep != Start.ZERO) {
            float[] s = ep == Start.C ? c : u;
            int si = ep == Start.C ? ci : ui, lds = ep == Start.C ? ldc : ldu;
            c00 = FloatVector.fromArray(S, s, si);
            c01 = FloatVector.fromArray(S, s, si + L);
            c10 = FloatVector.fromArray(S, s, si + lds);
            c11 = FloatVector.fromArray(S, s, si + lds + L);
            c20 = FloatVector.fromArray(S, s, si + 2 * lds);
            c21 = FloatVector.fromArray(S, s, si + 2 * lds + L);
            c30 = FloatVector.fromArray(S, s, si + 3 * lds);
            c31 = FloatVector.fromArray(S, s, si + 3 * lds + L);
            c40 = FloatVector.fromArray(S, s, si + 4 * lds);
            c41 = FloatVector.fromArray(S, s, si + 4 * lds + L);
            c50 = FloatVector.fromArray(S, s, si + 5 * lds);
            c51 = FloatVector.fromArray(S, s, si + 5 * lds + L);
        }
        for (int p = 0; p < k; p++) {
            int bp = po + p * W;
            FloatVector b0 = FloatVector.fromArray(S, panel, bp);
            FloatVector b1 = FloatVector.fromArray(S, panel, bp + L);
            int ap = ai + p;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4 * aRow]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5 * aRow]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
    }

    /**
     * Six rows by four full vectors from a packed panel of B and a transposed A, read where it lies
     * ({@code A(i, p) = a[ai + p*aCol + i]}: the weight gradients' H^T and X^T, the six broadcasts
     * of a step of k from one row of H), starting from zero or from C. Each chunk of A was
     * transposed before into the pack buffer for {@link #tile6x4} (row-major A): at H = 512 the
     * transposition took about 1 ms per 4096-row chunk of H from memory, and the weight gradients
     * ran 1.03-1.20x as fast without it (2026-11-27, AMD Zen 5). The variable stride of A keeps
     * two bounds checks and a multiplication in the loop (C2 merges the six broadcasts' checks;
     * no spills, 49 instructions for 24 FMAs), which cost nothing measurable. A twin of tile6x4
     * rather than one tile for both layouts: one loop per method keeps the Vector API's calls
     * inlined, and a single loop with both strides as arguments ran 2.4% slower than either.
     */
    private static void tile6x4Transposed(int k, float[] a, int ai, int aCol, float[] panel, int po, float[] c, int ci, int ldc, boolean fromC) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        if (fromC) {
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c02 = FloatVector.fromArray(S, c, ci + 2 * L);
            c03 = FloatVector.fromArray(S, c, ci + 3 * L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c12 = FloatVector.fromArray(S, c, ci + ldc + 2 * L);
            c13 = FloatVector.fromArray(S, c, ci + ldc + 3 * L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c22 = FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L);
            c23 = FloatVector.fromArray(S, c, ci + 2 * ldc + 3 * L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c32 = FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L);
            c33 = FloatVector.fromArray(S, c, ci + 3 * ldc + 3 * L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c42 = FloatVector.fromArray(S, c, ci + 4 * ldc + 2 * L);
            c43 = FloatVector.fromArray(S, c, ci + 4 * ldc + 3 * L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c52 = FloatVector.fromArray(S, c, ci + 5 * ldc + 2 * L);
            c53 = FloatVector.fromArray(S, c, ci + 5 * ldc + 3 * L);
        }
        for (int p = 0; p < k; p++) {
            int bp = po + p * W;
            FloatVector b0 = FloatVector.fromArray(S, panel, bp);
            FloatVector b1 = FloatVector.fromArray(S, panel, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, panel, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, panel, bp + 3 * L);
            int ap = ai + p * aCol;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c03.intoArray(c, ci + 3 * L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c12.intoArray(c, ci + ldc + 2 * L);
        c13.intoArray(c, ci + ldc + 3 * L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c23.intoArray(c, ci + 2 * ldc + 3 * L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c32.intoArray(c, ci + 3 * ldc + 2 * L);
        c33.intoArray(c, ci + 3 * ldc + 3 * L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c42.intoArray(c, ci + 4 * ldc + 2 * L);
        c43.intoArray(c, ci + 4 * ldc + 3 * L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c52.intoArray(c, ci + 5 * ldc + 2 * L);
        c53.intoArray(c, ci + 5 * ldc + 3 * L);
    }

    /** {@link #tile6x4Transposed}'s first or second half, for CPUs with 16 vector registers (as {@link #tile6x2}). */
    private static void tile6x2Transposed(int k, float[] a, int ai, int aCol, float[] panel, int po, float[] c, int ci, int ldc, boolean fromC) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        if (fromC) {
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
        }
        for (int p = 0; p < k; p++) {
            int bp = po + p * W;
            FloatVector b0 = FloatVector.fromArray(S, panel, bp);
            FloatVector b1 = FloatVector.fromArray(S, panel, bp + L);
            int ap = ai + p * aCol;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
    }

    /**
     * Four rows by four full vectors from a packed panel of B and a row-major A, as {@link #tile6x4}
     * takes them: 16 accumulators, 4 loads of B and 4 broadcasts of A per step of k.
     */
    private static void tile4x4(int k, float[] a, int ai, int aRow, float[] panel, int po, float[] c, int ci, int ldc, Start ep, float[] u, int ui, int ldu) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        if (ep == Start.C) {
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c02 = FloatVector.fromArray(S, c, ci + 2 * L);
            c03 = FloatVector.fromArray(S, c, ci + 3 * L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c12 = FloatVector.fromArray(S, c, ci + ldc + 2 * L);
            c13 = FloatVector.fromArray(S, c, ci + ldc + 3 * L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c22 = FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L);
            c23 = FloatVector.fromArray(S, c, ci + 2 * ldc + 3 * L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c32 = FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L);
            c33 = FloatVector.fromArray(S, c, ci + 3 * ldc + 3 * L);
        } else if (ep == Start.ROWS) {
            c00 = FloatVector.fromArray(S, u, ui);
            c01 = FloatVector.fromArray(S, u, ui + L);
            c02 = FloatVector.fromArray(S, u, ui + 2 * L);
            c03 = FloatVector.fromArray(S, u, ui + 3 * L);
            c10 = FloatVector.fromArray(S, u, ui + ldu);
            c11 = FloatVector.fromArray(S, u, ui + ldu + L);
            c12 = FloatVector.fromArray(S, u, ui + ldu + 2 * L);
            c13 = FloatVector.fromArray(S, u, ui + ldu + 3 * L);
            c20 = FloatVector.fromArray(S, u, ui + 2 * ldu);
            c21 = FloatVector.fromArray(S, u, ui + 2 * ldu + L);
            c22 = FloatVector.fromArray(S, u, ui + 2 * ldu + 2 * L);
            c23 = FloatVector.fromArray(S, u, ui + 2 * ldu + 3 * L);
            c30 = FloatVector.fromArray(S, u, ui + 3 * ldu);
            c31 = FloatVector.fromArray(S, u, ui + 3 * ldu + L);
            c32 = FloatVector.fromArray(S, u, ui + 3 * ldu + 2 * L);
            c33 = FloatVector.fromArray(S, u, ui + 3 * ldu + 3 * L);
        }
        for (int p = 0; p < k; p++) {
            int bp = po + p * W;
            FloatVector b0 = FloatVector.fromArray(S, panel, bp);
            FloatVector b1 = FloatVector.fromArray(S, panel, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, panel, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, panel, bp + 3 * L);
            int ap = ai + p;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c03.intoArray(c, ci + 3 * L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c12.intoArray(c, ci + ldc + 2 * L);
        c13.intoArray(c, ci + ldc + 3 * L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c23.intoArray(c, ci + 2 * ldc + 3 * L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c32.intoArray(c, ci + 3 * ldc + 2 * L);
        c33.intoArray(c, ci + 3 * ldc + 3 * L);
    }

    /** One row by four full vectors: the rows left below a multiple of four, and every row when m < 4. */
    private static void tile1x4(int k, float[] a, int ai, int aCol, float[] b, int bj, int ldb, float[] c, int ci, Start ep, float[] u, int ui) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        if (ep == Start.C) {
            c0 = FloatVector.fromArray(S, c, ci);
            c1 = FloatVector.fromArray(S, c, ci + L);
            c2 = FloatVector.fromArray(S, c, ci + 2 * L);
            c3 = FloatVector.fromArray(S, c, ci + 3 * L);
        } else if (ep == Start.ROWS) {
            c0 = FloatVector.fromArray(S, u, ui);
            c1 = FloatVector.fromArray(S, u, ui + L);
            c2 = FloatVector.fromArray(S, u, ui + 2 * L);
            c3 = FloatVector.fromArray(S, u, ui + 3 * L);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * L);
            int ap = ai + p * aCol;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c0 = a0.fma(b0, c0);
            c1 = a0.fma(b1, c1);
            c2 = a0.fma(b2, c2);
            c3 = a0.fma(b3, c3);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + L);
        c2.intoArray(c, ci + 2 * L);
        c3.intoArray(c, ci + 3 * L);
    }

    /** Four rows by one full vector: the vectors left beyond a multiple of four. */
    private static void tile4x1(int k, float[] a, int ai, int aRow, int aCol, float[] b, int bj, int ldb, float[] c, int ci, int ldc, Start ep, float[] u, int ui, int ldu) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        if (ep == Start.C) {
            c00 = FloatVector.fromArray(S, c, ci);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
        } else if (ep == Start.ROWS) {
            c00 = FloatVector.fromArray(S, u, ui);
            c10 = FloatVector.fromArray(S, u, ui + ldu);
            c20 = FloatVector.fromArray(S, u, ui + 2 * ldu);
            c30 = FloatVector.fromArray(S, u, ui + 3 * ldu);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            int ap = ai + p * aCol;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = a3.fma(b0, c30);
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + ldc);
        c20.intoArray(c, ci + 2 * ldc);
        c30.intoArray(c, ci + 3 * ldc);
    }

    /** One row by two full vectors. */
    private static void tile1x2(int k, float[] a, int ai, int aCol, float[] b, int bj, int ldb, float[] c, int ci, Start ep, float[] u, int ui) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        if (ep == Start.C) {
            c0 = FloatVector.fromArray(S, c, ci);
            c1 = FloatVector.fromArray(S, c, ci + L);
        } else if (ep == Start.ROWS) {
            c0 = FloatVector.fromArray(S, u, ui);
            c1 = FloatVector.fromArray(S, u, ui + L);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector a0 = FloatVector.broadcast(S, a[ai + p * aCol]);
            c0 = a0.fma(FloatVector.fromArray(S, b, bp), c0);
            c1 = a0.fma(FloatVector.fromArray(S, b, bp + L), c1);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + L);
    }

    /** One row by one full vector. */
    private static void tile1x1(int k, float[] a, int ai, int aCol, float[] b, int bj, int ldb, float[] c, int ci, Start ep, float[] u, int ui) {
        FloatVector c0 = FloatVector.zero(S);
        if (ep == Start.C) {
            c0 = FloatVector.fromArray(S, c, ci);
        } else if (ep == Start.ROWS) {
            c0 = FloatVector.fromArray(S, u, ui);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            int ap = ai + p * aCol;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c0 = a0.fma(b0, c0);
        }
        c0.intoArray(c, ci);
    }

    /** One row by the last {@code lanes} (< L) columns, as a masked vector; every access is inside its array. */
    private static void tilePartial(int k, float[] a, int ai, int aCol, float[] b, int bj, int ldb,
                                    float[] c, int ci, Start ep, float[] u, int ui, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector c0 = FloatVector.zero(S);
        if (ep == Start.C) {
            c0 = FloatVector.fromArray(S, c, ci, m);
        } else if (ep == Start.ROWS) {
            c0 = FloatVector.fromArray(S, u, ui, m);
        }
        for (int p = 0; p < k; p++) {
            c0 = FloatVector.broadcast(S, a[ai + p * aCol]).fma(FloatVector.fromArray(S, b, bj + p * ldb, m), c0);
        }
        c0.intoArray(c, ci, m);
    }
}
