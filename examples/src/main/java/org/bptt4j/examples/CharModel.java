package org.bptt4j.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.bptt4j.Implementation;
import org.bptt4j.LayerShape;
import org.bptt4j.Network;
import org.bptt4j.ParameterLayout;
import org.bptt4j.StackShape;
import org.bptt4j.io.SafeTensors;
import org.bptt4j.train.Adagrad;
import org.bptt4j.train.Clipping;
import org.bptt4j.train.NetworkCheckpoint;

/**
 * A character-level language model trained with Karpathy's min-char-rnn recipe on the fused
 * kernels: a text file in, vocabulary = its distinct characters sorted by code point, hidden 100,
 * sequence 25, Adagrad (lr 0.1), every gradient clipped to [-5, 5], weights {@code 0.01 * N(0,1)}
 * (or a checkpoint), biases 0. With batch 1 it walks the text as min-char-rnn does: the hidden
 * state is reset to zero (and the pointer to the start) when the next chunk would pass the end,
 * and the pointer advances by 25. With {@code --batch B > 1}, B streams walk B equal slices of the
 * text side by side. Every 100 iterations it prints {@code iter N, loss: X} with min-char-rnn's
 * smoothing ({@code -log(1/V)*25} at first, then {@code 0.999*s + 0.001*loss}; the loss is per
 * stream) and the speed; every {@code --sample-every} iterations a 200-character sample. With
 * {@code --layers L > 1} the recurrent part is a stack of L layers (every layer's state carried
 * from chunk to chunk). The checkpoint it saves holds its configuration and vocabulary
 * ({@link NetworkCheckpoint}); {@code --init} refuses one whose vocabulary differs from the text's.
 *
 * <pre>
 * --text FILE          the training text (required)
 * --iters N            iterations (default 2000)
 * --seed S             seed of the initial weights and the samples (default 1)
 * --init CKPT          start from a checkpoint instead (its vocabulary, cell, H and L must match)
 * --save CKPT          where to save the final checkpoint (default char-model.safetensors)
 * --hidden H           (default 100)     --seq T   (default 25)    --lr LR (default 0.1)
 * --batch B            parallel streams (default 1)
 * --sample-every N     (default 1000; 0 for none)
 * --impl simd|reference (default simd)
 * --cell rnn_tanh|rnn_relu|lstm|gru (default rnn_tanh, min-char-rnn's)
 * --layers L           (default 1)
 * </pre>
 */
public final class CharModel {
    /** Iterations left out of the reported speed: the JIT compiles the kernels during the first ones. */
    static final int WARM_UP = 200;
    /** The settings, min-char-rnn's by default. */
    public record Options(Path text, int iterations, long seed, Path init, Path save, int hidden, int sequence,
                          float learningRate, float clip, int batch, int sampleEvery, Implementation implementation,
                          String cell, int layers) {
        /** min-char-rnn's recipe on {@code text}. */
        public static Options defaults(Path text) {
            return new Options(text, 2000, 1, null, Path.of("char-model.safetensors"), 100, 25, 0.1f, 5f, 1, 1000,
                    Implementation.SIMD, "rnn_tanh", 1);
        }
    }

    private final Options options;
    private final int[] vocabulary;
    private final int[] data;
    private final Network network;
    private final Network sampler;
    private final Adagrad optimizer;
    private final float[] params;
    private final float[] grads;
    private final float[] h;
    private final int[] positions, inputs, targets;
    private final int segment;
    private final Random sampleRandom;
    private int pointer;
    private int iteration;
    private double smoothLoss;

