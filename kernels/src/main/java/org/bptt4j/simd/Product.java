package org.bptt4j.simd;

import org.bptt4j.simd.MatMul.Start;

/**
 * One matrix product for {@link MatMul}, {@code C (m x n) = start + A (m x k) B (k x n)}, with each
 * operand named where it is set:
 * <pre>{@code
 * product.size(rows, hid, in).a(x, 0, in).b(params, wx, gh).c(gates, 0, gh).startFromRows(params, bias, 0).run();
 * }</pre>
 * A descriptor is filled and run, then filled again for the next product: one lives in each
 * workspace, so that no call allocates. Not thread-safe, as the workspace that holds it.
 *
 * <p>Layouts: B and C row-major with row lengths {@code ldb} and {@code ldc}; A row-major
 * ({@link #a}), the transpose of a row-major matrix ({@link #aTransposed}), or a row of ones
 * ({@link #aOnes}: column sums as a product).
 */
final class Product {
    /**
     * The scratch B's panels are packed into (see {@link MatMul}), this descriptor's own: the
     * {@link #packLength} floats of {@code pack} from {@link #packOrigin}; null: none, no packing.
     */
    final float[] pack;
    final int packOrigin, packLength;
    int m, n, k;
    float[] a;
    int aOff, aRow, aCol;
    float[] b;
    int bOff, ldb;
    float[] c;
    int cOff, ldc;
    Start start = Start.ZERO;
    float[] u;
    int uOff, ldu;

    /**
     * A descriptor with its own pack buffer.
     *
     * @param pack {@link MatMul#packLength} floats for the longest k and the widest C it will run
     *             (a smaller buffer packs fewer panels at a time; null: no packing, and no 6-row tiles)
     */
    Product(float[] pack) {
        this(pack, 0, pack == null ? 0 : pack.length);
    }

    /**
     * A descriptor whose pack buffer is {@code length} floats of {@code pack} from {@code origin}
     * (a part of a larger array, where its alignment is known: see {@link SimdWorkspace#ORIGIN}).
     */
    Product(float[] pack, int origin, int length) {
        this.pack = pack;
        this.packOrigin = origin;
        this.packLength = length;
    }

    /** C is m x n; the sum runs over k. Sets the start to zero. */
    Product size(int m, int n, int k) {
        this.m = m;
        this.n = n;
        this.k = k;
        return startZero();
    }

    /** A is row-major: {@code A(i, p) = a[off + i*ld + p]}. */
    Product a(float[] a, int off, int ld) {
        return aStrided(a, off, ld, 1);
    }

    /** A is the transpose of the row-major k x m matrix at {@code off}: {@code A(i, p) = a[off + p*ld + i]}. */
    Product aTransposed(float[] a, int off, int ld) {
        return aStrided(a, off, 1, ld);
    }

    /** A is a 1 x k row of ones: C gets the column sums of B. */
    Product aOnes() {
        return aStrided(MatMul.ONE, 0, 0, 0);
    }

    private Product aStrided(float[] a, int off, int row, int col) {
        this.a = a;
        this.aOff = off;
        this.aRow = row;
        this.aCol = col;
        return this;
    }

    /** B is row-major: {@code B(p, j) = b[off + p*ld + j]}. */
    Product b(float[] b, int off, int ld) {
        this.b = b;
        this.bOff = off;
        this.ldb = ld;
        return this;
    }

    /** C is row-major: {@code C(i, j) = c[off + i*ld + j]}. */
    Product c(float[] c, int off, int ld) {
        this.c = c;
        this.cOff = off;
        this.ldc = ld;
        return this;
    }

    /** {@code C = A B}. */
    Product startZero() {
        this.start = Start.ZERO;
        this.u = null;
        return this;
    }

    /** {@code C = C + A B}: continues the sums C holds. */
    Product startFromC() {
        this.start = Start.C;
        this.u = null;
        return this;
    }

    /** {@code C = U + A B}, {@code U(i, j) = u[off + i*ld + j]}; with {@code ld = 0} one row (a bias) for every row. */
    Product startFromRows(float[] u, int off, int ld) {
        this.start = Start.ROWS;
        this.u = u;
        this.uOff = off;
        this.ldu = ld;
        return this;
    }

    /** Computes C. */
    void run() {
        MatMul.multiply(this);
    }

    /**
     * Adds the product to C: {@code C += A B}, each element's sum complete before it is added (see
     * {@link MatMul#multiplyAdd}); {@code staging} holds m*n floats of running sums.
     */
    void runAdding(float[] staging) {
        MatMul.multiplyAdd(this, staging);
    }
}
