package org.bptt4j;

/**
 * Which rows each time step of a pass covers: PyTorch's packed sequence ({@code batch_sizes}).
 * Rows are sorted by length, longest first, so step t covers the first {@link #active(int)
 * active(t)} rows (those whose length is at least t), and a sequence is stored <em>packed</em>:
 * the rows of step 1, then those of step 2, ..., {@link #rows()} in all, the rows of step t from
 * {@link #start(int) start(t)}. A full batch (every row T long) is the plain time-major layout:
 * {@code start(t) = (t-1)*B}.
 *
 * <p>Saved hidden states are stored likewise, after the B rows of {@code h_0}: {@code h_t} of
 * row b at row {@link #stateRow(int) stateRow(t)} + b. Each workspace holds one, set by the
 * pass that fills the workspace; read it, never write it.
 *
 * <p>The recurrence runs forward (step 1 first) or, for the reverse direction of a bidirectional
 * layer, {@link #reversed()}: step T first, each row starting from its initial state at its own
 * last step, on the same packed rows, so that both directions read one input and write one
 * output in the same order. The methods from {@link #stepAt(int)} on say, for either direction,
 * where a step's previous state lies and which step reads its state.
 */
public final class StepRows {
    private final int batch;
    private final int[] active;
    private final int[] start;
    private int steps;
    private int sequences;
    private boolean reversed;

    StepRows(int maxSteps, int batch) {
        this.batch = batch;
        this.active = new int[maxSteps + 2];
        this.start = new int[maxSteps + 2];
    }

    /** Every row {@code steps} long. */
    void setFull(int steps) {
        this.steps = steps;
        this.sequences = batch;
        for (int t = 1; t <= steps + 1; t++) {
            active[t] = t <= steps ? batch : 0;
            start[t] = (t - 1) * batch;
        }
    }

    /**
     * Rows of the given lengths, sorted longest first.
     *
     * @param sortedLengths the lengths of the pass's rows, non-increasing, each from 1 to maxSteps (checked by the caller)
     * @param count         the pass's rows: the first {@code count} lengths, at most B
     */
    void setSorted(int[] sortedLengths, int count) {
        steps = sortedLengths[0];
        sequences = count;
        int rows = 0;
        for (int t = 1; t <= steps + 1; t++) {
            int a = 0;
            while (a < count && sortedLengths[a] >= t) {
                a++;
            }
            active[t] = a;
            start[t] = rows;
            rows += a;
        }
    }

    /** The direction of the recurrence: reversed runs step T first. */
    void setReversed(boolean reversed) {
        this.reversed = reversed;
    }

    /**
     * The rows of the pass: B, or fewer in a smaller batch of a {@link RecurrentStack}.
     *
     * @return the number of rows (sequences)
     */
    public int sequences() {
        return sequences;
    }

    /**
     * The number of steps of the pass: the longest row's length.
     *
     * @return T
     */
    public int steps() {
        return steps;
    }

    /**
     * The rows step t covers: the first {@code active(t)} sorted rows.
     *
     * @param t the step, from 1 to {@link #steps()}
     * @return the number of rows, 0 past the last step
     */
    public int active(int t) {
        return t <= steps ? active[t] : 0;
    }

    /**
     * The first packed row of step t.
     *
     * @param t the step, from 1 to {@code steps() + 1} (where it is {@link #rows()})
     * @return the index of that packed row
     */
    public int start(int t) {
        return start[t];
    }

    /**
     * The rows of the whole packed sequence.
     *
     * @return the sum of all rows' lengths
     */
    public int rows() {
        return start[steps + 1];
    }

    /**
     * The row of the saved states where {@code h_t} starts.
     *
     * @param t the step, from 0 to {@link #steps()}
     * @return 0 for {@code h_0}, else {@code B + start(t)}
     */
    public int stateRow(int t) {
        return t == 0 ? 0 : batch + start[t];
    }

    /**
     * Whether the pass is the plain time-major layout: all B rows, every one {@link #steps()} long.
     *
     * @return true when step {@link #steps()} covers all B rows
     */
    public boolean full() {
        return active[steps] == batch;
    }

    /**
     * The length of a sorted row: the last step that covers it.
     *
     * @param b the sorted row, from 0 to {@code sequences() - 1}
     * @return its length, from 1 to {@link #steps()}
     * @throws IllegalArgumentException if b is outside [0, sequences())
     */
    public int length(int b) {
        org.bptt4j.internal.Checks.index("b", b, sequences());
        int t = steps;
        while (active[t] <= b) {
            t--;
        }
        return t;
    }

    /**
     * Whether the recurrence runs backwards in time: step T first, each row from its own last
     * step down to step 1 (the reverse direction of a bidirectional layer).
     *
     * @return true for the reverse direction
     */
    public boolean reversed() {
        return reversed;
    }

    /**
     * The step the recurrence runs i-th: i forward, T + 1 - i reversed.
     *
     * @param i from 1 to {@link #steps()}
     * @return the step, from 1 to {@link #steps()}
     */
    public int stepAt(int i) {
        return reversed ? steps + 1 - i : i;
    }

    /**
     * How many of step t's rows continue a state of this pass: the first {@code carried(t)}
     * rows read their previous state from {@link #previousRow(int, int)}, the others (up to
     * {@link #active(int) active(t)}) start from their initial state, {@code h_0}'s row.
     *
     * @param t the step, from 1 to {@link #steps()}
     * @return 0 at step 1 forward; else active(t) forward, active(t + 1) reversed
     */
    public int carried(int t) {
        return reversed ? active(t + 1) : t == 1 ? 0 : active[t];
    }

    /**
     * The row of the saved states that holds row b's previous state at step t: that of step
     * t - 1 (forward) or t + 1 (reversed), or its initial state's row b where it starts at t.
     *
     * @param t the step, from 1 to {@link #steps()}
     * @param b the row, from 0 to {@code active(t) - 1}
     * @return the row of the saved states
     */
    public int previousRow(int t, int b) {
        if (b >= carried(t)) {
            return b;
        }
        return (reversed ? stateRow(t + 1) : stateRow(t - 1)) + b;
    }

    /**
     * The step that reads step t's states: t + 1 forward, t - 1 reversed.
     *
     * @param t the step, from 1 to {@link #steps()}
     * @return that step, 0 or {@code steps() + 1} where there is none
     */
    public int nextStep(int t) {
        return reversed ? t - 1 : t + 1;
    }

    /**
     * How many of step t's rows the next step reads ({@link #nextStep(int)}): the others' states
     * at t are their final states.
     *
     * @param t the step, from 1 to {@link #steps()}
     * @return active(t + 1) forward; active(t) reversed, 0 at step 1
     */
    public int continuing(int t) {
        return reversed ? (t == 1 ? 0 : active[t]) : active(t + 1);
    }

    /**
     * The step of row b's final state: its own last step forward, step 1 reversed.
     *
     * @param b the sorted row, from 0 to {@code sequences() - 1}
     * @return the step, from 1 to {@link #steps()}
     * @throws IllegalArgumentException if b is outside [0, sequences())
     */
    public int finalStep(int b) {
        int length = length(b); // checks b
        return reversed ? 1 : length;
    }
}
