package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Asserts that calls allocate nothing on the calling thread once the JIT has compiled them.
 * Compilation happens in the background and, on a machine whose other core is busy, late: so the
 * calls are warmed up in rounds, and the check passes on the first round after which no case
 * allocated, or fails once {@link #BUDGET_SECONDS} have passed. The budget is time, not a count of
 * calls: a kernel the JIT left boxing allocates on every call for ever, and one still waiting for
 * its compiler stops allocating once compiled, however long that took. The failure report gives
 * each case's bytes in the first and in the last round, so the two can be told apart (steady
 * boxing allocates the same in both), and where the calls that still allocate do so: the
 * allocation sites that Flight Recorder samples while they run once more, so that a failure seen
 * only in CI (it depends on when the JIT compiled what) says which method boxed.
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
        return assertNoAllocationOnceCompiled(cases, warmUpCalls, measuredCalls, new long[0]);
    }

    /**
     * As {@link #assertNoAllocationOnceCompiled(List, int, int)}, counting also what the threads
     * {@code otherThreads} (a compute pool's workers) allocate while the calls run.
     */
    public static String assertNoAllocationOnceCompiled(List<Case> cases, int warmUpCalls, int measuredCalls, long[] otherThreads) {
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
                long before = threads.getCurrentThreadAllocatedBytes() + others(threads, otherThreads);
                for (int i = 0; i < measuredCalls; i++) {
                    call.run();
                }
                allocated[n] = threads.getCurrentThreadAllocatedBytes() + others(threads, otherThreads) - before;
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
                for (int n = 0; n < cases.size(); n++) {
                    if (allocated[n] != 0) {
                        report.append("\nwhere ").append(cases.get(n).name()).append(" allocates:").append(allocationSites(cases.get(n).call()));
                    }
                }
                fail(report.toString());
            }
        }
    }

    private static long others(com.sun.management.ThreadMXBean threads, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += threads.getThreadAllocatedBytes(id);
        }
        return sum;
    }

    /** The most frequent allocation stacks (innermost frames first) sampled while {@code call} runs for a second. */
    private static String allocationSites(Runnable call) {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "1000/s");
            recording.start();
            long end = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < end) {
                call.run();
            }
            recording.stop();
            Path file = Files.createTempFile("allocation", ".jfr");
            try {
                recording.dump(file);
                long thread = Thread.currentThread().threadId();
                Map<String, Integer> stacks = new HashMap<>();
                for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                    if (event.getThread() == null || event.getThread().getJavaThreadId() != thread || event.getStackTrace() == null) {
                        continue;
                    }
                    String stack = event.getClass("objectClass").getName() + " at " + event.getStackTrace().getFrames().stream()
                            .limit(10).map(AllocationCheck::frame).collect(Collectors.joining(" < "));
                    stacks.merge(stack, 1, Integer::sum);
                }
                return stacks.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                        .limit(5).map(e -> "\n    " + e.getValue() + " samples: " + e.getKey()).collect(Collectors.joining());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            return " (no recording: " + e + ")";
        }
    }

    private static String frame(RecordedFrame f) {
        return f.getMethod().getType().getName().replaceFirst(".*\\.", "") + "." + f.getMethod().getName() + ":" + f.getLineNumber()
                + (f.isJavaFrame() && !"JIT compiled".equals(f.getType()) ? "(" + f.getType() + ")" : "");
    }
}
