package dev.thimble.bench;

import dev.thimble.ops.FormatOps;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded benchmark operands, shaped as in shared/docs/performance.md §3. */
final class Inputs {
    private Inputs() {
    }

    /** {@code "4096x128"} → {M = K = 4096, N = 128}. */
    static int[] shape(String mkByN) {
        String[] parts = mkByN.split("x");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    /** A dense matrix with uniform values in [-1, 1). */
    static DenseF32 dense(TensorArena arena, SplittableRandom rnd, int rows, int cols) {
        float[] v = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return arena.dense(v, rows, cols);
    }

    /** Uniform random sparsity: each entry is stored with probability {@code 1 − sparsity}. */
    static CsrF32 csr(TensorArena arena, SplittableRandom rnd, int rows, int cols, double sparsity) {
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[(int) Math.min(Integer.MAX_VALUE - 8, (long) (rows * (double) cols * (1 - sparsity) * 1.1) + 16)];
        float[] values = new float[colIdx.length];
        int nnz = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (rnd.nextDouble() >= sparsity) {
                    if (nnz == colIdx.length) {
                        colIdx = Arrays.copyOf(colIdx, nnz * 2);
                        values = Arrays.copyOf(values, nnz * 2);
                    }
                    colIdx[nnz] = j;
                    values[nnz++] = (float) (rnd.nextDouble() * 2 - 1);
                }
            }
            rowPtr[i + 1] = nnz;
        }
        return arena.csr(rows, cols, rowPtr, Arrays.copyOf(colIdx, nnz), Arrays.copyOf(values, nnz));
    }

    /**
     * Uniform random block sparsity: each b×b tile is stored, full, with probability
     * {@code 1 − sparsity} (the "BSR-b" rows of performance.md §3).
     */
    static BsrF32 bsr(TensorArena arena, SplittableRandom rnd, int rows, int cols, int b, double sparsity) {
        try (DenseF32 d = arena.dense(rows, cols)) {
            for (int br = 0; br < rows; br += b) {
                for (int bc = 0; bc < cols; bc += b) {
                    if (rnd.nextDouble() >= sparsity) {
                        for (int r = br; r < Math.min(br + b, rows); r++) {
                            for (int c = bc; c < Math.min(bc + b, cols); c++) {
                                // never exactly 0, so every tile stays full
                                d.set(r, c, (float) (rnd.nextDouble() + 0.5) * (rnd.nextBoolean() ? 1 : -1));
                            }
                        }
                    }
                }
            }
            return FormatOps.toBsr(arena, d, b);
        }
    }

    /**
     * Checks a product against a double-precision reference on a sample of rows (a full reference
     * would take longer than the benchmark): fails when an element is off by more than the
     * float-summation bound {@code 2(k+2)u·Σ|terms|}.
     */
    static void checkRows(String what, RowOracle oracle, DenseF32 c, int samples, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = c.cols();
        double worst = 0;
        for (int s = 0; s < samples; s++) {
            int i = rnd.nextInt(c.rows());
            double[] value = new double[n];
            double[] magnitude = new double[n];
            int terms = oracle.row(i, value, magnitude);
            for (int j = 0; j < n; j++) {
                double err = Math.abs(c.get(i, j) - value[j]);
                double bound = 2 * (terms + 2) * 0x1p-24 * magnitude[j] + Float.MIN_NORMAL;
                if (!(err <= bound)) {
                    throw new IllegalStateException(what + ": C(" + i + ", " + j + ") = " + c.get(i, j) + ", expected "
                            + value[j] + " ± " + bound);
                }
                worst = Math.max(worst, err / bound);
            }
        }
        System.out.printf("%n[check] %s: %d sampled rows within bounds (worst %.2f of the bound)%n", what, samples,
                worst);
    }

    /** Computes row i of an exact product into value[] and Σ|terms| into magnitude[]; returns the term count. */
    interface RowOracle {
        int row(int i, double[] value, double[] magnitude);
    }
}
