package org.bptt4j.simd;

import java.util.Arrays;

import org.bptt4j.Cell;
import org.bptt4j.ComputePool;
import org.bptt4j.LayerShape;
import org.bptt4j.ParameterLayout;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.StepRows;
import org.bptt4j.Workspace;

/**
 * The driver of every cell on the Vector API, structured as the fastest engines are: the big
 * products over all T*B rows at once, and a thin sequential loop over the steps, each one product
 * on {@code W_h} whose finished blocks the {@link SimdCell} turns into the step's state while they
 * are in cache. With G gates, {@code gh = G*H}:
 *
 * <pre>
 * forward:   gates := x W_x + b                        one product over T*B rows (bias as its start)
 *            per step t = 1..T, per block of hidden units [u0, u1):
 *              gates_t[:, g*H + u0..u1) += h_{t-1} W_h[:, g*H + u0..u1)   for each gate g, back to back
 *                (the GRU's n gate: newGateSums_t := b_hn + h_{t-1} W_hn, apart)
 *              cell.forward(t, u0, u1)                  h_t (and c_t) of the block
 * backward:  pack W_h^T (and W_x^T for dx)
 *            per step t = T..1, per block: carry := dz_{t+1} W_h^T   (the GRU starts from its carried dh*z)
 *                                          carry += upstream dh_t;  cell.backward(t, u0, u1)
 *            dState0 := dz_1 W_h^T (+ carries)
 *            dW_h += H^T dZ,  dW_x += X^T dZ_x,  db += 1^T dZ_x  (GRU: db_hn += 1^T dZ_n),  dX := dZ_x W_x^T
 * </pre>
 * On one thread the block is all H units: the products of a step run back to back and the cell
 * then runs over whole rows (see {@link #unitBlock}); {@code -Dbptt4j.unitBlock=N} sets narrower
 * blocks (N a multiple of {@value MatMul#VECTORS} vectors). Blocking changes no sum: each element
 * of a product is summed over the same k in the same order whatever the block.
 *
 * <p>With a {@link ComputePool}: the big products split into tiles of C (see
 * {@link ProductSplit}); the recurrence by ranges of batch rows, each thread running all steps of
 * its rows (see {@link #ROWS_PER_THREAD}), or else each step by blocks of hidden units, and by
 * ranges of its rows too where the blocks are fewer than the threads, one barrier per step (from
 * {@link #PARALLEL_STEP} multiply-adds). Every element is still summed by one thread in one order:
 * the same bits.
 *
 * <p>Results agree with the {@link org.bptt4j.reference reference} to rounding (fused multiply-adds
 * and {@link VectorMath}'s tanh round differently from its scalar loops), are bit-identical from
 * run to run and at every vector width, and forward and backward allocate nothing once the JIT has
 * compiled them.
 */
public final class SimdLayer extends RecurrentLayer {
    /** The property that overrides the width of a block of hidden units. */
    public static final String UNIT_BLOCK_PROPERTY = "bptt4j.unitBlock";
    private static final int TILE = MatMul.VECTORS * MatMul.L;
    private static final int UNIT_BLOCK = Integer.getInteger(UNIT_BLOCK_PROPERTY, 0);

    /**
     * A step is split over the pool's threads only where its product has at least this many
     * multiply-adds (about 25 us on one core at small B): below, one barrier per step costs more
     * than the second thread gains. A first choice from that estimate, not yet tuned by measurement.
     */
    static final long PARALLEL_STEP = 1 << 18;

    /**
     * The weights are packed (W_h's panels for forward, W_h^T's and W_x^T for backward) by panels
     * over the pool where W_h has at least this many floats (1 MiB): serial, an LSTM's packing at
     * H = 512 took 4.0 ms of an 82.7 ms pass on 16 threads (2026-11-26), and a hand-over costs
     * microseconds.
     */
    static final long PARALLEL_PACK = 1 << 18;

    /**
     * The fewest rows of a range of a step's rows, where a step is split by rows as well as by
     * units: four tiles of 4 rows, so that a part's products still run mostly on full tiles.
     */
    static final int STEP_ROWS = 16;

