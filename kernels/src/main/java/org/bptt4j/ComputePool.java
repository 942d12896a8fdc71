package org.bptt4j;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.bptt4j.internal.Checks;

/**
 * Threads for the SIMD kernels, owned by the library: {@code threads - 1} daemon workers started
 * once, and the calling thread, which works too. One pool may serve any number of layers, stacks
 * and networks ({@code Implementation.SIMD.layer(shape, pool)}, ...); calls from several threads
 * take turns. Without a pool everything runs on the caller's thread, so no one gets threads they
 * did not ask for.
 *
 * <p>Results do not depend on the thread count: work is split by output elements (tiles of a
 * product: column blocks, and ranges of rows where the blocks are too few; ranges of batch rows of
 * the recurrence; blocks of hidden units of a step, and ranges of its rows), never inside a sum,
 * so every element is computed by one thread in the same order as with one. Split by
 * rows (at least 8 rows per thread, W_h under 1 MiB), each thread runs every step of its own rows
 * with no barrier; split by hidden units, a pass waits for its parts at each step (one barrier per
 * step), so that split pays only where a step's work is well above a barrier's cost; the kernels
 * split only there.
 *
 * <p>{@link #close()} stops the workers; a closed pool rejects work with
 * {@link IllegalStateException}. A part that throws surfaces in the caller once every part that
 * had started has finished; parts not yet started are skipped. The caller's output is then
 * incomplete: the kernels check their arguments before they split, so a failure here is a bug or
 * an {@link Error} (out of memory), never bad input.
 */
public final class ComputePool implements AutoCloseable {
    /** A unit of work split into parts: {@code part(i)} for every i in [0, parts), on any thread, in any order. */
    public interface Job {
        /**
         * Runs part {@code index}.
         *
         * @param index the part, in [0, parts)
         */
        void part(int index);
    }

    private static final VarHandle CLAIMED;

    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(ComputePool.class, "claimed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread[] workers;
    private final AtomicInteger next = new AtomicInteger();
    /** Bit i: part i (of the first 64) has been claimed in this run; set through CLAIMED. */
    private volatile long claimed;
    private final AtomicInteger unfinished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile Job job;
    private volatile int parts;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    /** Runs split over more than one thread so far: for tests that must see a split happen. */
    private long splitRuns;

    private ComputePool(int threads) {
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int self = w + 1;
            workers[w] = new Thread(() -> work(self), "bptt4j-compute-" + self);
            workers[w].setDaemon(true);
            workers[w].start();
        }
    }

    /**
     * A pool of {@code threads} threads: starts {@code threads - 1} daemon workers now.
     *
     * @param threads the threads that compute, the caller's included: 1 (no workers) or more
     * @return the new pool, open
     * @throws IllegalArgumentException if threads is below 1
     */
    public static ComputePool create(int threads) {
        return new ComputePool(Checks.positive("threads", threads));
    }

    /**
     * The threads that compute, the caller's included.
     *
     * @return the workers plus one, at least 1
     */
    public int threads() {
        return workers.length + 1;
    }

    /** @return the runs split over more than one thread so far (tests use it to see that a split happened) */
    synchronized long splitRuns() {
        return splitRuns;
    }

    /** @return the worker threads' ids (tests measure their allocation) */
    long[] workerIds() {
        long[] ids = new long[workers.length];
        for (int w = 0; w < ids.length; w++) {
            ids[w] = workers[w].threadId();
        }
        return ids;
    }

    /**
     * Checks that the pool is open.
     *
     * @throws IllegalStateException if the pool is closed
     */
    public void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the compute pool is closed: make a new one, or use no pool");
        }
    }

    /**
     * Whether the pool is closed.
     *
     * @return whether {@link #close()} has been called
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs every part of {@code job} on the pool's threads and the caller's, and returns when all
     * are done. Allocates nothing.
     *
     * @param job   the work; its parts may run on any of the threads, in any order
     * @param parts the number of parts; none runs when it is below 1
     * @throws IllegalStateException if the pool is closed
     * @throws RuntimeException      or Error: the first failure of a part, once the parts that had
     *                               started have finished (the rest are skipped)
     */
    public synchronized void run(Job job, int parts) {
        requireOpen();
        if (parts <= 0) {
            return;
        }
        if (workers.length == 0 || parts == 1) {
            for (int i = 0; i < parts; i++) {
                job.part(i);
            }
            return;
        }
        splitRuns++;
        this.job = job;
        this.parts = parts;
        this.caller = Thread.currentThread();
        next.set(0);
        claimed = 0;
        unfinished.set(workers.length + 1);
        generation++; // publishes job and parts to the workers
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        doParts(0);
        for (int spins = 0; unfinished.get() != 0; spins++) {
            if (spins < 20_000) {
                Thread.onSpinWait(); // the others are a step's part away: faster than parking
            } else {
                LockSupport.park(this);
            }
        }
        this.job = null;
        Throwable t = failure.getAndSet(null);
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Runs part {@code self} (this thread's own: the caller's is 0, worker w's is w) if no other
     * thread has taken it yet, then claims and runs parts until none is left, then counts itself
     * finished. A step split into one part per thread thus gives each thread the same part at every
     * step, whose share of W_h stays in its core's cache, unless a thread comes late and another
     * takes its part: at B = 1, H = 512 on 2 threads, the GRU's forward and backward steps ran
     * 1.25x as fast as with parts taken in the order threads came, the LSTM's forward 1.17x
     * (PhaseBenchmark's phases, both ways alternated call by call, 2026-11-27); at B = 32 and 64,
     * where a step reuses W_h over many rows, neither way was faster (0.97-1.07x).
     */
    private void doParts(int self) {
        Job j = job;
        int n = parts;
        try {
            if (self < n && claim(self)) {
                j.part(self);
            }
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                if (claim(i)) {
                    j.part(i);
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            next.set(n); // the others stop claiming; the parts they run finish
        } finally {
            if (unfinished.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** @return whether this thread takes part i: the first to claim it, for the first 64 parts; every later part goes to whoever draws it */
    private boolean claim(int i) {
        if (i >= Long.SIZE) {
            return true;
        }
        long bit = 1L << i;
        return ((long) CLAIMED.getAndBitwiseOr(this, bit) & bit) == 0;
    }

    private void work(int self) {
        int seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            doParts(self);
        }
    }

    /** Stops the workers; idempotent. Work already running finishes first (calls take turns). */
    @Override
    public synchronized void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
