package org.example.consumer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import org.bptt4j.Implementation;
import org.bptt4j.Network;
import org.bptt4j.StackShape;
import org.bptt4j.train.Adam;
import org.bptt4j.train.NetworkCheckpoint;

/**
 * Train, save, load, predict: a GRU learns whether a sequence of tokens 0..3 of any length holds
 * more 1s than 2s (an ordinary application of bptt4j; README "Use bptt4j in your project").
 */
public final class App {
    private App() {
    }

    /**
     * Trains, saves to {@code args[0]} (default {@code model.safetensors}), loads it back and
     * reports the loaded model's accuracy on new sequences.
     *
     * @param args the checkpoint's path, optional
     * @throws IOException if the checkpoint cannot be written or read
     */
    public static void main(String[] args) throws IOException {
        int steps = 12, batch = 32, vocabulary = 4, hidden = 24, classes = 2;
        Network net = Network.of(Implementation.best(), StackShape.named("gru", steps, batch, vocabulary, hidden, 1, 1),
                Network.Input.TOKENS, Network.Target.LAST_STEP, classes);
        float[] params = new float[net.size()], grads = new float[net.size()];
        net.initialize(params, new Random(1));
        Adam adam = new Adam(net.size(), 0.01f);
        int[] tokens = new int[steps * batch], lengths = new int[batch], labels = new int[batch];
        Random data = new Random(2);
        for (int step = 1; step <= 400; step++) {
            sample(data, tokens, lengths, labels, steps);
            Arrays.fill(grads, 0f);
            double loss = net.trainTokens(params, tokens, steps, lengths, labels, grads) / batch;
            adam.step(params, grads);
            if (step % 100 == 0) {
                System.out.printf("step %d: loss %.3f%n", step, loss);
            }
        }
        Path file = Path.of(args.length > 0 ? args[0] : "model.safetensors");
        NetworkCheckpoint.save(file, net, params, adam, Map.of("task", "more 1s than 2s"));

        NetworkCheckpoint.Loaded loaded = NetworkCheckpoint.load(file, Implementation.best());
        float[] probabilities = new float[batch * classes];
        int right = 0, total = 0;
        for (int round = 0; round < 10; round++) {
            sample(data, tokens, lengths, labels, steps);
            loaded.network().predictTokens(loaded.params(), tokens, steps, lengths, probabilities);
            for (int b = 0; b < batch; b++) {
                int guess = probabilities[b * classes + 1] > probabilities[b * classes] ? 1 : 0;
                right += guess == labels[b] ? 1 : 0;
                total++;
            }
        }
        System.out.printf("loaded %s (%s): accuracy %.2f on %d new sequences%n",
                file, loaded.metadata().get("task"), (double) right / total, total);
    }

    /** Random rows of lengths 1..steps (time-major ids); label 1 where a row has more 1s than 2s. */
    private static void sample(Random random, int[] tokens, int[] lengths, int[] labels, int steps) {
        int batch = lengths.length;
        for (int b = 0; b < batch; b++) {
            lengths[b] = 1 + random.nextInt(steps);
            int balance = 0;
            for (int t = 0; t < lengths[b]; t++) {
                int token = random.nextInt(4);
                tokens[t * batch + b] = token;
                balance += token == 1 ? 1 : token == 2 ? -1 : 0;
            }
            labels[b] = balance > 0 ? 1 : 0;
        }
    }
}