    /**
     * The recurrence is split by batch rows, each thread running all T steps of its own rows with
     * no barrier, where every thread gets at least this many rows, W_h has at most
     * {@link #ROW_SPLIT_WEIGHTS} bytes (or else a thread's share of it under the split by units
     * has more, and every thread gets {@link #ROWS_PER_THREAD_STREAMING} rows), and a step is
     * worth splitting; else a step's hidden units are split, one barrier per step.
     * Rows are independent through the recurrence, and a row's sums are the same whatever rows
     * share its products, so both splits give the same bits. {@code -Dbptt4j.rowSplit=false} turns
     * the row split off (to compare the two splits).
     */
    static final int ROWS_PER_THREAD = 8;
    /**
     * The recurrence is split by rows from {@link #ROWS_PER_THREAD} rows per thread where W_h has
     * at most this many bytes: every thread then reads all of W_h at every step, where a split by
     * units reads its share. On 2 threads (2026-11-27, Intel Xeon with 2 MiB of L2 per core;
     * PhaseBenchmark's recurrences, both splits alternated call by call in one JVM, medians of 15
     * rounds, forward and backward steps) the rows ran 1.22x and 1.15x as fast as the units for the
     * vanilla RNN at B = 64, H = 512 (W_h of 1 MiB), 1.14x and 1.10x at B = 32, 1.28x and 1.30x at
     * B = 16; the LSTM at H = 256 (1 MiB) 1.23x and 1.32x at B = 32, 1.30x and 1.47x at B = 16. With
     * 3 and 4 MiB (the GRU and the LSTM at H = 512) see {@link #ROWS_PER_THREAD_STREAMING}. (The
     * first measurement, 2026-11-26 before the workspace's alignment and whole-row blocks, found the
     * vanilla RNN's rows 0.90x at B = 64, H = 512, and the limit was below 1 MiB.)
     */
    static final long ROW_SPLIT_WEIGHTS = 1024 * 1024;
    /**
     * The rows per thread from which the recurrence is split by rows where W_h is larger than
     * {@link #ROW_SPLIT_WEIGHTS} and so is a thread's share of it under the split by units (W_h /
     * threads): each thread then streams all of W_h from L3 at every step instead of most of its
     * share, and enough rows pay for it. Measured as above on 2 threads with W_h of 3 and 4 MiB
     * (shares of 1.5 and 2 MiB): 32 rows per thread (B = 64) ran 1.11x and 1.09x (GRU), 1.05x and
     * 1.07x (LSTM) as fast as the units; 16 rows (B = 32) 1.02x and 1.06x (GRU), 0.99x and 1.01x
     * (LSTM); 8 rows (the LSTM at B = 16) 0.89x and 0.90x. Where the shares fit (4 threads and more
     * at H = 512), the units keep them in L2 and stay: that case was not measured.
     */
    static final int ROWS_PER_THREAD_STREAMING = 32;
    /** The property that turns the split by batch rows off. */
    public static final String ROW_SPLIT_PROPERTY = "bptt4j.rowSplit";
    private static final boolean ROW_SPLIT = !"false".equals(System.getProperty(ROW_SPLIT_PROPERTY));
    private final SimdCell cell;
    private final int unitBlock;
    private final ComputePool pool;

    /**
     * A layer of {@code shape} whose passes run on the caller's thread.
     *
     * @param shape the layer's shape, any cell
     * @throws IllegalArgumentException if shape is null
     */
    public SimdLayer(LayerShape shape) {
        this(shape, null);
    }

    /**
     * A layer whose passes run on {@code pool}'s threads (see {@link ComputePool}); the results are
     * bit-identical to one thread's.
     *
     * @param shape the layer's shape, any cell
     * @param pool  the threads, or null for the caller's only
     * @throws IllegalArgumentException if shape is null
     */
    public SimdLayer(LayerShape shape, ComputePool pool) {
        super(shape);
        this.cell = SimdCell.of(shape);
        this.unitBlock = unitBlock(shape);
        this.pool = pool != null && pool.threads() > 1 ? pool : null;
    }

    /**
     * @return the width of a step's blocks of hidden units for {@code active} rows: the cache's
     *         ({@link #unitBlock}) on one thread; negated where the step is split over the pool,
     *         narrowed so that every thread has a block
     */
    private int stepBlock(int active) {
        int hid = shape().hiddenSize();
        if (pool == null || (long) active * hid * shape().gateWidth() < PARALLEL_STEP) {
            return unitBlock;
        }
        int perThread = (hid + pool.threads() - 1) / pool.threads();
        perThread = Math.min(unitBlock, (perThread + TILE - 1) / TILE * TILE);
        // One block of units can still split by rows (see stepRowRanges).
        return perThread < hid || active >= 2 * STEP_ROWS ? -perThread : unitBlock;
    }

    /**
     * @return into how many ranges of rows a step split by blocks of {@code block} units splits its
     *         {@code active} rows too: where the blocks are fewer than the threads (H = 512 has 8
     *         blocks of 64), enough ranges of at least {@link #STEP_ROWS} rows to give every thread
     *         a part, at most
     */
    private int stepRowRanges(int active, int block) {
        int blocks = (shape().hiddenSize() + block - 1) / block;
        return Math.max(1, Math.min(pool.threads() / blocks, active / STEP_ROWS));
    }

