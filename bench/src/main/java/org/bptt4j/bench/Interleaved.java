package org.bptt4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

import jdk.incubator.vector.FloatVector;

/**
 * Ratios that a shared, noisy machine cannot blur: two things timed call by call in turn, in one
 * JVM, and the ratio taken per round, then the median of the rounds. JMH runs one configuration
 * after another, each in its own JVM, so a neighbour that takes a core or the memory bus for a few
 * seconds moves one side of a ratio and not the other: on this project's 2-vCPU machine the same
 * pass took 15 or 28 ms in JVMs started a minute apart, and {@link PeakBenchmark} swung from 117
 * to 212 GFLOP/s within a day. JMH stays the measure of time; this measures ratios.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/classes:kernels/target/classes \
 *      org.bptt4j.bench.Interleaved MODE ROUNDS CASE...
 *
 *   peak     ROUNDS cell:B:H ...   RnnBenchmark.forwardBackward (SIMD, 1 thread) against
 *                                  PeakBenchmark: its GFLOP/s over the peak's of the same round
 *   threads  ROUNDS cell:B:H ...   RnnBenchmark.forwardBackward on 1 thread against 2: the speed-up
 *   phases   ROUNDS cell:B:H ...   each of PhaseBenchmark's phases on 1 thread against 2: where a
 *                                  pass gains from the second thread and where it does not
 *   builds   ROUNDS A B cell:B:H:threads ...
 *                                  RnnBenchmark.forwardBackward with the kernels of build A against
 *                                  build B (each a classes folder or jar of the kernels module, such
 *                                  as a copy of kernels/target/classes from before a change): A's
 *                                  time over B's, so above 1 where B is faster. Each build is
 *                                  loaded apart in this JVM, so a change is measured call by call
 *                                  against what it replaced; system properties set as
 *                                  -Dbptt4j.NAME apply to both
 *   lengths  ROUNDS cell:LxD ...   ComposedBenchmark's full batch against its uniform one: the
 *                                  uniform batch's time over the full one's, and each one's
 *                                  GFLOP/s over the peak's of the same round
 *   products ROUNDS product:H:G ...  ProductBenchmark's product (step64, input, ...) against
 *                                  PeakBenchmark: its GFLOP/s over the peak's of the same round
 * </pre>
 * Each case is warmed up for 3 to 4 seconds first. Prints the medians of the times and of the
 * per-round ratios, and the middle half of the ratios.
 */
public final class Interleaved {
    private static final double PEAK_FLOPS = 2.0 * 12 * FloatVector.SPECIES_PREFERRED.length() * PeakBenchmark.ROUNDS;

    private Interleaved() {
    }

    /** Something timed: one call, whose result goes to {@link #sink} (else C2 may drop PeakBenchmark's loop as dead code). */
    private interface Timed {
        float call();
    }

    /** Every call's result, summed: read once at the end, so that no call is dead code. */
    private static float sink;

