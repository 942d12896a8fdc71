package org.bptt4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.bptt4j.Implementation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SentimentTest {

    @Test
    void everySentenceFollowsTheDocumentedRules() {
        List<String> vocabulary = Sentiment.vocabulary();
        for (Sentiment.Example e : Sentiment.generate(new Random(5), 2000)) {
            assertTrue(e.tokens().length >= 3 && e.tokens().length <= Sentiment.MAX_WORDS, "length " + e.tokens().length);
            int phrases = 0;
            int filler = 0;
            for (int i = 0; i < e.tokens().length; i++) {
                String w = vocabulary.get(e.tokens()[i]);
                if (Sentiment.NEGATIONS.contains(w)) {
                    String next = vocabulary.get(e.tokens()[i + 1]); // a negation always has its word after it
                    boolean positive = Sentiment.POSITIVE.contains(next);
                    assertTrue(positive || Sentiment.NEGATIVE.contains(next), Sentiment.words(e));
                    assertEquals(positive ? 0 : 1, e.label(), "negated phrase in: " + Sentiment.words(e));
                    phrases++;
                    i++;
                } else if (Sentiment.POSITIVE.contains(w) || Sentiment.NEGATIVE.contains(w)) {
                    assertEquals(Sentiment.POSITIVE.contains(w) ? 1 : 0, e.label(), "plain phrase in: " + Sentiment.words(e));
                    phrases++;
                } else {
                    assertTrue(Sentiment.FILLER.contains(w));
                    filler++;
                }
            }
            assertTrue(phrases == 1 || phrases == 2, Sentiment.words(e));
            assertTrue(filler >= 2 && filler <= 10, Sentiment.words(e));
        }
    }

    @Test
    void theClassifierReachesNinetyFivePercentOnHeldOutSentences() {
        double accuracy = Sentiment.run(Sentiment.Options.defaults(), false).accuracy();
        assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru"})
    void theGatedClassifiersLearnTheTaskToo(String cell) {
        double accuracy = Sentiment.run(new Sentiment.Options(1, 4000, 1000, 15, 0.003f, Implementation.SIMD, cell, 1, false), false)
                .accuracy();
        assertTrue(accuracy >= 0.95, cell + " held-out accuracy " + accuracy);
    }

    @Test
    void aStackedBidirectionalLstmLearnsItAndClassifiesTypedSentences() {
        Sentiment.Trained trained = Sentiment.run(new Sentiment.Options(1, 4000, 1000, 8, 0.003f, Implementation.SIMD, "lstm", 2, true), false);
        assertTrue(trained.accuracy() >= 0.95, "held-out accuracy " + trained.accuracy());
        double[] p = trained.classify(java.util.List.of("the acting was not bad", "a dull boring film", "zebra xylophone"));
        assertTrue(p[0] > 0.5, "not bad is positive: " + p[0]);
        assertTrue(p[1] < 0.5, "dull boring is negative: " + p[1]);
        assertTrue(Double.isNaN(p[2]), "no known word");
    }
}