    /** Runs {@code product}, split into tiles over the pool where it is big enough; {@code staging} non-null: adding. */
    private void run(Product product, float[] staging, SimdWorkspace ws) {
        ws.productSplit.run(pool, product, staging);
    }

    /**
     * @return whether the recurrence of a pass over {@code sequences} rows is split by batch rows
     *         (see {@link #ROWS_PER_THREAD})
     */
    boolean splitsRows(int sequences) {
        if (!ROW_SPLIT || pool == null) {
            return false;
        }
        long weights = (long) shape().hiddenSize() * shape().gateWidth();
        int rowsPerThread = sequences / pool.threads();
        // Rows where W_h fits, or where even a unit split's share of it would not and rows are many.
        boolean weightsFit = 4 * weights <= ROW_SPLIT_WEIGHTS;
        boolean shareOutgrows = 4 * weights / pool.threads() > ROW_SPLIT_WEIGHTS;
        return rowsPerThread >= ROWS_PER_THREAD && (weightsFit || shareOutgrows && rowsPerThread >= ROWS_PER_THREAD_STREAMING)
                && sequences * weights >= PARALLEL_STEP;
    }

    /**
     * @return the width of a step's blocks of hidden units on one thread: all H (or the override,
     *         rounded down to whole tiles). The first choice, blocks whose G gate tiles of B rows
     *         fit in 32 KiB of L1 (64 units for the gated cells at B = 32 to 128, 128 to 256 for the
     *         vanilla RNN at B = 32 and 64), was slower. Against blocks of 64 units, whole rows made
     *         the forward steps 1.01-1.08x and the backward steps 1.06-1.18x as fast, for the three
     *         cells at (B, H) = (64, 512), (32, 256), (64, 128) and (128, 512) (2026-11-27, Intel
     *         Xeon, T = 64, the two widths alternated call by call, median ratio of 15-20 rounds);
     *         the whole pass at B = 64, H = 512 against the old widths: LSTM 1.04x, GRU 1.02x,
     *         vanilla 1.00x. Most of a cell's traffic is
     *         in its gate and gradient rows, 4H floats or more apart, which narrow blocks cut into
     *         short runs; that is the likely cause, not measured apart.
     */
    static int unitBlock(LayerShape s) {
        if (UNIT_BLOCK <= 0) {
            return s.hiddenSize();
        }
        return Math.min(Math.max(TILE, UNIT_BLOCK - UNIT_BLOCK % TILE), s.hiddenSize());
    }

    @Override
    protected Workspace createWorkspace(boolean variableLengths, float[] states, int statesOffset, int ldStates) {
        SimdWorkspace ws = new SimdWorkspace(shape(), variableLengths, parts(), states, statesOffset, ldStates);
        ws.parts = new Parts(this, ws);
        return ws;
    }

    @Override
    protected boolean accepts(Workspace ws) {
        // A workspace of a layer without a pool has no part descriptors for this one's splits.
        return ws instanceof SimdWorkspace s && s.partProducts.length >= parts();
    }

    /** @return the most parts a split of this layer runs at once: a step's unit blocks, or a product's tiles (at most 4 per thread) */
    private int parts() {
        return pool == null ? 0 : Math.max((shape().hiddenSize() + TILE - 1) / TILE, 4 * pool.threads());
    }

    @Override
    protected void computeForward(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens, float[] state0,
                                  Workspace workspace) {
        if (pool != null) {
            pool.requireOpen();
        }
        SimdWorkspace ws = (SimdWorkspace) workspace;
        projectInputs(params, offset, x, xOffset, ldx, tokens, ws);
        setInitialState(state0, ws);
        forwardSteps(params, offset, ws);
    }

    /** Where the pre-activations of step t (1..T) start in {@code ws.gates} (rows {@code ws.ldg} apart): the vanilla cell's are the rows of h_t. */
    static int gateOffset(int t, SimdWorkspace ws) {
        StepRows rows = ws.stepRows();
        return ws.shape().cell() == Cell.VANILLA ? ws.stateIndex(rows.stateRow(t)) : ws.origin + rows.start(t) * ws.ldg;
    }

    /** {@code gates := x W_x + b} for every packed row at once (token input: rows of W_x read, not multiplied). */
    void projectInputs(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens, SimdWorkspace ws) {
        LayerShape s = shape();
        ParameterLayout p = layout();
        int in = s.inputSize(), gh = s.gateWidth(), ldg = ws.ldg, rows = ws.stepRows().rows();
        int wx = offset + p.inputWeightsOffset(), bias = offset + p.biasOffset(), first = gateOffset(1, ws);
        if (x != null) {
            run(ws.product.size(rows, gh, in).a(x, xOffset, ldx).b(params, wx, gh).c(ws.gates, first, ldg).startFromRows(params, bias, 0),
                    null, ws);
        } else {
            for (int r = 0; r < rows; r++) {
                Rows.sum(params, wx + tokens[r] * gh, params, bias, ws.gates, first + r * ldg, gh);
            }
        }
    }