    /**
     * Prepares a model for {@code text}.
     *
     * @throws IllegalArgumentException if the text is too short for one chunk per stream
     * @throws IOException              if {@code --init}'s checkpoint cannot be read
     */
    public CharModel(String text, Options options) throws IOException {
        this.options = options;
        this.vocabulary = text.codePoints().distinct().sorted().toArray();
        int[] codePoints = text.codePoints().toArray();
        this.data = new int[codePoints.length];
        for (int i = 0; i < codePoints.length; i++) {
            data[i] = Arrays.binarySearch(vocabulary, codePoints[i]);
        }
        int v = vocabulary.length;
        this.segment = data.length / options.batch();
        if (segment < options.sequence() + 2) {
            throw new IllegalArgumentException("the text has " + data.length + " characters: too short for " + options.batch()
                    + " stream(s) of chunks of " + options.sequence());
        }
        StackShape shape = StackShape.named(options.cell(), options.sequence(), options.batch(), v, options.hidden(), options.layers(), 1);
        StackShape one = StackShape.named(options.cell(), 1, 1, v, options.hidden(), options.layers(), 1);
        this.network = Network.of(options.implementation(), shape, Network.Input.TOKENS, Network.Target.EVERY_STEP, v);
        this.sampler = Network.of(options.implementation(), one, Network.Input.TOKENS, Network.Target.EVERY_STEP, v);
        this.params = new float[network.size()];
        if (options.init() != null) {
            String theirs = SafeTensors.read(options.init()).metadata().get("vocabulary");
            if (!vocabularyText().equals(theirs)) {
                throw new IllegalArgumentException(options.init() + " was trained on another vocabulary ("
                        + (theirs == null ? "none saved" : theirs.codePointCount(0, theirs.length()) + " characters") + ") than this text's ("
                        + v + " characters): its characters would mean other ones here");
            }
            NetworkCheckpoint.loadInto(options.init(), network, params);
        } else {
            // min-char-rnn's: weights 0.01 * N(0, 1), biases 0.
            Random random = new Random(options.seed());
            for (int l = 0; l < shape.layers(); l++) {
                ParameterLayout layout = shape.layer(l).parameterLayout();
                int offset = shape.parameterOffset(l, 0);
                for (int i = 0; i < layout.biasOffset(); i++) {
                    params[offset + i] = (float) (0.01 * random.nextGaussian());
                }
            }
            int head = network.headOffset(), headBias = head + options.hidden() * v;
            for (int i = head; i < headBias; i++) {
                params[i] = (float) (0.01 * random.nextGaussian());
            }
        }
        this.optimizer = new Adagrad(network.size(), options.learningRate());
        this.grads = new float[network.size()];
        this.h = new float[shape.stateLength()]; // h (and the LSTM's c) of every layer and stream
        this.inputs = new int[options.sequence() * options.batch()];
        this.targets = new int[options.sequence() * options.batch()];
        this.positions = new int[options.batch()];
        this.sampleRandom = new Random(options.seed() + 1);
        this.smoothLoss = -Math.log(1.0 / v) * options.sequence();
    }

    /** @return the vocabulary size V */
    public int vocabularySize() {
        return vocabulary.length;
    }

    /** @return the parameters (the model's one array, updated in place) */
    public float[] parameters() {
        return params;
    }

    /** @return the network being trained */
    public Network network() {
        return network;
    }

    /** @return the vocabulary as one string, its characters in order (what the checkpoint stores) */
    public String vocabularyText() {
        StringBuilder vocab = new StringBuilder();
        for (int c : vocabulary) {
            vocab.appendCodePoint(c);
        }
        return vocab.toString();
    }

    /** @return min-char-rnn's smoothed loss after the last iteration */
    public double smoothLoss() {
        return smoothLoss;
    }

    /**
     * One iteration of min-char-rnn: reset at the end of the text (or at the start), train on the
     * next chunk, smooth the loss, advance the pointer.
     *
     * @return this chunk's loss, summed over its steps and averaged over the streams
     */
    public double step() {
        if (pointer + options.sequence() + 1 >= segment || iteration == 0) {
            Arrays.fill(h, 0f);
            pointer = 0;
        }
        for (int b = 0; b < positions.length; b++) {
            positions[b] = b * segment + pointer;
        }
        int batch = options.batch();
        for (int t = 0; t < options.sequence(); t++) {
            for (int b = 0; b < batch; b++) {
                inputs[t * batch + b] = data[positions[b] + t];
                targets[t * batch + b] = data[positions[b] + t + 1];
            }
        }
        Arrays.fill(grads, 0f);
        double loss = network.trainTokens(params, inputs, options.sequence(), null, targets, grads, h) / batch;
        if (options.clip() > 0) {
            Clipping.clipElementwise(grads, options.clip());
        }
        optimizer.step(params, grads);
        smoothLoss = smoothLoss * 0.999 + loss * 0.001;
        pointer += options.sequence();
        iteration++;
        return loss;
    }

