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
 */
public final class StepRows {
    private final int batch;
    private final int[] active;
    private final int[] start;
    private int steps;
    private int sequences;

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

    /** @return the rows of the pass: B, or fewer in a smaller batch of a {@link RecurrentStack} */
    public int sequences() {
        return sequences;
    }

    /** @return T, the number of steps (the longest row's length) */
    public int steps() {
        return steps;
    }

    /** @return the rows step t covers, t from 1 to {@link #steps()} (0 past the last step) */
    public int active(int t) {
        return t <= steps ? active[t] : 0;
    }

    /** @return the first packed row of step t, t from 1 to steps() + 1 (where it is {@link #rows()}) */
    public int start(int t) {
        return start[t];
    }

    /** @return the rows of the whole packed sequence: the sum of all rows' lengths */
    public int rows() {
        return start[steps + 1];
    }

    /** @return the row of the saved states where {@code h_t} starts: 0 for h_0, else B + start(t) */
    public int stateRow(int t) {
        return t == 0 ? 0 : batch + start[t];
    }

    /** @return whether every row has the same length (the plain time-major layout) */
    public boolean full() {
        return active[steps] == batch;
    }

    /** @return the length of (sorted) row b: the last step that covers it */
    public int length(int b) {
        int t = steps;
        while (active[t] <= b) {
            t--;
        }
        return t;
    }
}