    private void setInitialState(float[] state0, SimdWorkspace ws) {
        int hid = shape().hiddenSize(), bh = shape().hiddenLength();
        for (int b = 0; b < shape().batch(); b++) { // h_0's rows, ldh apart
            if (state0 == null) {
                Arrays.fill(ws.states, ws.stateIndex(b), ws.stateIndex(b) + hid, 0f);
            } else {
                System.arraycopy(state0, b * hid, ws.states, ws.stateIndex(b), hid);
            }
        }
        if (ws.cellStates != null) {
            if (state0 == null) {
                Arrays.fill(ws.cellStates, ws.origin, ws.origin + bh, 0f);
            } else {
                System.arraycopy(state0, bh, ws.cellStates, ws.origin, bh);
            }
        }
    }

    /** The recurrence: per step (in the pass's order) and block of hidden units, the gate tiles of {@code h_prev W_h}, then the cell. */
    void forwardSteps(float[] params, int offset, SimdWorkspace ws) {
        LayerShape s = shape();
        ParameterLayout p = layout();
        StepRows rows = ws.stepRows();
        int hid = s.hiddenSize();
        int bhn = offset + p.recurrentNewGateBiasOffset();
        packRecurrentWeights(params, offset + p.recurrentWeightsOffset(), ws);
        if (splitsRows(rows.sequences())) {
            ws.parts.forwardRows(pool.threads(), params, bhn);
            pool.run(ws.parts, pool.threads());
            return;
        }
        for (int i = 1; i <= rows.steps(); i++) {
            int t = rows.stepAt(i);
            int block = stepBlock(rows.active(t));
            if (block < 0) { // split over the pool's threads; the pool's run is the step's barrier
                pool.run(ws.parts, ws.parts.forward(t, -block, stepRowRanges(rows.active(t), -block), params, bhn));
                continue;
            }
            for (int u0 = 0; u0 < hid; u0 += block) {
                forwardBlock(ws.product, params, bhn, ws, t, 0, rows.active(t), u0, Math.min(hid, u0 + block));
            }
        }
    }

    /**
     * W_h into {@code ws.recurrentPanels}, once per pass: for each gate, panels of W units, H rows
     * W floats apart (zeros past H), which every step's products then read as they are, where
     * packing them inside each product would copy W_h again at every step. Split by panels over
     * the pool where W_h is big enough ({@link #PARALLEL_PACK}).
     */
    private void packRecurrentWeights(float[] params, int wh, SimdWorkspace ws) {
        int panels = SimdWorkspace.panelsPerGate(shape());
        if (splitsPacking()) {
            pool.run(ws.parts, ws.parts.packForward(params, wh, panels));
            return;
        }
        for (int q = 0; q < panels; q++) {
            packRecurrentPanel(params, wh, ws, q);
        }
    }

    /** Panel q (units [q*W, (q+1)*W)) of every gate of W_h into {@code ws.recurrentPanels}. */
    void packRecurrentPanel(float[] params, int wh, SimdWorkspace ws, int q) {
        int hid = shape().hiddenSize(), gh = shape().gateWidth(), w = MatMul.W, panels = SimdWorkspace.panelsPerGate(shape());
        for (int g = 0; g < shape().cell().gates(); g++) {
            Rows.copyRows(params, wh + g * hid + q * w, gh, hid, Math.min(w, hid - q * w), ws.recurrentPanels, ws.origin + (g * panels + q) * hid * w, w);
        }
    }

    /** @return whether packing the weights is split over the pool: where W_h has {@link #PARALLEL_PACK} floats or more */
    private boolean splitsPacking() {
        return pool != null && (long) shape().hiddenSize() * shape().gateWidth() >= PARALLEL_PACK;
    }

    /**
     * Every step of the step's rows [b0, b1) alone (rows as the steps number them: those still
     * active at each step), block by block of hidden units: one thread's part of a split by rows.
     */
    void forwardRows(Product product, float[] params, int bhn, SimdWorkspace ws, int b0, int b1) {
        StepRows rows = ws.stepRows();
        int hid = shape().hiddenSize(), block = unitBlock;
        for (int i = 1; i <= rows.steps(); i++) {
            int t = rows.stepAt(i), end = Math.min(b1, rows.active(t));
            if (end <= b0) {
                continue;
            }
            for (int u0 = 0; u0 < hid; u0 += block) {
                forwardBlock(product, params, bhn, ws, t, b0, end, u0, Math.min(hid, u0 + block));
            }
        }
    }

