package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where each step's previous state lies and which step reads it, forward and reversed, checked against each row's own steps. */
class StepRowsTest {
    /** Lengths, longest first, as a stack sorts them: rows that end at every step, a row of one step, ties. */
    private static final int[] LENGTHS = {6, 6, 4, 3, 3, 1};

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyRowsStepsFollowEachOtherInTheRecurrencesOrder(boolean reversed) {
        int batch = 7; // the capacity: one row more than the pass holds
        StepRows rows = new StepRows(8, batch);
        rows.setSorted(LENGTHS, LENGTHS.length);
        rows.setReversed(reversed);
        assertEquals(reversed, rows.reversed());
        assertEquals(6, rows.steps());
        for (int i = 1; i <= rows.steps(); i++) {
            assertEquals(reversed ? 7 - i : i, rows.stepAt(i));
        }
        for (int t = 1; t <= rows.steps(); t++) {
            int carried = 0, continuing = 0;
            for (int b = 0; b < rows.active(t); b++) {
                int length = LENGTHS[b];
                // The row's first step in the recurrence reads its initial state, h_0's row b;
                // every other step reads the state of the step before it in that order.
                boolean first = reversed ? t == length : t == 1;
                int previous = reversed ? rows.stateRow(t + 1) + b : rows.stateRow(t - 1) + b;
                assertEquals(first ? b : previous, rows.previousRow(t, b), "row " + b + " at step " + t);
                carried += first ? 0 : 1;
                boolean last = reversed ? t == 1 : t == length;
                continuing += last ? 0 : 1;
            }
            // Those that continue are the first rows of the step, as the products need them.
            assertEquals(carried, rows.carried(t), "step " + t);
            assertEquals(continuing, rows.continuing(t), "step " + t);
            assertEquals(reversed ? t - 1 : t + 1, rows.nextStep(t));
        }
        for (int b = 0; b < LENGTHS.length; b++) {
            assertEquals(reversed ? 1 : LENGTHS[b], rows.finalStep(b), "row " + b);
        }
    }
}