    public static void main(String[] args) throws ReflectiveOperationException, MalformedURLException {
        if (args.length < 3 || args[0].equals("builds") && args.length < 5) {
            System.err.println("usage: Interleaved peak|threads|phases|lengths|products ROUNDS CASE...  or  Interleaved builds ROUNDS A B CASE...  (see the class comment)");
            System.exit(2);
        }
        int rounds = Integer.parseInt(args[1]);
        if (args[0].equals("builds")) {
            builds(rounds, args[2], args[3], Arrays.copyOfRange(args, 4, args.length));
            return;
        }
        PeakBenchmark peak = new PeakBenchmark();
        for (int a = 2; a < args.length; a++) {
            String[] p = args[a].split("[:x]");
            switch (args[0]) {
                case "peak" -> {
                    RnnBenchmark pass = rnn(p, 1);
                    double flops = flops(p[0], 1, 1, pass.hidden, pass.hidden, (long) RnnBenchmark.STEPS * pass.batch);
                    double[][] t = rounds(rounds, peak::fmaChains, pass::forwardBackward);
                    double[] efficiency = perRound(t, (pk, ms) -> flops / ms / (PEAK_FLOPS / pk));
                    System.out.printf("%-16s %9.3f ms %7.1f GFLOP/s  %5.1f%% of the round's peak (middle half %.1f-%.1f%%)  peak %.0f GFLOP/s%n",
                            args[a], median(t[1]), flops / median(t[1]) / 1e6, 100 * median(efficiency), 100 * quantile(efficiency, 0.25),
                            100 * quantile(efficiency, 0.75), PEAK_FLOPS / median(t[0]) / 1e6);
                    pass.tearDown();
                }
                case "threads" -> {
                    RnnBenchmark one = rnn(p, 1), two = rnn(p, 2);
                    double[][] t = rounds(rounds, one::forwardBackward, two::forwardBackward);
                    double[] speedUp = perRound(t, (t1, t2) -> t1 / t2);
                    System.out.printf("%-16s 1 thread %9.3f ms  2 threads %9.3f ms  speed-up %.2f (middle half %.2f-%.2f)%n",
                            args[a], median(t[0]), median(t[1]), median(speedUp), quantile(speedUp, 0.25), quantile(speedUp, 0.75));
                    one.tearDown();
                    two.tearDown();
                }
                case "phases" -> {
                    org.bptt4j.simd.PhaseBenchmark one = phases(p, 1), two = phases(p, 2);
                    for (int q = 0; q < PHASES.length; q++) {
                        Phase phase = PHASES[q];
                        double[][] t = rounds(rounds, () -> phase.run(one), () -> phase.run(two));
                        double[] speedUp = perRound(t, (t1, t2) -> t1 / t2);
                        System.out.printf("%-16s %-17s 1 thread %9.3f ms  2 threads %9.3f ms  speed-up %.2f (middle half %.2f-%.2f)%n",
                                args[a], PHASE_NAMES[q], median(t[0]), median(t[1]), median(speedUp), quantile(speedUp, 0.25), quantile(speedUp, 0.75));
                    }
                    one.tearDown();
                    two.tearDown();
                }
                case "lengths" -> {
                    ComposedBenchmark full = composed(p, "full"), uniform = composed(p, "uniform");
                    int layers = Integer.parseInt(p[1]), directions = Integer.parseInt(p[2]);
                    long uniformRows = 0;
                    for (int b = 0; b < ComposedBenchmark.BATCH; b++) {
                        uniformRows += 1 + (b * 37) % ComposedBenchmark.STEPS;
                    }
                    int h = ComposedBenchmark.HIDDEN;
                    double fullFlops = flops(p[0], layers, directions, h, h, (long) ComposedBenchmark.STEPS * ComposedBenchmark.BATCH);
                    double uniformFlops = flops(p[0], layers, directions, h, h, uniformRows);
                    double[][] t = rounds(rounds, peak::fmaChains, full::forwardBackward, uniform::forwardBackward);
                    double[] ratio = perRound(t[1], t[2], (f, u) -> u / f);
                    double[] fullShare = perRound(t[0], t[1], (pk, ms) -> fullFlops / ms / (PEAK_FLOPS / pk));
                    double[] uniformShare = perRound(t[0], t[2], (pk, ms) -> uniformFlops / ms / (PEAK_FLOPS / pk));
                    System.out.printf("%-12s full %8.2f ms (%4.1f%% of peak)  uniform %8.2f ms (%4.1f%%)  uniform/full %.3f (middle half %.3f-%.3f)  peak %.0f GFLOP/s%n",
                            args[a], median(t[1]), 100 * median(fullShare), median(t[2]), 100 * median(uniformShare), median(ratio),
                            quantile(ratio, 0.25), quantile(ratio, 0.75), PEAK_FLOPS / median(t[0]) / 1e6);
                    full.tearDown();
                    uniform.tearDown();
                }
                case "products" -> {
                    org.bptt4j.simd.ProductBenchmark product = new org.bptt4j.simd.ProductBenchmark();
                    product.product = p[0];
                    product.hidden = Integer.parseInt(p[1]);
                    product.gates = Integer.parseInt(p[2]);
                    product.setUp();
                    long m = p[0].startsWith("step") ? Long.parseLong(p[0].substring(4)) : org.bptt4j.simd.ProductBenchmark.ROWS;
                    double flops = 2.0 * m * product.gates * product.hidden * product.hidden;
                    double[][] t = rounds(rounds, peak::fmaChains, () -> product.multiply()[0]);
                    double[] efficiency = perRound(t, (pk, ms) -> flops / ms / (PEAK_FLOPS / pk));
                    System.out.printf("%-20s %9.3f ms %7.1f GFLOP/s  %5.1f%% of the round's peak (middle half %.1f-%.1f%%)  peak %.0f GFLOP/s%n",
                            args[a], median(t[1]), flops / median(t[1]) / 1e6, 100 * median(efficiency), 100 * quantile(efficiency, 0.25),
                            100 * quantile(efficiency, 0.75), PEAK_FLOPS / median(t[0]) / 1e6);
                }
                default -> throw new IllegalArgumentException("mode must be peak, threads, phases, lengths, products or builds, was " + args[0]);
            }
        }
        if (sink == 1.2345f) {
            System.out.println(); // the sink is read: its sums are live
        }
    }