    /** Step t for hidden units [u0, u1) of its rows [b0, b1): the G gate tiles of {@code h_prev W_h}, then the cell. */
    void forwardBlock(Product product, float[] params, int bhn, SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        int carried = ws.stepRows().carried(t);
        if (b0 < carried && carried < b1) { // reversed: the rows that start here read h_0, the others step t+1
            recurrentProducts(product, params, bhn, ws, t, b0, carried, u0, u1);
            recurrentProducts(product, params, bhn, ws, t, carried, b1, u0, u1);
        } else {
            recurrentProducts(product, params, bhn, ws, t, b0, b1, u0, u1);
        }
        cell.forward(ws, t, b0, b1, u0, u1);
    }

    /** The G gate tiles of {@code h_prev W_h} for units [u0, u1) of step t's rows [b0, b1), whose previous states are consecutive rows. */
    private void recurrentProducts(Product product, float[] params, int bhn, SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = shape().hiddenSize(), gates = shape().cell().gates(), gateRows = gateOffset(t, ws) + b0 * ws.ldg, w = MatMul.W;
        int panels = SimdWorkspace.panelsPerGate(shape());
        boolean gru = shape().cell() == Cell.GRU;
        int perGate = (u1 - u0 + w - 1) / w, products = gates * perGate;
        for (int n = 0; n < products; n++) {
            // One product per panel of W units (u0 is a multiple of W): B is that panel, rows W apart.
            int x = panelOrder(t, n, products), g = x / perGate, q0 = u0 + x % perGate * w;
            product.size(b1 - b0, Math.min(w, u1 - q0), hid).a(ws.states, ws.stateIndex(rows.previousRow(t, b0)), ws.ldh)
                    .b(ws.recurrentPanels, ws.origin + (g * panels + q0 / w) * hid * w, w);
            if (gru && g == 2) {
                product.c(ws.newGateSums, ws.origin + (rows.start(t) + b0) * hid + q0, hid).startFromRows(params, bhn + q0, 0);
            } else {
                product.c(ws.gates, gateRows + g * hid + q0, ws.ldg).startFromC();
            }
            product.run();
        }
    }

    /**
     * @return the index of the {@code n}th of a step's {@code count} products on panels of W_h (or
     *         W_h^T): in order at even steps t, in reverse at odd ones. Each step reads all of W_h,
     *         which outgrows L2 for an LSTM or a GRU at H = 512 (4 and 3 MiB; L2 has 2 MiB on the
     *         Intel Xeon measured); a step that starts where the last one ended finds
     *         its first panels still in L2. The order of the products changes no sum. Measured
     *         2026-11-27: a step's products alone (B = 64, H = 512, G = 2 to 4) ran at 1.5-3 points
     *         more of the peak; the LSTM's and the GRU's two recurrences, 1.01x as fast.
     */
    static int panelOrder(int t, int n, int count) {
        return (t & 1) == 0 ? n : count - 1 - n;
    }

    @Override
    protected void copyFinalState(Workspace workspace, float[] stateT) {
        SimdWorkspace ws = (SimdWorkspace) workspace;
        StepRows rows = ws.stepRows();
        int hid = shape().hiddenSize(), bh = shape().hiddenLength();
        for (int b = 0; b < rows.sequences(); b++) {
            int last = rows.stateRow(rows.finalStep(b)) + b;
            System.arraycopy(ws.states, ws.stateIndex(last), stateT, b * hid, hid);
            if (ws.cellStates != null) {
                System.arraycopy(ws.cellStates, ws.origin + last * hid, stateT, bh + b * hid, hid);
            }
        }
    }

    @Override
    protected void computeBackward(float[] params, int offset, float[] x, int xOffset, int ldx, int[] tokens,
                                   float[] dh, int dhOffset, int lddh, float[] dStateT, Workspace workspace,
                                   float[] grads, float[] dx, int dxOffset, int lddx, boolean addDx, float[] dState0) {
        if (pool != null) {
            pool.requireOpen();
        }
        SimdWorkspace ws = (SimdWorkspace) workspace;
        packWeights(params, offset, dx != null, ws);
        backwardSteps(dh, dhOffset, lddh, dStateT, ws);
        initialStateGradient(dState0, ws);
        weightGradients(x, xOffset, ldx, tokens, ws, grads, offset);
        if (dx != null) {
            inputGradient(ws, dx, dxOffset, lddx, addDx);
        }
    }

