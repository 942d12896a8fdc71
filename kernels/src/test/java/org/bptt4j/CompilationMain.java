package org.bptt4j;

import java.util.Random;

/**
 * Runs forward and backward of every cell at two small shapes often enough for C1 and C2 to compile
 * the kernels, in a JVM of its own that {@link CompilationTest} starts with
 * {@code -XX:+PrintCompilation}.
 */
public final class CompilationMain {
    private CompilationMain() {
    }

    public static void main(String[] args) {
        int[][] shapes = {{8, 1, 128, 128}, {8, 7, 100, 100}};
        for (String cell : new String[]{"gru", "lstm", "rnn_tanh", "rnn_relu"}) {
            for (int[] s : shapes) {
                LayerShape shape = LayerShape.named(cell, s[0], s[1], s[2], s[3]);
                RecurrentLayer layer = Implementation.SIMD.layer(shape);
                Random random = new Random(1);
                float[] params = Fixtures.parameters(random, shape, 1f);
                float[] x = Fixtures.uniform(random, shape.inputLength(s[0]), 1f);
                float[] dh = Fixtures.uniform(random, shape.hiddenSequenceLength(s[0]), 1f);
                Workspace ws = layer.newWorkspace();
                float[] grads = new float[params.length];
                float[] dx = new float[x.length];
                for (int i = 0; i < 1500; i++) {
                    layer.forward(params, x, s[0], null, ws, null);
                    layer.backwardEveryStep(params, x, dh, ws, grads, dx, null);
                }
            }
        }
        System.out.println("done");
    }
}