    /** The builds mode: for each case, RnnBenchmark in build A's kernels against build B's, call by call. */
    private static void builds(int rounds, String a, String b, String[] cases) throws ReflectiveOperationException, MalformedURLException {
        for (String c : cases) {
            String[] p = c.split(":");
            Object first = rnnOf(a, p), second = rnnOf(b, p);
            Method pass = first.getClass().getMethod("forwardBackward"), otherPass = second.getClass().getMethod("forwardBackward");
            double[][] t = rounds(rounds, () -> invoke(pass, first), () -> invoke(otherPass, second));
            double[] ratio = perRound(t, (ta, tb) -> ta / tb);
            System.out.printf("%-20s A %9.3f ms  B %9.3f ms  A/B %.3f (middle half %.3f-%.3f)%n", c, median(t[0]), median(t[1]), median(ratio),
                    quantile(ratio, 0.25), quantile(ratio, 0.75));
            for (Object build : new Object[] {first, second}) {
                build.getClass().getMethod("tearDown").invoke(build);
                try {
                    ((URLClassLoader) build.getClass().getClassLoader()).close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** One phase of a pass (see PhaseBenchmark), timed on its own. */
    private interface Phase {
        float run(org.bptt4j.simd.PhaseBenchmark b);
    }

    private static final Phase[] PHASES = {org.bptt4j.simd.PhaseBenchmark::forwardInputProjection, org.bptt4j.simd.PhaseBenchmark::forwardRecurrence,
            org.bptt4j.simd.PhaseBenchmark::backwardPack, org.bptt4j.simd.PhaseBenchmark::backwardRecurrence,
            org.bptt4j.simd.PhaseBenchmark::backwardWeightGradients, org.bptt4j.simd.PhaseBenchmark::backwardInputGradient};
    private static final String[] PHASE_NAMES = {"input projection", "forward steps", "packing", "backward steps", "weight gradients", "dX"};

    /** @return a PhaseBenchmark (cell:B:H) on {@code threads} threads, set up */
    private static org.bptt4j.simd.PhaseBenchmark phases(String[] p, int threads) {
        org.bptt4j.simd.PhaseBenchmark b = new org.bptt4j.simd.PhaseBenchmark();
        b.cell = p[0];
        b.batch = Integer.parseInt(p[1]);
        b.hidden = Integer.parseInt(p[2]);
        b.threads = threads;
        b.setUp();
        return b;
    }

    /**
     * @return an RnnBenchmark (SIMD, cell:B:H:threads, threads 1 if left out) of this class's own
     *         bytes but linked against the kernels in {@code kernels}: a loader of its own finds the
     *         kernels there first, and this module's classes after them
     */
    private static Object rnnOf(String kernels, String[] p) throws ReflectiveOperationException, MalformedURLException {
        URL bench = Interleaved.class.getProtectionDomain().getCodeSource().getLocation();
        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(kernels).toUri().toURL(), bench}, ClassLoader.getPlatformClassLoader());
        Class<?> type = loader.loadClass(RnnBenchmark.class.getName());
        Object b = type.getConstructor().newInstance();
        type.getField("impl").set(b, "simd");
        type.getField("cell").set(b, p[0]);
        type.getField("batch").setInt(b, Integer.parseInt(p[1]));
        type.getField("hidden").setInt(b, Integer.parseInt(p[2]));
        type.getField("weightScale").setFloat(b, 1);
        type.getField("threads").setInt(b, p.length > 3 ? Integer.parseInt(p[3]) : 1);
        type.getMethod("setUp").invoke(b);
        return b;
    }

    private static float invoke(Method pass, Object b) {
        try {
            return (float) pass.invoke(b);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RnnBenchmark rnn(String[] p, int threads) {
        RnnBenchmark b = new RnnBenchmark();
        b.impl = "simd";
        b.cell = p[0];
        b.batch = Integer.parseInt(p[1]);
        b.hidden = Integer.parseInt(p[2]);
        b.weightScale = 1;
        b.threads = threads;
        b.setUp();
        return b;
    }

    private static ComposedBenchmark composed(String[] p, String lengths) {
        ComposedBenchmark b = new ComposedBenchmark();
        b.cell = p[0];
        b.stack = p[1] + "x" + p[2];
        b.lengths = lengths;
        b.threads = 1;
        b.setUp();
        return b;
    }

    /** Forward plus backward of L layers x D directions over {@code rows} real rows: 3 * 2*rows*H*(I_l + H)*G per layer and direction. */
    private static double flops(String cell, int layers, int directions, int in, int hid, long rows) {
        int gates = cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1;
        double sum = 0;
        for (int l = 0; l < layers; l++) {
            sum += directions * 3.0 * 2 * rows * hid * ((l == 0 ? in : directions * hid) + hid) * gates;
        }
        return sum;
    }

    /**
     * @return ms per call of each, for each round: the calls in turn, each repeated within a round
     *         so that a round takes at least about 20 ms of each (PeakBenchmark's call is 0.2 ms)
     */
    private static double[][] rounds(int rounds, Timed... timed) {
        int[] repeats = new int[timed.length];
        long warmUp = System.nanoTime();
        while (System.nanoTime() - warmUp < 3e9) {
            for (Timed t : timed) {
                sink += t.call();
            }
        }
        for (int i = 0; i < timed.length; i++) {
            long start = System.nanoTime();
            sink += timed[i].call();
            repeats[i] = (int) Math.max(1, Math.min(1000, 20e6 / Math.max(1, System.nanoTime() - start)));
        }
        double[][] ms = new double[timed.length][rounds];
        for (int r = 0; r < rounds; r++) {
            // In turn first and last: a thing timed right after another pays for what the other
            // leaves running (a pool's workers spin for a while after a run before they park).
            for (int q = 0; q < timed.length; q++) {
                int i = r % 2 == 0 ? q : timed.length - 1 - q;
                long start = System.nanoTime();
                for (int k = 0; k < repeats[i]; k++) {
                    sink += timed[i].call();
                }
                ms[i][r] = (System.nanoTime() - start) / 1e6 / repeats[i];
            }
        }
        return ms;
    }

    private interface PerRound {
        double of(double first, double second);
    }

    private static double[] perRound(double[][] t, PerRound f) {
        return perRound(t[0], t[1], f);
    }

    private static double[] perRound(double[] first, double[] second, PerRound f) {
        double[] r = new double[first.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.of(first[i], second[i]);
        }
        return r;
    }

    private static double median(double[] a) {
        return quantile(a, 0.5);
    }

    private static double quantile(double[] a, double q) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[(int) Math.round(q * (s.length - 1))];
    }
}