    /**
     * {@code W_h^T} into {@code ws.recurrentPanelsTransposed}, once per pass: panels of W hidden
     * units, G*H rows W floats apart, which every step's products read as they are (packing them
     * inside each product copied W_h^T again at every step, on every thread); and {@code W_x^T}
     * into {@code ws.transposed} when dx is wanted, so that its product reads rows.
     */
    void packWeights(float[] params, int offset, boolean inputToo, SimdWorkspace ws) {
        int w = MatMul.W, parts = (shape().hiddenSize() + w - 1) / w;
        if (inputToo) {
            parts = Math.max(parts, (shape().inputSize() + w - 1) / w);
        }
        if (splitsPacking()) {
            pool.run(ws.parts, ws.parts.packBackward(params, offset, inputToo, parts));
            return;
        }
        for (int q = 0; q < parts; q++) {
            packTransposed(params, offset, inputToo, ws, q);
        }
    }

    /**
     * Part q of {@link #packWeights}: panel q of W_h^T (units [q*W, (q+1)*W)), and with {@code inputToo}
     * rows [q*W, (q+1)*W) of W_x transposed into their columns of W_x^T; either where it exists.
     */
    void packTransposed(float[] params, int offset, boolean inputToo, SimdWorkspace ws, int q) {
        LayerShape s = shape();
        ParameterLayout p = layout();
        int hid = s.hiddenSize(), in = s.inputSize(), gh = s.gateWidth(), w = MatMul.W, q0 = q * w;
        if (q0 < hid) {
            Rows.transpose(params, offset + p.recurrentWeightsOffset() + q0 * gh, Math.min(w, hid - q0), gh, gh, ws.recurrentPanelsTransposed,
                    ws.origin + q0 * gh, w);
        }
        if (inputToo && q0 < in) {
            Rows.transpose(params, offset + p.inputWeightsOffset() + q0 * gh, Math.min(w, in - q0), gh, gh, ws.transposed, ws.origin + q0, ws.ldx);
        }
    }

    /**
     * {@code C = dz W_h^T} (or {@code C += dz W_h^T} when {@code fromC}) for hidden units [u0, u1),
     * u0 a multiple of W: {@code rows} rows of dz from row {@code dzRow} of ws.stepGradients (the
     * GRU's n part from ws.newGateGradients) and of C (H apart, from {@code cOffset}); one product
     * per panel of W_h^T, in step t's {@link #panelOrder}. The GRU's sums run over its r and z
     * parts, then continue over the n part: each sum in the same order as over one dz row.
     */
    private void recurrentGradient(Product product, int t, int rows, int dzRow, SimdWorkspace ws, float[] c, int cOffset,
                                   boolean fromC, int u0, int u1) {
        int hid = shape().hiddenSize(), gh = shape().gateWidth(), w = MatMul.W, products = (u1 - u0 + w - 1) / w;
        boolean gru = shape().cell() == Cell.GRU;
        int fromDz = recurrentDzColumns();
        for (int n = 0; n < products; n++) {
            int q0 = u0 + panelOrder(t, n, products) * w, width = Math.min(w, u1 - q0);
            product.size(rows, width, fromDz).a(ws.stepGradients, ws.origin + dzRow * ws.ldz, ws.ldz).b(ws.recurrentPanelsTransposed, ws.origin + q0 * gh, w)
                    .c(c, cOffset + q0, hid);
            if (fromC) {
                product.startFromC();
            }
            product.run();
            if (gru) { // the panel's rows of the n gate follow those of r and z
                product.size(rows, width, hid).a(ws.newGateGradients, ws.origin + dzRow * ws.ldn, ws.ldn)
                        .b(ws.recurrentPanelsTransposed, ws.origin + q0 * gh + fromDz * w, w).c(c, cOffset + q0, hid).startFromC().run();
            }
        }
    }

    /**
     * @return the columns of dz that W_h sees as ws.stepGradients holds them: all G*H, or the GRU's
     *         r and z parts only (2H), its n part being dn*r in ws.newGateGradients
     */
    private int recurrentDzColumns() {
        return shape().cell() == Cell.GRU ? 2 * shape().hiddenSize() : shape().gateWidth();
    }

    /**
     * The sequential part of backward: {@code dz_t} for the steps in the reverse of the pass's
     * order (T..1 forward), per block of hidden units the product that brings the gradient back
     * from the step that read step t's states, the upstream gradient added, then the cell.
     */
    void backwardSteps(float[] dh, int dhOffset, int lddh, float[] dStateT, SimdWorkspace ws) {
        LayerShape s = shape();
        StepRows rows = ws.stepRows();
        int hid = s.hiddenSize();
        if (splitsRows(rows.sequences())) {
            ws.parts.backwardRows(pool.threads(), dh, dhOffset, lddh, dStateT);
            pool.run(ws.parts, pool.threads());
            return;
        }
        for (int i = rows.steps(); i >= 1; i--) {
            int t = rows.stepAt(i), active = rows.active(t);
            startRows(dStateT, ws, t, 0, active);
            int block = stepBlock(active);
            if (block < 0) { // split over the pool's threads; the pool's run is the step's barrier
                pool.run(ws.parts, ws.parts.backward(t, -block, stepRowRanges(active, -block), dh, dhOffset, lddh));
                continue;
            }
            for (int u0 = 0; u0 < hid; u0 += block) {
                backwardBlock(ws.product, dh, dhOffset, lddh, ws, t, 0, active, u0, Math.min(hid, u0 + block));
            }
        }
    }

