package org.bptt4j.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.bptt4j.Implementation;
import org.bptt4j.LayerShape;
import org.bptt4j.train.Adam;
import org.bptt4j.train.Clipping;
import org.bptt4j.train.Model;

/**
 * A sentiment classifier with the loss at the last step only: an RNN reads a sentence word by
 * word, and the head classifies its final state as negative (0) or positive (1).
 *
 * <p>The sentences come from a seeded generator with these rules:
 * <ul>
 *   <li>Words are of four kinds: {@link #POSITIVE} and {@link #NEGATIVE} sentiment words,
 *       {@link #NEGATIONS}, and neutral {@link #FILLER}.</li>
 *   <li>A sentence holds one or two sentiment phrases among 2 to 10 filler words (so 3 to 14
 *       words in all). A phrase is a sentiment word, preceded by a negation with probability 0.35;
 *       the negation flips the word's polarity ("not bad" is positive).</li>
 *   <li>With two phrases, the second is drawn to agree with the first (after negation), so every
 *       sentence has one unambiguous label: that polarity.</li>
 *   <li>The phrases go to random places among the filler, never splitting a negation from its word.</li>
 * </ul>
 * A training set and a held-out set are drawn from the same generator. Sentences are left-padded
 * with a padding token to 14 steps, so the last step is always the last word. Hidden 64, Adam
 * (lr 0.003), global-norm clipping at 5, batches of 32, 15 epochs. It prints the held-out accuracy
 * after every epoch and at the end.
 *
 * <pre>
 * --seed S (default 1)  --train N (default 4000)  --test N (default 1000)  --epochs E (default 15)
 * --lr LR (default 0.003)  --impl simd|reference (default simd)
 * --cell rnn_tanh|rnn_relu|lstm|gru (default rnn_tanh)
 * </pre>
 */
public final class Sentiment {
    /** Positive sentiment words. */
    public static final List<String> POSITIVE = List.of("good", "great", "excellent", "wonderful", "lovely", "superb",
            "enjoyable", "brilliant", "fun", "moving");
    /** Negative sentiment words. */
    public static final List<String> NEGATIVE = List.of("bad", "terrible", "awful", "boring", "poor", "dull", "weak",
            "painful", "mediocre", "bland");
    /** Negations: each flips the polarity of the sentiment word right after it. */
    public static final List<String> NEGATIONS = List.of("not", "never", "hardly");
    /** Neutral words. */
    public static final List<String> FILLER = List.of("the", "movie", "film", "plot", "story", "acting", "music", "was",
            "is", "it", "this", "i", "found", "really", "quite", "very", "and", "but", "a", "with", "of", "to", "overall",
            "cast", "ending", "scenes", "felt");
    /** The longest sentence: 10 filler words and two negated phrases. */
    public static final int MAX_WORDS = 14;
    private static final int BATCH = 32;
    private static final int HIDDEN = 64;

    /** A sentence as token ids (1-based into {@link #vocabulary()}; 0 is padding) and its label. */
    public record Example(int[] tokens, int label) {
    }

    private Sentiment() {
    }

    /** @return the words by token id; id 0 is the padding token "&lt;pad&gt;" */
    public static List<String> vocabulary() {
        List<String> words = new ArrayList<>();
        words.add("<pad>");
        words.addAll(POSITIVE);
        words.addAll(NEGATIVE);
        words.addAll(NEGATIONS);
        words.addAll(FILLER);
        return words;
    }

    /** Draws {@code count} labelled sentences by the rules of the class comment. */
    public static List<Example> generate(Random random, int count) {
        List<String> vocabulary = vocabulary();
        List<Example> out = new ArrayList<>(count);
        for (int s = 0; s < count; s++) {
            int label = random.nextInt(2);
            int phrases = 1 + random.nextInt(2);
            List<List<String>> parts = new ArrayList<>();
            for (int f = 2 + random.nextInt(9); f > 0; f--) {
                parts.add(List.of(FILLER.get(random.nextInt(FILLER.size()))));
            }
            for (int p = 0; p < phrases; p++) {
                boolean negated = random.nextDouble() < 0.35;
                boolean wordPositive = (label == 1) != negated;
                String word = (wordPositive ? POSITIVE : NEGATIVE).get(random.nextInt(POSITIVE.size()));
                List<String> phrase = negated ? List.of(NEGATIONS.get(random.nextInt(NEGATIONS.size())), word) : List.of(word);
                parts.add(random.nextInt(parts.size() + 1), phrase);
            }
            int[] tokens = parts.stream().flatMap(List::stream).mapToInt(vocabulary::indexOf).toArray();
            out.add(new Example(tokens, label));
        }
        return out;
    }

    /** The words of a sentence, for printing. */
    public static String words(Example e) {
        List<String> vocabulary = vocabulary();
        StringBuilder b = new StringBuilder();
        for (int t : e.tokens()) {
            b.append(b.length() == 0 ? "" : " ").append(vocabulary.get(t));
        }
        return b.toString();
    }

