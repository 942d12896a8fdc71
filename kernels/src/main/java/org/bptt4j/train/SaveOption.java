package org.bptt4j.train;

/** Options of {@link Checkpoint#save} and {@link NetworkCheckpoint#save}. */
public enum SaveOption {
    /**
     * Save parameters and optimizer state even where they hold a NaN or an infinity. Without it a
     * save refuses them: a diverged model saved over the last good checkpoint loses that checkpoint.
     */
    ALLOW_NON_FINITE;

    /**
     * Refuses a non-finite value in any of the tensors, unless {@link #ALLOW_NON_FINITE} is among
     * {@code options}; a plain loop, small beside the file write that follows.
     *
     * @throws IllegalArgumentException naming the first tensor and element that is NaN or infinite
     */
    static void requireFinite(java.util.List<String> names, java.util.List<float[]> tensors, SaveOption... options) {
        for (SaveOption o : options) {
            if (o == ALLOW_NON_FINITE) {
                return;
            }
        }
        for (int t = 0; t < tensors.size(); t++) {
            float[] a = tensors.get(t);
            for (int i = 0; i < a.length; i++) {
                if (!Float.isFinite(a[i])) {
                    throw new IllegalArgumentException(names.get(t) + "[" + i + "] is " + a[i] + ": a diverged model;"
                            + " nothing was written (SaveOption.ALLOW_NON_FINITE saves it anyway)");
                }
            }
        }
    }
}