    /** Every backward step of the step's rows [b0, b1) alone, block by block of hidden units: one thread's part of a split by rows. */
    void backwardRows(Product product, float[] dh, int dhOffset, int lddh, float[] dStateT, SimdWorkspace ws, int b0, int b1) {
        StepRows rows = ws.stepRows();
        int hid = shape().hiddenSize(), block = unitBlock;
        for (int i = rows.steps(); i >= 1; i--) {
            int t = rows.stepAt(i), end = Math.min(b1, rows.active(t));
            if (end <= b0) {
                continue;
            }
            startRows(dStateT, ws, t, b0, end);
            for (int u0 = 0; u0 < hid; u0 += block) {
                backwardBlock(product, dh, dhOffset, lddh, ws, t, b0, end, u0, Math.min(hid, u0 + block));
            }
        }
    }

    /**
     * Backward step t for hidden units [u0, u1) of its rows [b0, b1): the gradient from the step
     * that read its states, the upstream one, then the cell.
     */
    void backwardBlock(Product product, float[] dh, int dhOffset, int lddh, SimdWorkspace ws, int t, int b0, int b1, int u0, int u1) {
        StepRows rows = ws.stepRows();
        int hid = shape().hiddenSize(), continuing = Math.min(b1, rows.continuing(t));
        float[] carry = ws.carry;
        if (continuing > b0) {
            // The GRU starts from C: its cell left dh_next * z_next there.
            recurrentGradient(product, t, continuing - b0, rows.start(rows.nextStep(t)) + b0, ws, carry, ws.carryOrigin + b0 * hid,
                    shape().cell() == Cell.GRU, u0, u1);
        }
        if (dh != null) {
            for (int b = b0; b < b1; b++) {
                Rows.accumulate(dh, dhOffset + (rows.start(t) + b) * lddh + u0, carry, ws.carryOrigin + b * hid + u0, u1 - u0);
            }
        }
        cell.backward(ws, t, b0, b1, u0, u1);
    }

    /**
     * Before backward step t, of its rows [b0, b1): those whose final state is step t's start with
     * the gradient of their final state ({@code ws.carry}, and the LSTM's {@code ws.cellCarry}).
     */
    private void startRows(float[] dStateT, SimdWorkspace ws, int t, int b0, int b1) {
        int first = Math.max(b0, ws.stepRows().continuing(t));
        if (first < b1) {
            startRows(dStateT, first, b1, ws.carry, 0, ws.carryOrigin);
            if (ws.cellCarry != null) {
                startRows(dStateT, first, b1, ws.cellCarry, shape().hiddenLength(), ws.carryOrigin);
            }
        }
    }

    /** Rows [b0, b1) of {@code carry} (row 0 at {@code origin}): those of {@code dStateT} from {@code part} (h at 0, c at B*H), or zeros. */
    private void startRows(float[] dStateT, int b0, int b1, float[] carry, int part, int origin) {
        int hid = shape().hiddenSize();
        if (dStateT == null) {
            Arrays.fill(carry, origin + b0 * hid, origin + b1 * hid, 0f);
        } else {
            System.arraycopy(dStateT, part + b0 * hid, carry, origin + b0 * hid, (b1 - b0) * hid);
        }
    }

    /**
     * {@code dh_0 = dz W_h^T} of each row's first step (step 1 forward, its own last step
     * reversed; the GRU adds its carried {@code dh*z} of that step), and the LSTM's {@code dc_0}.
     */
    void initialStateGradient(float[] dState0, SimdWorkspace ws) {
        if (dState0 == null) {
            return;
        }
        LayerShape s = shape();
        StepRows rows = ws.stepRows();
        int batch = s.batch(), hid = s.hiddenSize();
        boolean gru = s.cell() == Cell.GRU;
        if (gru) {
            System.arraycopy(ws.carry, ws.carryOrigin, dState0, 0, rows.sequences() * hid); // the carried dh*z, which the products continue
        }
        for (int t = 1; t <= rows.steps(); t++) { // the rows that start at step t: [carried(t), active(t))
            int first = rows.carried(t), count = rows.active(t) - first;
            if (count > 0) {
                recurrentGradient(ws.product, t, count, rows.start(t) + first, ws, dState0, first * hid, gru, 0, hid);
            }
        }
        if (ws.cellCarry != null) {
            System.arraycopy(ws.cellCarry, ws.carryOrigin, dState0, batch * hid, batch * hid);
        }
    }

