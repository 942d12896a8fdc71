package org.bptt4j.train;

import org.bptt4j.ComputePool;

/**
 * An optimizer's elementwise update split by ranges of its arrays over a {@link ComputePool}. Each
 * element is updated by exactly the operations one thread applies: part boundaries fall on
 * multiples of {@value #ALIGN} elements, so every part but the last covers whole vectors at any
 * vector width, and the elements left to scalar code are those a single thread leaves to it. One
 * lives in each optimizer; a split allocates nothing.
 */
final class ElementwiseSplit implements ComputePool.Job {
    /** The update of elements {@code [from, to)} of the step's parameters and gradients. */
    interface Range {
        void update(float[] params, float[] grads, int from, int to);
    }

    /**
     * An update is split only from this many elements on: an update reads and writes a few arrays
     * once (memory-bound, about 0.1 to 0.3 ms at 2^18 floats on one core), against about 1 us per
     * hand-over of the pool. A first choice from that estimate, not tuned by measurement.
     */
    static final int PARALLEL_ELEMENTS = 1 << 18;
    /** Part boundaries are multiples of this: whole vectors at 512 bits and below. */
    static final int ALIGN = 64;

    private final ComputePool pool;
    private final Range range;
    private int n, width;
    /** The arrays of the step under way, for the parts. */
    private float[] params, grads;

    /**
     * @param pool  the threads, or null for the caller's only
     * @param range the update of a range of elements
     */
    ElementwiseSplit(ComputePool pool, Range range) {
        this.pool = pool;
        this.range = range;
    }

    /** @throws IllegalStateException if the pool is closed: called before a step changes anything */
    void requireOpen() {
        if (pool != null) {
            pool.requireOpen();
        }
    }

    /** Updates elements {@code [0, n)} of {@code params} from {@code grads}, split over the pool where there are enough of them. */
    void run(float[] params, float[] grads, int n) {
        if (pool == null || n < PARALLEL_ELEMENTS) {
            range.update(params, grads, 0, n);
            return;
        }
        int perPart = (n + pool.threads() - 1) / pool.threads();
        this.n = n;
        this.width = (perPart + ALIGN - 1) / ALIGN * ALIGN;
        this.params = params;
        this.grads = grads;
        try {
            pool.run(this, (n + width - 1) / width);
        } finally {
            this.params = null; // the caller's arrays are not kept
            this.grads = null;
        }
    }

    @Override
    public void part(int index) {
        int from = index * width;
        range.update(params, grads, from, Math.min(n, from + width));
    }
}
