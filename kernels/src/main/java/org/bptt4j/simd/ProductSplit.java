package org.bptt4j.simd;

import org.bptt4j.ComputePool;

/**
 * A big product split into tiles of C over a {@link ComputePool}, for the layer's products over all
 * T*B rows and the head's: blocks of columns, and where there are too few of them for the pool,
 * ranges of rows as well. Each part computes whole elements of C, each element's sum over the same
 * k in the same order as one thread, so the result is the same bits whatever the thread count.
 * Each part packs B into its own descriptor's buffer. One lives in each workspace; a split
 * allocates nothing.
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
        int columns, rows;
        if (staging == null) {
            // Every part streams its rows of A once per column block whatever the split, so take
            // column blocks first (each packs B's panel once) and ranges of rows only where there
            // are fewer blocks than parts wanted: 4 per thread, which evens out threads that run
            // at different speeds.
            int wanted = 4 * pool.threads();
            columns = Math.min(blocks, wanted);
            rows = Math.max(1, Math.min(rowRanges, wanted / columns));
        } else {
            // An adding product (the weight gradients, k = T*B) keeps each chunk of A and of B in
            // cache while it passes over its tile, so a part streams its rows of A (m x k) and its
            // columns of B (k x n) once: c column parts and r row parts stream A c times and B r
            // times. A is transposed as it is streamed, chunk by chunk (see MatMul), which costs
            // more than packing B's panels: counted 3.5 times. At most one part per thread: of the
            // c x r <= threads with the most parts, the one that streams the least (columns first
            // where it is a tie). Measured on 2 threads at B = 64, H = 512 (PhaseBenchmark's weight
            // gradients, 1 and 2 threads alternated call by call, 2026-11-26 23:40): the vanilla
            // RNN (n = m) and the GRU (n = 3m) ran 1.82-1.88x and 1.44-1.82x as fast as one thread
            // split by rows, 1.54-1.55x and 1.38-1.55x by columns; the LSTM (n = 4m) 1.68-1.81x by
            // columns, 1.42-1.60x by rows. A weight of 3 to 4 tells these apart.
            int threads = pool.threads();
            columns = 0;
            rows = 0;
            long least = Long.MAX_VALUE;
            for (int c = Math.min(blocks, threads); c >= 1; c--) {
                int r = Math.max(1, Math.min(rowRanges, threads / c));
                if (c * r < columns * rows) {
                    continue; // never fewer parts than a split already found
                }
                long streamed = 7L * c * product.m + 2L * r * product.n;
                if (c * r > columns * rows || streamed < least) {
                    columns = c;
                    rows = r;
                    least = streamed;
                }
            }
        }
        this.product = product;
        this.staging = staging;
        this.width = (blocks + columns - 1) / columns * MatMul.W;
        this.columnParts = (product.n + width - 1) / width;
        this.height = MatMul.rangeHeight(product.m, rows);
        pool.run(this, columnParts * ((product.m + height - 1) / height));
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