    /** The sums over all steps, each one product over T*B rows: {@code dW_h}, {@code dW_x}, {@code db} (and the GRU's {@code db_hn}). */
    void weightGradients(float[] x, int xOffset, int ldx, int[] tokens, SimdWorkspace ws, float[] grads, int offset) {
        LayerShape s = shape();
        ParameterLayout p = layout();
        StepRows stepRows = ws.stepRows();
        int in = s.inputSize(), hid = s.hiddenSize(), gh = s.gateWidth(), ldz = ws.ldz, rows = stepRows.rows();
        int wx = offset + p.inputWeightsOffset();
        float[] staging = ws.staging;
        Product product = ws.product;
        // Each step's dz meets the state it came from: in a full batch forward, state rows
        // 0..T*B-1 (h_0..h_{T-1}); else each step's previous rows, gathered (those that start at
        // the step from h_0's rows).
        float[] previous = ws.states;
        int previousOffset = ws.stateIndex(0), ldPrevious = ws.ldh;
        if (!stepRows.full() || stepRows.reversed()) {
            previous = ws.previousStates;
            previousOffset = ws.origin;
            ldPrevious = hid;
            for (int t = 1; t <= stepRows.steps(); t++) {
                int carried = stepRows.carried(t), to = ws.origin + stepRows.start(t) * hid;
                if (carried > 0) {
                    Rows.copyRows(ws.states, ws.stateIndex(stepRows.previousRow(t, 0)), ws.ldh, carried, hid, previous, to, hid);
                }
                Rows.copyRows(ws.states, ws.stateIndex(carried), ws.ldh, stepRows.active(t) - carried, hid, previous, to + carried * hid, hid);
            }
        }
        // The GRU's dW_h: its r and z columns from dz, its n columns from dn*r (the same sums, column
        // by column). Two products read H twice; one product with B taken from both buffers (tried
        // 2026-11-27, when each product transposed H's chunks) ran 0.97x at B = 32, H = 256 and
        // 1.00x at B = 64, H = 512.
        int wh = offset + p.recurrentWeightsOffset(), fromDz = recurrentDzColumns();
        run(product.size(hid, fromDz, rows).aTransposed(previous, previousOffset, ldPrevious).b(ws.stepGradients, ws.origin, ldz)
                .c(grads, wh, gh), staging, ws);
        if (s.cell() == Cell.GRU) {
            run(product.size(hid, hid, rows).aTransposed(previous, previousOffset, ldPrevious).b(ws.newGateGradients, ws.origin, ws.ldn)
                    .c(grads, wh + fromDz, gh), staging, ws);
        }
        if (x != null) {
            run(product.size(in, gh, rows).aTransposed(x, xOffset, ldx).b(ws.stepGradients, ws.origin, ldz).c(grads, wx, gh), staging, ws);
        } else {
            // dW_x = X^T dZ with one-hot rows: each step's dz goes to the row of its token, summed in
            // staging first so that the gradient array gets each sum once (as from the product).
            Arrays.fill(staging, 0, in * gh, 0f);
            for (int r = 0; r < rows; r++) {
                Rows.accumulate(ws.stepGradients, ws.origin + r * ldz, staging, tokens[r] * gh, gh);
            }
            Rows.accumulate(staging, 0, grads, wx, in * gh);
        }
        product.size(1, gh, rows).aOnes().b(ws.stepGradients, ws.origin, ldz).c(grads, offset + p.biasOffset(), gh).runAdding(staging);
        if (s.cell() == Cell.GRU) {
            product.size(1, hid, rows).aOnes().b(ws.newGateGradients, ws.origin, ws.ldn).c(grads, offset + p.recurrentNewGateBiasOffset(), hid)
                    .runAdding(staging);
        }
    }

    /** {@code dX = dZ_x W_x^T} ({@code dX += ...} when {@code add}), one product over all packed rows. */
    void inputGradient(SimdWorkspace ws, float[] dx, int dxOffset, int lddx, boolean add) {
        LayerShape s = shape();
        int in = s.inputSize(), gh = s.gateWidth(), rows = ws.stepRows().rows();
        Product product = ws.product.size(rows, in, gh).a(ws.stepGradients, ws.origin, ws.ldz).b(ws.transposed, ws.origin, ws.ldx)
                .c(dx, dxOffset, lddx);
        if (add) {
            product.startFromC();
        }
        run(product, null, ws);
    }
}
