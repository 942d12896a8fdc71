package org.bptt4j.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.bptt4j.Implementation;
import org.bptt4j.LayerShape;
import org.bptt4j.Network;
import org.bptt4j.StackShape;
import org.bptt4j.train.Adam;
import org.bptt4j.train.Clipping;

/**
 * A sentiment classifier with the loss at the last step only: a recurrent network reads a sentence
 * word by word, and the head classifies its final state as negative (0) or positive (1). Sentences
 * are read at their own lengths (no padding token): a batch holds sentences of 3 to 14 words, and
 * each row's final state is its state after its own last word (both directions' when
 * bidirectional).
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
 * A training set and a held-out set are drawn from the same generator. Hidden 64, Adam (lr 0.003),
 * global-norm clipping at 5, batches of 32, 15 epochs. It prints its configuration, the loss,
 * held-out accuracy and time of every epoch, and at the end classifies the sentences given after
 * {@code --classify} (words outside the vocabulary are left out, and said so).
 *
 * <pre>
 * --seed S (default 1)  --train N (default 4000)  --test N (default 1000)  --epochs E (default 15)
 * --lr LR (default 0.003)  --impl simd|reference (default simd)
 * --cell rnn_tanh|rnn_relu|lstm|gru (default rnn_tanh)  --layers L (default 1)  --bidirectional
 * --classify "a sentence" "another one" ...  (the rest of the command line)
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

    /** A sentence as token ids (indices into {@link #vocabulary()}) and its label. */
    public record Example(int[] tokens, int label) {
    }

    private Sentiment() {
    }

    /** @return the words by token id */
    public static List<String> vocabulary() {
        List<String> words = new ArrayList<>();
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

    /** What to train: the network's shape and the training run's settings. */
    public record Options(long seed, int trainCount, int testCount, int epochs, float learningRate, Implementation implementation,
                          String cell, int layers, boolean bidirectional) {
        /** The defaults of the class comment. */
        public static Options defaults() {
            return new Options(1, 4000, 1000, 15, 0.003f, Implementation.SIMD, "rnn_tanh", 1, false);
        }
    }

    /**
     * A trained classifier.
     *
     * @param network  the network
     * @param params   its parameters
     * @param accuracy its held-out accuracy, in [0, 1]
     */
    public record Trained(Network network, float[] params, double accuracy) {
        /**
         * @return p(positive) of each sentence (words outside the vocabulary left out, then the first
         *         {@link #MAX_WORDS} known words read, the network's longest sequence; a sentence of none
         *         of its words gets NaN)
         */
        public double[] classify(List<String> sentences) {
            List<String> vocabulary = vocabulary();
            double[] positive = new double[sentences.size()];
            float[] p = new float[2];
            for (int i = 0; i < sentences.size(); i++) {
                int[] ids = Arrays.stream(sentences.get(i).toLowerCase(Locale.ROOT).split("\\s+")).mapToInt(vocabulary::indexOf)
                        .filter(id -> id >= 0).limit(MAX_WORDS).toArray();
                if (ids.length == 0) {
                    positive[i] = Double.NaN;
                    continue;
                }
                network.predictTokens(params, ids, ids.length, new int[]{ids.length}, p); // a batch of one row
                positive[i] = p[1];
            }
            return positive;
        }
    }

    /**
     * Trains and evaluates.
     *
     * @param print whether to print the configuration and each epoch's loss, accuracy and time
     */
    public static Trained run(Options o, boolean print) {
        Random random = new Random(o.seed());
        List<Example> train = generate(random, o.trainCount());
        List<Example> test = generate(random, o.testCount());
        int v = vocabulary().size();
        StackShape shape = StackShape.named(o.cell(), MAX_WORDS, BATCH, v, HIDDEN, o.layers(), o.bidirectional() ? 2 : 1);
        Network network = Network.of(o.implementation(), shape, Network.Input.TOKENS, Network.Target.LAST_STEP, 2);
        if (print) {
            System.out.printf(Locale.ROOT, "%s, %d layer%s, %s, hidden %d, batch %d, %d parameters, %s kernels%n", o.cell(), o.layers(),
                    o.layers() == 1 ? "" : "s", o.bidirectional() ? "bidirectional" : "one direction", HIDDEN, BATCH, network.size(),
                    o.implementation());
        }
        float[] params = new float[network.size()];
        network.initialize(params, random);
        float[] grads = new float[network.size()];
        Adam adam = new Adam(network.size(), o.learningRate());
        int[] inputs = new int[MAX_WORDS * BATCH];
        int[] lengths = new int[BATCH];
        int[] labels = new int[BATCH];
        Integer[] order = new Integer[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double accuracy = 0;
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            long start = System.nanoTime();
            java.util.Collections.shuffle(Arrays.asList(order), random);
            double loss = 0;
            int batches = train.size() / BATCH;
            for (int batch = 0; batch < batches; batch++) {
                for (int b = 0; b < BATCH; b++) {
                    fill(train.get(order[batch * BATCH + b]), b, BATCH, inputs, lengths, labels);
                }
                Arrays.fill(grads, 0f);
                loss += network.trainTokens(params, inputs, MAX_WORDS, lengths, labels, grads) / BATCH;
                Clipping.clipGlobalNorm(grads, 5f);
                adam.step(params, grads);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            accuracy = accuracy(network, params, test, inputs, lengths, labels);
            if (print) {
                System.out.printf(Locale.ROOT, "epoch %d, mean loss %.4f, held-out accuracy %.1f%%, %.2f s%n", epoch, loss / batches,
                        100 * accuracy, seconds);
            }
        }
        return new Trained(network, params, accuracy);
    }

    /** Puts example {@code e} into column {@code b} of a time-major batch of {@code rows} rows, with its own length. */
    private static void fill(Example e, int b, int rows, int[] inputs, int[] lengths, int[] labels) {
        for (int t = 0; t < e.tokens().length; t++) {
            inputs[t * rows + b] = e.tokens()[t];
        }
        lengths[b] = e.tokens().length;
        labels[b] = e.label();
    }

    private static double accuracy(Network network, float[] params, List<Example> examples, int[] inputs, int[] lengths, int[] labels) {
        float[] p = new float[BATCH * 2];
        int correct = 0;
        for (int start = 0; start < examples.size(); start += BATCH) {
            int rows = Math.min(BATCH, examples.size() - start); // the last batch may be smaller
            int[] rowLengths = rows == BATCH ? lengths : new int[rows];
            for (int b = 0; b < rows; b++) {
                fill(examples.get(start + b), b, rows, inputs, rowLengths, labels);
            }
            network.predictTokens(params, inputs, MAX_WORDS, rowLengths, p);
            for (int b = 0; b < rows; b++) {
                int predicted = p[2 * b + 1] > p[2 * b] ? 1 : 0;
                correct += predicted == labels[b] ? 1 : 0;
            }
        }
        return (double) correct / examples.size();
    }

    /**
     * Entry point: {@code Sentiment [--seed S] [--train N] [--test N] [--epochs E] [--lr LR] [--impl simd|reference]
     * [--cell rnn_tanh|rnn_relu|lstm|gru] [--layers L] [--bidirectional] [--classify SENTENCE...]}.
     */
    public static void main(String[] args) {
        Options o = Options.defaults();
        long seed = o.seed();
        int trainCount = o.trainCount(), testCount = o.testCount(), epochs = o.epochs(), layers = o.layers();
        float learningRate = o.learningRate();
        Implementation implementation = o.implementation();
        String cell = o.cell();
        boolean bidirectional = false;
        List<String> sentences = new ArrayList<>();
        String usage = "usage: Sentiment [--seed S] [--train N] [--test N] [--epochs E] [--lr LR] [--impl simd|reference]"
                + " [--cell rnn_tanh|rnn_relu|lstm|gru] [--layers L] [--bidirectional] [--classify SENTENCE...]";
        try {
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--bidirectional")) {
                    bidirectional = true;
                    continue;
                }
                if (flag.equals("--classify")) {
                    sentences.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    break;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--train" -> trainCount = Integer.parseInt(value);
                    case "--test" -> testCount = Integer.parseInt(value);
                    case "--epochs" -> epochs = Integer.parseInt(value);
                    case "--lr" -> learningRate = Float.parseFloat(value);
                    case "--impl" -> implementation = Implementation.named(value);
                    case "--cell" -> cell = LayerShape.named(value, 1, 1, 1, 1).cellName(); // checks the name
                    case "--layers" -> layers = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage);
            System.exit(2);
        }
        Random show = new Random(seed);
        System.out.println("examples:");
        for (Example e : generate(show, 4)) {
            System.out.println("  " + (e.label() == 1 ? "positive" : "negative") + ": " + words(e));
        }
        Trained trained = run(new Options(seed, trainCount, testCount, epochs, learningRate, implementation, cell, layers, bidirectional), true);
        System.out.printf(Locale.ROOT, "held-out accuracy: %.1f%% (%d sentences)%n", 100 * trained.accuracy(), testCount);
        double[] positive = trained.classify(sentences);
        List<String> vocabulary = vocabulary();
        for (int i = 0; i < sentences.size(); i++) {
            List<String> unknown = Arrays.stream(sentences.get(i).toLowerCase(Locale.ROOT).split("\\s+"))
                    .filter(w -> !w.isEmpty() && !vocabulary.contains(w)).toList();
            String note = unknown.isEmpty() ? "" : " (not in the vocabulary, left out: " + String.join(", ", unknown) + ")";
            long known = Arrays.stream(sentences.get(i).toLowerCase(Locale.ROOT).split("\\s+")).filter(vocabulary::contains).count();
            if (known > MAX_WORDS) {
                note += " (only its first " + MAX_WORDS + " known words read: the network's longest sequence)";
            }
            System.out.printf(Locale.ROOT, "\"%s\": %s%s%n", sentences.get(i), Double.isNaN(positive[i]) ? "no known word"
                    : String.format(Locale.ROOT, "%s, p(positive) = %.3f", positive[i] > 0.5 ? "positive" : "negative", positive[i]), note);
        }
    }
}
