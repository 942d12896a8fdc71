package org.example.consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.bptt4j.Implementation;
import org.bptt4j.Network;
import org.bptt4j.StackShape;
import org.junit.jupiter.api.Test;

class AppTest {
    /** The test runner needs the Vector API flag too (Surefire's argLine in pom.xml), or this is the reference. */
    @Test
    void theTestRunnerGetsTheSimdKernels() {
        assertTrue(Implementation.best() == Implementation.SIMD, "run the tests with --add-modules jdk.incubator.vector");
        Network net = Network.of(Implementation.best(), StackShape.named("lstm", 3, 2, 4, 5, 1, 1),
                Network.Input.TOKENS, Network.Target.LAST_STEP, 2);
        float[] params = new float[net.size()], grads = new float[net.size()];
        net.initialize(params, new Random(1));
        double loss = net.trainTokens(params, new int[]{0, 1, 2, 3, 1, 0}, 3, null, new int[]{0, 1}, grads);
        assertTrue(loss > 0 && Double.isFinite(loss), "loss " + loss);
    }
}
