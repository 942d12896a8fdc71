package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.bptt4j.ComputePool;
import org.bptt4j.LayerShape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which split a pool's recurrence takes (see {@link SimdLayer#ROW_SPLIT_WEIGHTS}): by batch rows
 * where W_h has at most 1 MiB and every thread gets 8 rows, or where a thread's share of W_h under
 * the split by units would outgrow 1 MiB too and every thread gets 32 rows; else by units, one
 * barrier per step. Both give the same bits (ComputePoolTest), so only this test sees a rule that
 * changed by mistake. Skipped where {@code -Dbptt4j.rowSplit=false} turns the row split off.
 */
class RecurrenceSplitTest {
    @ParameterizedTest(name = "{0} B={1} H={2} on {3} threads: by rows {4}")
    @CsvSource({
            // W_h of 1 MiB or less: rows from 8 rows per thread
            "rnn_tanh, 64, 512, 2, true", "rnn_tanh, 16, 512, 2, true", "rnn_tanh, 15, 512, 2, false", "lstm, 32, 256, 2, true",
            "rnn_tanh, 64, 512, 4, true", "gru, 32, 256, 2, true",
            // 3 and 4 MiB on 2 threads (shares of 1.5 and 2 MiB): rows from 32 rows per thread
            "lstm, 64, 512, 2, true", "gru, 64, 512, 2, true", "lstm, 32, 512, 2, false", "lstm, 63, 512, 2, false",
            // shares of 1 MiB or less (4 threads and more at H = 512): units, whatever the rows
            "lstm, 128, 512, 4, false", "gru, 128, 512, 4, false", "lstm, 256, 512, 8, false",
            // a share above 1 MiB on 4 threads (LSTM at H = 1024: 16 MiB / 4)
            "lstm, 128, 1024, 4, true", "lstm, 64, 1024, 4, false",
            // too few rows, or a step too small to split
            "lstm, 1, 512, 2, false", "rnn_tanh, 32, 64, 2, false"})
    void splitsByRowsWhereMeasuredToPay(String cell, int batch, int hidden, int threads, boolean byRows) {
        assumeFalse("false".equals(System.getProperty(SimdLayer.ROW_SPLIT_PROPERTY)), "the row split is off");
        try (ComputePool pool = ComputePool.create(threads)) {
            SimdLayer layer = new SimdLayer(LayerShape.named(cell, 4, batch, hidden, hidden), pool);
            assertEquals(byRows, layer.splitsRows(batch));
        }
    }
}
