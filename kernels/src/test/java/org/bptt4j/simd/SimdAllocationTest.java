package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bptt4j.Fixtures;
import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;
import org.junit.jupiter.api.Test;

/**
 * Once the JIT has compiled the kernels, forward and backward of every cell allocate nothing on the calling
 * thread. A vector the JIT fails to keep in registers is boxed, which shows up here as allocation
 * (and in a benchmark as a many-fold slowdown).
 */
class SimdAllocationTest {

    private record Case(String name, Runnable pass) {
    }

    private static List<Case> cases() {
        int[][] shapes = {{8, 1, 128, 128}, {5, 3, 7, 17}, {4, 8, 33, 100}, {3, 4, 64, 64}};
        List<Case> cases = new ArrayList<>();
        for (int[] s : shapes) {
            for (String cell : new String[]{"rnn_tanh", "rnn_relu", "lstm", "gru"}) {
                LayerShape shape = LayerShape.named(cell, s[0], s[1], s[2], s[3]);
                RecurrentLayer layer = new SimdLayer(shape);
                Random random = new Random(1);
                float[] params = Fixtures.parameters(random, shape, 1f);
                float[] x = Fixtures.uniform(random, shape.inputLength(s[0]), 1f);
                float[] h0 = Fixtures.uniform(random, shape.stateLength(), 1f);
                float[] dh = Fixtures.uniform(random, shape.hiddenSequenceLength(s[0]), 1f);
                float[] dhLast = Fixtures.uniform(random, shape.stateLength(), 1f);
                Workspace ws = layer.newWorkspace();
                float[] hT = new float[shape.stateLength()];
                float[] grads = new float[params.length];
                float[] dx = new float[x.length];
                float[] dh0 = new float[h0.length];
                cases.add(new Case(shape + " every step", () -> {
                    layer.forward(params, x, s[0], h0, ws, hT);
                    layer.backwardEveryStep(params, x, dh, ws, grads, dx, dh0);
                }));
                cases.add(new Case(shape + " last step, shorter T, no dx", () -> {
                    layer.forward(params, x, s[0] - 1, null, ws, null);
                    layer.backwardLastStep(params, x, dhLast, ws, grads, null, dh0);
                }));
            }
        }
        return cases;
    }

    @Test
    void forwardAndBackwardAllocateNothingOnceCompiled() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Case> cases = cases();
        long[] allocated = new long[cases.size()];
        threads.getCurrentThreadAllocatedBytes();
        long probe = threads.getCurrentThreadAllocatedBytes();
        assertEquals(0, threads.getCurrentThreadAllocatedBytes() - probe, "the probe itself allocates");
        // Compilation happens in the background: measure after each round of warm-up, and pass on
        // the first round in which no case allocated. Boxing allocates on every call, so it never passes.
        for (int round = 0; round < 30; round++) {
            for (Case c : cases) {
                for (int i = 0; i < 300; i++) {
                    c.pass().run();
                }
            }
            boolean clean = true;
            for (int n = 0; n < cases.size(); n++) {
                Runnable pass = cases.get(n).pass();
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 20; i++) {
                    pass.run();
                }
                allocated[n] = threads.getCurrentThreadAllocatedBytes() - before;
                clean &= allocated[n] == 0;
            }
            if (clean) {
                System.out.println("no allocation after " + (round + 1) + " warm-up rounds");
                return;
            }
        }
        StringBuilder report = new StringBuilder("bytes allocated by 20 passes after warm-up:");
        for (int n = 0; n < cases.size(); n++) {
            report.append("\n  ").append(cases.get(n).name()).append(": ").append(allocated[n]);
        }
        fail(report.toString());
    }
}
