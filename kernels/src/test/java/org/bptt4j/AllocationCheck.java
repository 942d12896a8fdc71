package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Asserts that calls allocate nothing on the calling thread once the JIT has compiled them.
 * Compilation happens in the background and, on a machine whose other core is busy, late: so the
 * calls are warmed up in rounds, and the check passes on the first round after which no case
 * allocated, or fails once {@link #BUDGET_SECONDS} have passed. The budget is time, not a count of
 * calls: a kernel the JIT left boxing allocates on every call for ever, and one still waiting for
 * its compiler stops allocating once compiled, however long that took. The failure report gives
 * each case's bytes in the first and in the last round, so the two can be told apart (steady
 * boxing allocates the same in both).
 */
public final class AllocationCheck {
    /** How long the calls may take to stop allocating: generous, as a starved compiler thread may take seconds per method. */
    public static final double BUDGET_SECONDS = 120;

    /** One kind of call to check. */
    public record Case(String name, Runnable call) {
    }

    private AllocationCheck() {
    }

    /**
     * @param warmUpCalls calls of each case per round before measuring
     * @param measuredCalls calls of each case measured per round
     * @return a line saying how many rounds and seconds the calls took to stop allocating
     */
    public static String assertNoAllocationOnceCompiled(List<Case> cases, int warmUpCalls, int measuredCalls) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.getCurrentThreadAllocatedBytes();
        long probe = threads.getCurrentThreadAllocatedBytes();
        assertEquals(0, threads.getCurrentThreadAllocatedBytes() - probe, "the probe itself allocates");
        long start = System.nanoTime();
        long[] first = null;
        long[] allocated = new long[cases.size()];
        for (int round = 1; ; round++) {
            for (Case c : cases) {
                for (int i = 0; i < warmUpCalls; i++) {
                    c.call().run();
                }
            }
            boolean clean = true;
            for (int n = 0; n < cases.size(); n++) {
                Runnable call = cases.get(n).call();
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < measuredCalls; i++) {
                    call.run();
                }
                allocated[n] = threads.getCurrentThreadAllocatedBytes() - before;
                clean &= allocated[n] == 0;
            }
            if (first == null) {
                first = allocated.clone();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (clean) {
                return String.format(java.util.Locale.ROOT, "no allocation after %d warm-up rounds (%.1f s)", round, seconds);
            }
            if (seconds > BUDGET_SECONDS) {
                StringBuilder report = new StringBuilder("bytes allocated by " + measuredCalls + " calls in the first and in round "
                        + round + " (" + (int) seconds + " s of warm-up):");
                for (int n = 0; n < cases.size(); n++) {
                    report.append("\n  ").append(cases.get(n).name()).append(": ").append(first[n]).append(", ").append(allocated[n]);
                }
                fail(report.toString());
            }
        }
    }
}
