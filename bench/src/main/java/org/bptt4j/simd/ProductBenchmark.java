package org.bptt4j.simd;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The matrix products a pass runs, on their own, at the shapes bptt4j runs them (I = H, G gates,
 * T*B = 4096 rows for the big ones), through the same {@link Product} and {@link MatMul} calls the
 * driver makes. FLOPs per call: {@code 2*m*n*k}; {@code bench/jmh_table.py} gives GFLOP/s and the
 * percentage of a {@code PeakBenchmark} from the same sitting. Run by name (ProductBenchmark).
 *
 * <ul>
 * <li>{@code step1}, {@code step32}, {@code step64}: one step of the recurrence, B x H times
 *     H x G*H, continuing C (the input projection's rows), B = 1, 32, 64, as the driver runs it:
 *     one product per panel of W_h (4 vectors of units), on panels packed once in setup as the
 *     driver packs them once per pass;</li>
 * <li>{@code input}: the input projection, 4096 x H times H x G*H from a bias row;</li>
 * <li>{@code weightGradient}: {@code dW += X^T dZ}, H x 4096 times 4096 x G*H, added to C;</li>
 * <li>{@code inputGradient}: {@code dX = dZ W^T}, 4096 x G*H times G*H x H.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProductBenchmark {
    /** T*B of the big products. */
    public static final int ROWS = 4096;

    /** Which product (see the class comment). */
    @Param({"step1", "step32", "step64", "input", "weightGradient", "inputGradient"})
    public String product;

    /** H = I. */
    @Param({"128", "256", "512"})
    public int hidden;

    /** G: 1 (vanilla), 3 (GRU), 4 (LSTM). */
    @Param({"1", "3", "4"})
    public int gates;

    Product p;
    float[] staging;
    /** The step products' W_h, packed as the driver packs it: the panel of columns [j, j + W) (k x W, rows W apart) at j*k. */
    float[] panels;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(3);
        int h = hidden, gh = gates * hidden;
        int m, n, k;
        switch (product) {
            case "step1", "step32", "step64" -> {
                m = Integer.parseInt(product.substring(4));
                n = gh;
                k = h;
            }
            case "input" -> {
                m = ROWS;
                n = gh;
                k = h;
            }
            case "weightGradient" -> {
                m = h;
                n = gh;
                k = ROWS;
            }
            case "inputGradient" -> {
                m = ROWS;
                n = h;
                k = gh;
            }
            default -> throw new IllegalArgumentException(product);
        }
        // A as the driver lays it out: k x m transposed for the weight gradient, else m x k. The
        // descriptor's pack buffer as a workspace sizes it (the weight gradient packs chunks of k),
        // and places it: from a cache line of a large array (SimdWorkspace.ORIGIN, packStart).
        int packLength = MatMul.packLength(product.equals("weightGradient") ? MatMul.K_CHUNK : k, n);
        p = new Product(new float[Math.max(O + packLength + MatMul.L, 1 << 22)], O, packLength);
        p.size(m, n, k);
        if (product.equals("weightGradient")) {
            p.aTransposed(fill(random, k * m), O, m);
        } else {
            p.a(fill(random, m * k), O, k);
        }
        // B and C rows an odd number of cache lines apart, as the workspace lays out its buffers
        // (SimdWorkspace.stride): rows 2 KiB apart would share L1 sets and thrash. C from
        // SimdWorkspace.ORIGIN as the workspace's gates, except dX, the caller's array (from 0).
        int ldb = SimdWorkspace.stride(n), c0 = product.equals("inputGradient") ? 0 : O;
        p.b(fill(random, k * ldb), O, ldb).c(new float[c0 + m * ldb + MatMul.L], c0, ldb);
        if (product.equals("input")) {
            p.startFromRows(fill(random, n), O, 0);
        } else if (product.startsWith("step")) {
            panels = new float[O + (n + MatMul.W - 1) / MatMul.W * k * MatMul.W + MatMul.L];
            for (int q = 0; q < n; q += MatMul.W) {
                Rows.copyRows(p.b, O + q, ldb, k, Math.min(MatMul.W, n - q), panels, O + q * k, MatMul.W);
            }
        }
        staging = new float[(int) MatMul.stagingLength(m, n) + MatMul.L];
    }

    /** Where the workspace's buffers start in their arrays (see SimdWorkspace.ORIGIN). */
    private static final int O = SimdWorkspace.ORIGIN;

    /** @return an array whose {@code length} floats from {@link #O} are random, padded as the workspaces are */
    private static float[] fill(Random random, int length) {
        float[] a = new float[O + length + MatMul.L];
        for (int i = 0; i < length; i++) {
            a[O + i] = random.nextFloat() - 0.5f;
        }
        return a;
    }

    /** One product; the weight gradient adds to C, as the driver does, the others overwrite it. */
    @Benchmark
    public float[] multiply() {
        if (product.equals("weightGradient")) {
            p.runAdding(staging);
        } else if (panels != null) {
            int m = p.m, n = p.n, k = p.k, ldc = p.ldc;
            float[] a = p.a, c = p.c;
            for (int q = 0; q < n; q += MatMul.W) {
                p.size(m, Math.min(MatMul.W, n - q), k).a(a, O, k).b(panels, O + q * k, MatMul.W).c(c, O + q, ldc).startFromC().run();
            }
            p.size(m, n, k);
        } else {
            p.run();
        }
        return p.c;
    }
}
