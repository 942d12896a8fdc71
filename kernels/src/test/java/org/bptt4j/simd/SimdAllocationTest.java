package org.bptt4j.simd;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bptt4j.AllocationCheck;
import org.bptt4j.Fixtures;
import org.bptt4j.Implementation;
import org.bptt4j.LayerShape;
import org.bptt4j.RecurrentStack;
import org.bptt4j.StackShape;
import org.bptt4j.StackWorkspace;
import org.bptt4j.RecurrentLayer;
import org.bptt4j.Workspace;
import org.junit.jupiter.api.Test;

/**
 * Once the JIT has compiled the kernels, forward and backward of every cell allocate nothing on the calling
 * thread. A vector the JIT fails to keep in registers is boxed, which shows up here as allocation
 * (and in a benchmark as a many-fold slowdown).
 */
class SimdAllocationTest {

    private static List<AllocationCheck.Case> cases() {
        int[][] shapes = {{8, 1, 128, 128}, {5, 3, 7, 17}, {4, 8, 33, 100}, {3, 4, 64, 64}};
        List<AllocationCheck.Case> cases = new ArrayList<>();
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
                cases.add(new AllocationCheck.Case(shape + " every step", () -> {
                    layer.forward(params, x, s[0], h0, ws, hT);
                    layer.backwardEveryStep(params, x, dh, ws, grads, dx, dh0);
                }));
                cases.add(new AllocationCheck.Case(shape + " last step, shorter T, no dx", () -> {
                    layer.forward(params, x, s[0] - 1, null, ws, null);
                    layer.backwardLastStep(params, x, dhLast, ws, grads, null, dh0);
                }));
            }
        }
        for (String cell : new String[]{"lstm", "gru", "rnn_tanh"}) {
            // A stack of two bidirectional layers over rows of different lengths: the stack's own
            // gathers and scatters, the packed steps, the reverse direction.
            StackShape shape = StackShape.named(cell, 6, 5, 9, 20, 2, 2);
            RecurrentStack stack = new RecurrentStack(Implementation.SIMD, shape);
            StackWorkspace ws = stack.newWorkspace();
            Random random = new Random(2);
            float[] params = Fixtures.uniform(random, shape.parameterSize(), 0.3f);
            float[] x = Fixtures.uniform(random, 6 * 5 * 9, 1f);
            float[] dOut = Fixtures.uniform(random, 6 * 5 * shape.outputSize(), 1f);
            float[] state = Fixtures.uniform(random, shape.stateLength(), 1f);
            float[] out = new float[dOut.length], grads = new float[params.length], dx = new float[x.length];
            int[] lengths = {3, 6, 1, 6, 4};
            cases.add(new AllocationCheck.Case(shape + " variable lengths", () -> {
                stack.forward(params, x, 6, lengths, state, ws, out, null);
                stack.backward(params, x, dOut, state, ws, grads, dx, null);
            }));
        }
        return cases;
    }

    @Test
    void forwardAndBackwardAllocateNothingOnceCompiled() {
        System.out.println("forward and backward: " + AllocationCheck.assertNoAllocationOnceCompiled(cases(), 300, 20));
    }
}