    /** A sample of {@code length} characters from stream 0's state, starting after its current character. */
    public String sample(int length) {
        // Stream 0's state: row 0 of each B x H block (h of every layer, then the LSTM's c).
        int hid = options.hidden(), blocks = sampler.shape().stateLength() / hid;
        float[] state = new float[blocks * hid];
        for (int block = 0; block < blocks; block++) {
            System.arraycopy(h, block * options.batch() * hid, state, block * hid, hid);
        }
        float[] p = new float[vocabulary.length];
        int[] token = {data[Math.min(pointer, segment - 1)]}; // stream 0's next input, as min-char-rnn's inputs[0]
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sampler.predictTokens(params, token, 1, null, state, p);
            double u = sampleRandom.nextDouble();
            int next = p.length - 1;
            double cumulative = 0;
            for (int c = 0; c < p.length; c++) {
                cumulative += p[c];
                if (u < cumulative) {
                    next = c;
                    break;
                }
            }
            out.appendCodePoint(vocabulary[next]);
            token[0] = next;
        }
        return out.toString();
    }

    /**
     * Trains as the options say, printing min-char-rnn's lines, and saves the checkpoint. The speed
     * it reports leaves out the first {@value #WARM_UP} iterations, where the JIT is still compiling
     * the kernels (they run many times slower then, and the scalar reference can be faster).
     */
    public void run() throws IOException {
        long start = System.nanoTime();
        long last = start, warm = 0;
        for (int n = 0; n < options.iterations(); n++) {
            if (options.sampleEvery() > 0 && n % options.sampleEvery() == 0 && n > 0) {
                System.out.println("----\n" + sample(200) + "\n----");
            }
            if (n == WARM_UP) {
                warm = System.nanoTime();
            }
            step();
            if (n % 100 == 0) {
                long now = System.nanoTime();
                String rate = n == 0 ? String.format(Locale.ROOT, "first iteration: %.0f ms", (now - start) / 1e6) : String.format(Locale.ROOT, "%.0f iterations/s", 100 / ((now - last) / 1e9));
                last = now;
                System.out.printf(Locale.ROOT, "iter %d, loss: %f   (%s)%n", n, smoothLoss, rate);
            }
        }
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        String steady = options.iterations() > WARM_UP
                ? String.format(Locale.ROOT, "%.0f iterations/s after the first %d (JIT warm-up)",
                (options.iterations() - WARM_UP) / ((end - warm) / 1e9), WARM_UP)
                : "too few iterations to leave out the JIT's warm-up";
        System.out.printf(Locale.ROOT, "%d iterations in %.1f s: %s (%s, L = %d, B = %d, H = %d, V = %d)%n",
                options.iterations(), seconds, steady, options.implementation() + " " + options.cell(),
                options.layers(), options.batch(), options.hidden(), vocabulary.length);
        if (options.sampleEvery() > 0) {
            System.out.println("----\n" + sample(200) + "\n----");
        }
        if (options.save() != null) {
            NetworkCheckpoint.save(options.save(), network, params, null, Map.of("vocabulary", vocabularyText(),
                    "iterations", "" + options.iterations(), "smooth_loss", "" + smoothLoss));
            System.out.println("saved " + options.save());
        }
    }

    /** Parses the command line (see the class comment). */
    public static Options parse(String[] args) {
        Path text = null;
        Options o = Options.defaults(null);
        int iterations = o.iterations(), hidden = o.hidden(), sequence = o.sequence(), batch = o.batch(), sampleEvery = o.sampleEvery();
        long seed = o.seed();
        float lr = o.learningRate();
        Path init = null, save = o.save();
        Implementation implementation = o.implementation();
        String cell = o.cell();
        int layers = o.layers();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--text" -> text = Path.of(value);
                case "--iters" -> iterations = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--init" -> init = Path.of(value);
                case "--save" -> save = value.isEmpty() ? null : Path.of(value);
                case "--hidden" -> hidden = Integer.parseInt(value);
                case "--seq" -> sequence = Integer.parseInt(value);
                case "--lr" -> lr = Float.parseFloat(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--sample-every" -> sampleEvery = Integer.parseInt(value);
                case "--impl" -> implementation = Implementation.named(value);
                case "--cell" -> cell = LayerShape.named(value, 1, 1, 1, 1).cellName(); // checks the name
                case "--layers" -> layers = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + flag + " (see CharModel's documentation)");
            }
        }
        if (text == null) {
            throw new IllegalArgumentException("--text FILE is required");
        }
        return new Options(text, iterations, seed, init, save, hidden, sequence, lr, o.clip(), batch, sampleEvery, implementation, cell,
                layers);
    }

    /** Entry point: {@code CharModel --text FILE [options]}. */
    public static void main(String[] args) throws IOException {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("CharModel: " + e.getMessage());
            System.err.println("usage: CharModel --text FILE [--iters N] [--seed S] [--init CKPT] [--save CKPT] [--hidden H] [--seq T] [--lr LR] [--batch B] [--sample-every N] [--impl simd|reference] [--cell rnn_tanh|rnn_relu|lstm|gru] [--layers L]");
            System.exit(2);
            return;
        }
        String text = Files.readString(options.text(), StandardCharsets.UTF_8);
        CharModel model;
        try {
            model = new CharModel(text, options);
        } catch (IllegalArgumentException e) { // a text too short, a checkpoint of another vocabulary or shape
            System.err.println("CharModel: " + e.getMessage());
            System.exit(2);
            return;
        }
        model.run();
    }
}
