package org.bptt4j;

import java.util.Random;

import org.bptt4j.train.Adam;
import org.bptt4j.train.Clipping;

/** Run by {@link NoVectorApiTest} in a JVM without {@code jdk.incubator.vector}: the reference path, optimizer and clipping included. */
public final class NoVectorApiMain {
    private NoVectorApiMain() {
    }

    /** Trains a small reference network three steps and prints its losses. */
    public static void main(String[] args) {
        Implementation implementation = Implementation.best();
        Network net = Network.of(implementation, StackShape.named("lstm", 5, 2, 4, 6, 2, 2), Network.Input.TOKENS,
                Network.Target.LAST_STEP, 3);
        float[] params = new float[net.size()], grads = new float[net.size()];
        net.initialize(params, new Random(1));
        Adam adam = new Adam(net.size(), 0.01f);
        int[] tokens = {0, 1, 2, 3, 1, 1, 2, 0, 3, 2};
        StringBuilder losses = new StringBuilder();
        for (int step = 0; step < 3; step++) {
            java.util.Arrays.fill(grads, 0f);
            losses.append(' ').append(net.trainTokens(params, tokens, 5, new int[]{5, 3}, new int[]{2, 0}, grads));
            Clipping.clipGlobalNorm(grads, 1f);
            Clipping.clipElementwise(grads, 5f);
            adam.step(params, grads);
        }
        System.out.println("implementation " + implementation + ", losses" + losses);
    }
}
