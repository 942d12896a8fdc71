package org.bptt4j.simd;

import org.bptt4j.ComputePool;

/**
 * A big product split into tiles of C over a {@link ComputePool}, for the layer's products over all
 * T*B rows and the head's: parts of whole column blocks times ranges of rows, whichever split
 * streams the least memory (see {@link #run}). Each part computes whole elements of C, each
 * element's sum over the same k in the same order as one thread, so the result is the same bits
 * whatever the thread count. Each part packs B into its own descriptor's buffer. One lives in each
 * workspace; a split allocates nothing.
 */
final class ProductSplit implements ComputePool.Job {
    /**
     * A product is split only above this many multiply-adds (about 0.1 ms on one core). Where a
     * pass splits nothing but a few such products, a worker has parked between them, and waking
     * it costs more than it saves: at 2^20, a GRU at B = 1, H = 128 ran 13% slower on two threads
     * than on one (0.873 against 1.005 ms, 2026-11-26); from 2^22 on, an LSTM at that shape, whose
     * three big products have exactly 2^22, ran 0.81x as fast on two threads (median of 3
     * alternated runs, 17:39-17:52), though that afternoon two pools that split nothing differed
     * by as much. Splitting only above 2^22 leaves that shape on one thread, as the GRU's.
     */
    static final long PARALLEL_PRODUCT = 1 << 22;

    /**
     * The fewest rows of C a range of rows has: each range packs B's panels again (k x 64 floats
     * per column block), which costs about what 1/96 of its multiply-adds cost at 96 rows. A
     * multiple of 12, so that ranges end where the 6-row and 4-row tiles do.
     */
    static final int MIN_ROWS = 96;

    /** One descriptor per part, for its pack buffer: at least 4 per thread of the pool. */
    private final Product[] parts;
    private Product product;
    private float[] staging;
    /** Columns of a part (a multiple of W), rows of a part, and the parts per range of rows. */
    private int width, height, columnParts;

    ProductSplit(Product[] parts) {
        this.parts = parts;
    }

    /** @return whether it has the part descriptors a split over {@code pool} needs (none for a null pool) */
    boolean suits(ComputePool pool) {
        return pool == null || parts.length >= 4 * pool.threads();
    }

    /**
     * Runs {@code product} ({@code C += A B} through {@code staging} when it is not null, see
     * {@link MatMul#multiplyAdd}), split over {@code pool} where it is big enough, else on the caller.
     */
    void run(ComputePool pool, Product product, float[] staging) {
        int blocks = (product.n + MatMul.W - 1) / MatMul.W;
        int rowRanges = product.m / MIN_ROWS;
        if (pool == null || blocks < 2 && rowRanges < 2 || (long) product.m * product.n * product.k <= PARALLEL_PRODUCT) {
            if (staging == null) {
                product.run();
            } else {
                product.runAdding(staging);
            }
            return;
        }
        // Of the splits into c column parts x r ranges of rows, the one that streams the least, among
        // those with enough parts. Each part streams its rows of A once per group of column blocks
        // (see MatMul.groupBlocks) and packs B's panels for its columns (k x n floats for each range
        // of rows, written as well as read: counted twice). A split that streams A fewer times wins
        // where it packs B a few more times: on 2 threads at B = 64, H = 512, the vanilla RNN's
        // input projection and input gradient (4096 x 512 x 512) in 2 column parts x 4 ranges of
        // rows, not 8 column blocks, ran 1.05-1.07x as fast, and 1.04-1.10x at B = 32, H = 256
        // (PhaseBenchmark's phases, both splits alternated call by call, 2026-11-27).
        // An adding product (the weight gradients, k = T*B) keeps each chunk of A and of B in
        // cache while it passes over its tile, so a part streams its rows of A (m x k) and its
        // columns of B (k x n) once, as one group. Until 2026-11-27 the adding products transposed
        // each chunk of A as they streamed it, counted 3.5 times B's packing, which split the
        // vanilla RNN's and the GRU's weight gradients by rows; read where it lies (see
        // MatMul.tile6x4Transposed) A counts as any product's does, and they go by columns: on 2
        // threads (PhaseBenchmark's weight gradients, both choices alternated call by call,
        // medians of 15 rounds, AMD Zen 5) 1.066x as fast at B = 64, H = 512 (vanilla), 1.126x
        // (GRU), the LSTM 1.00x (columns either way); at B = 32, H = 256 the vanilla RNN
        // 0.983x and 0.995x (middle halves 0.92-1.04), the LSTM 1.00x.
        // Any other product takes up to 4 parts per thread, which evens out threads that run at
        // different speeds, and at least 3 where it has them.
        int threads = pool.threads();
        boolean adding = staging != null;
        int most = adding ? threads : 4 * threads;
        int enough = 0;
        for (int c = Math.min(blocks, most); c >= 1; c--) {
            enough = Math.max(enough, columnParts(blocks, c) * rowParts(product.m, ranges(rowRanges, most, c)));
        }
        enough = adding ? enough : Math.min(enough, 3 * threads);
        int group = MatMul.groupBlocks(product, parts[0].packLength);
        int columns = 0, rows = 0;
        long least = Long.MAX_VALUE;
        for (int c = Math.min(blocks, most); c >= 1; c--) {
            int r = ranges(rowRanges, most, c), columnParts = columnParts(blocks, c), rowParts = rowParts(product.m, r);
            if (columnParts * rowParts < enough) {
                continue;
            }
            int passes = adding ? 1 : (widthBlocks(blocks, c) + group - 1) / group; // over A, by each column part
            long streamed = (long) columnParts * passes * product.m + 2L * rowParts * product.n;
            if (streamed < least) { // columns first where it is a tie
                columns = c;
                rows = r;
                least = streamed;
            }
        }
        this.product = product;
        this.staging = staging;
        this.width = widthBlocks(blocks, columns) * MatMul.W;
        this.columnParts = columnParts(blocks, columns);
        this.height = MatMul.rangeHeight(product.m, rows);
        pool.run(this, columnParts * rowParts(product.m, rows));
    }

    /** @return the ranges of rows to go with c column parts: enough for {@code most} parts, as many as there are */
    private static int ranges(int ranges, int most, int c) {
        return Math.max(1, Math.min(ranges, most / c));
    }

    /** @return the column blocks of each part when {@code blocks} column blocks are split c ways */
    private static int widthBlocks(int blocks, int c) {
        return (blocks + c - 1) / c;
    }

    /** @return the column parts that splitting {@code blocks} column blocks c ways gives: c or fewer, each of the same whole blocks (the last of what is left) */
    private static int columnParts(int blocks, int c) {
        int width = widthBlocks(blocks, c);
        return (blocks + width - 1) / width;
    }

    /** @return the ranges of {@code m} rows that splitting them r ways gives (see MatMul.rangeHeight): r or fewer */
    private static int rowParts(int m, int r) {
        int height = MatMul.rangeHeight(m, r);
        return (m + height - 1) / height;
    }

    @Override
    public void part(int index) {
        int j0 = index % columnParts * width, j1 = Math.min(product.n, j0 + width);
        int i0 = index / columnParts * height, i1 = Math.min(product.m, i0 + height);
        if (staging == null) {
            MatMul.multiplyTile(product, i0, i1, j0, j1, parts[index]);
        } else {
            MatMul.multiplyAddTile(product, staging, i0, i1, j0, j1, parts[index]);
        }
    }
}