    /**
     * Trains and evaluates.
     *
     * @return the held-out accuracy, in [0, 1]
     */
    public static double run(long seed, int trainCount, int testCount, int epochs, float learningRate,
                             Implementation implementation, String cell, boolean print) {
        Random random = new Random(seed);
        List<Example> train = generate(random, trainCount);
        List<Example> test = generate(random, testCount);
        int v = vocabulary().size();
        LayerShape shape = LayerShape.named(cell, MAX_WORDS, BATCH, v, HIDDEN);
        Model model = Model.of(implementation, shape, 2);
        float[] params = new float[model.size()];
        float scale = 1f / (float) Math.sqrt(HIDDEN);
        for (int i = 0; i < params.length; i++) {
            params[i] = (random.nextFloat() * 2 - 1) * scale; // PyTorch's default init range for RNN and Linear
        }
        float[] grads = new float[model.size()];
        Adam adam = new Adam(model.size(), learningRate);
        int[] inputs = new int[MAX_WORDS * BATCH];
        int[] labels = new int[BATCH];
        Integer[] order = new Integer[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double accuracy = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            java.util.Collections.shuffle(Arrays.asList(order), random);
            double loss = 0;
            int batches = train.size() / BATCH;
            for (int batch = 0; batch < batches; batch++) {
                for (int b = 0; b < BATCH; b++) {
                    fill(train.get(order[batch * BATCH + b]), b, inputs, labels);
                }
                Arrays.fill(grads, 0f);
                loss += model.trainLastStep(params, inputs, labels, MAX_WORDS, grads) / BATCH;
                Clipping.clipGlobalNorm(grads, 5f);
                adam.step(params, grads);
            }
            accuracy = accuracy(model, params, test, inputs, labels);
            if (print) {
                System.out.printf(Locale.ROOT, "epoch %d, mean loss %.4f, held-out accuracy %.1f%%%n", epoch, loss / batches, 100 * accuracy);
            }
        }
        return accuracy;
    }

    /** Left-pads example {@code e} into column {@code b} of the time-major batch. */
    private static void fill(Example e, int b, int[] inputs, int[] labels) {
        int pad = MAX_WORDS - e.tokens().length;
        for (int t = 0; t < MAX_WORDS; t++) {
            inputs[t * BATCH + b] = t < pad ? 0 : e.tokens()[t - pad];
        }
        labels[b] = e.label();
    }

    private static double accuracy(Model model, float[] params, List<Example> examples, int[] inputs, int[] labels) {
        float[] p = new float[BATCH * 2];
        int correct = 0;
        for (int start = 0; start < examples.size(); start += BATCH) {
            for (int b = 0; b < BATCH; b++) {
                fill(examples.get(Math.min(start + b, examples.size() - 1)), b, inputs, labels); // the last batch repeats its last example
            }
            model.predict(params, inputs, MAX_WORDS, null, p);
            for (int b = 0; b < BATCH && start + b < examples.size(); b++) {
                int predicted = p[2 * b + 1] > p[2 * b] ? 1 : 0;
                correct += predicted == labels[b] ? 1 : 0;
            }
        }
        return (double) correct / examples.size();
    }

    /** Entry point: {@code Sentiment [--seed S] [--train N] [--test N] [--epochs E] [--lr LR] [--impl simd|reference] [--cell rnn_tanh|rnn_relu|lstm|gru]}. */
    public static void main(String[] args) {
        long seed = 1;
        int trainCount = 4000, testCount = 1000, epochs = 15;
        float learningRate = 0.003f;
        Implementation implementation = Implementation.SIMD;
        String cell = "rnn_tanh";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--train" -> trainCount = Integer.parseInt(args[i + 1]);
                case "--test" -> testCount = Integer.parseInt(args[i + 1]);
                case "--epochs" -> epochs = Integer.parseInt(args[i + 1]);
                case "--lr" -> learningRate = Float.parseFloat(args[i + 1]);
                case "--impl" -> implementation = Implementation.named(args[i + 1]);
                case "--cell" -> cell = LayerShape.named(args[i + 1], 1, 1, 1, 1).cellName(); // checks the name
                default -> {
                    System.err.println("usage: Sentiment [--seed S] [--train N] [--test N] [--epochs E] [--lr LR] [--impl simd|reference] [--cell rnn_tanh|rnn_relu|lstm|gru]");
                    System.exit(2);
                }
            }
        }
        Random show = new Random(seed);
        System.out.println("examples:");
        for (Example e : generate(show, 4)) {
            System.out.println("  " + (e.label() == 1 ? "positive" : "negative") + ": " + words(e));
        }
        double accuracy = run(seed, trainCount, testCount, epochs, learningRate, implementation, cell, true);
        System.out.printf(Locale.ROOT, "held-out accuracy: %.1f%% (%d sentences)%n", 100 * accuracy, testCount);
    }
}
