package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.bptt4j.ComputePool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A big product split over a pool gives the bits of the same product on the calling thread, for
 * splits by column parts of whole groups, by ranges of rows, and both, and for the adding products
 * (the weight gradients) through their staging: a part that missed a tile, did one twice, or
 * packed a group of panels it then read at the wrong place would change C.
 */
class ProductSplitTest {
    private static float[] random(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    private static Product[] parts(int count, int maxK, int maxN) {
        Product[] parts = new Product[count];
        for (int i = 0; i < count; i++) {
            parts[i] = new Product(new float[MatMul.packLength(maxK, maxN)]);
        }
        return parts;
    }

    /** @return whether a part other than the first packed anything into its buffer (clearing them all for the next run) */
    private static boolean othersRan(Product[] parts) {
        boolean ran = false;
        for (int p = 0; p < parts.length; p++) {
            for (int i = 0; i < parts[p].pack.length; i++) {
                ran |= p > 0 && parts[p].pack[i] != 0;
                parts[p].pack[i] = 0;
            }
        }
        return ran;
    }

    // m x n x k: the vanilla cell's input projection at B = 64, H = 512 (at 512 bits, 2 column parts
    // of whole groups x 4 ranges of rows on 2 threads, 4 column parts x 12 ranges on 16), B = 32, H = 256,
    // a GRU's (whose column parts on 16 threads are not whole groups), sizes off every block, a
    // k beyond K_BLOCK (one column block at a time: split by blocks first), and one whose A has
    // more than MatMul.CHUNKS_FIRST_FLOATS (each part runs its chunks of k over all its columns).
    @ParameterizedTest(name = "C = A B, {0} x {1} x {2}")
    @CsvSource({"4096,512,512", "2048,256,256", "4096,1536,512", "1001,200,37", "777,130,301", "640,96,1100", "4096,200,1100"})
    void aSplitProductHasTheBitsOfOneThread(int m, int n, int k) {
        float[] a = random(m * k, 1), b = random(k * n, 2);
        float[] one = new float[m * n];
        Product[] parts = parts(64, k, n);
        new Product(new float[MatMul.packLength(k, n)]).size(m, n, k).a(a, 0, k).b(b, 0, n).c(one, 0, n).run();
        for (int threads : new int[] {2, 3, 16}) {
            try (ComputePool pool = ComputePool.create(threads)) {
                float[] many = new float[m * n];
                Product product = new Product(null).size(m, n, k).a(a, 0, k).b(b, 0, n).c(many, 0, n);
                new ProductSplit(parts).run(pool, product, null);
                assertTrue(othersRan(parts), "a part other than the first packed its panels at " + threads + " threads");
                assertArrayEquals(one, many, threads + " threads");
            }
        }
    }

    // m x n, k = T*B: the weight gradients of a vanilla cell, a GRU and an LSTM at H = 512 over
    // 1024 rows, and sizes off every block.
    @ParameterizedTest(name = "C += A^T B, {0} x {1}, k = {2}")
    @CsvSource({"512,512,1024", "512,1536,1024", "512,2048,1024", "200,330,777"})
    void aSplitWeightGradientHasTheBitsOfOneThread(int m, int n, int k) {
        float[] a = random(k * m, 3), b = random(k * n, 4), start = random(m * n, 5);
        float[] staging = new float[Math.toIntExact(MatMul.stagingLength(m, n))];
        Product[] parts = parts(64, k, n);
        float[] one = start.clone();
        new Product(new float[MatMul.packLength(k, n)]).size(m, n, k).aTransposed(a, 0, m).b(b, 0, n).c(one, 0, n)
                .runAdding(staging);
        for (int threads : new int[] {2, 3, 16}) {
            try (ComputePool pool = ComputePool.create(threads)) {
                float[] many = start.clone();
                Product product = new Product(null).size(m, n, k).aTransposed(a, 0, m).b(b, 0, n).c(many, 0, n);
                new ProductSplit(parts).run(pool, product, staging);
                assertTrue(othersRan(parts), "a part other than the first packed its panels at " + threads + " threads");
                assertArrayEquals(one, many, threads + " threads");
            }
        }
    }
}
