package org.bptt4j.simd;

import org.bptt4j.ComputePool;

/**
 * A big product split by blocks of columns over a {@link ComputePool}, for the layer's products
 * over all T*B rows and the head's: each part computes whole columns of C, each element's sum over
 * the same k in the same order as one thread, so the result is the same bits whatever the thread
 * count. Each part packs B into its own descriptor's buffer. One lives in each workspace; a split
 * allocates nothing.
 */
final class ColumnSplit implements ComputePool.Job {
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

    /** One descriptor per part, for its pack buffer: at least 4 per thread of the pool. */
    private final Product[] parts;
    private Product product;
    private float[] staging;
    private int width;

    ColumnSplit(Product[] parts) {
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
        if (pool == null || blocks < 2 || (long) product.m * product.n * product.k <= PARALLEL_PRODUCT) {
            if (staging == null) {
                product.run();
            } else {
                product.runAdding(staging);
            }
            return;
        }
        // An adding product (the weight gradients, k = T*B) keeps each chunk of A in L2 while it
        // passes over all its columns, so each part streams all of A once: one part per thread
        // streams it as few times as can be. Others stream A once per column block anyway, and take
        // 4 parts per thread, which evens out threads that run at different speeds.
        int count = Math.min(blocks, (staging == null ? 4 : 1) * pool.threads());
        this.product = product;
        this.staging = staging;
        this.width = (blocks + count - 1) / count * MatMul.W;
        pool.run(this, (product.n + width - 1) / width);
    }

    @Override
    public void part(int index) {
        int from = index * width, to = Math.min(product.n, from + width);
        if (staging == null) {
            MatMul.multiplyColumns(product, from, to, parts[index].pack);
        } else {
            MatMul.multiplyAddColumns(product, staging, from, to, parts[index].pack);
        }
    }
}
