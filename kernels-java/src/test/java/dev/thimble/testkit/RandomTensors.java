package dev.thimble.testkit;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded random tensors for tests: values in [-1, 1), chosen sparsity, some rows left empty. */
public final class RandomTensors {
    private final SplittableRandom rng;

    /** A generator with a fixed seed, so every failure reproduces. */
    public RandomTensors(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** A uniform value in [-1, 1). */
    public float value() {
        return (float) (rng.nextDouble() * 2 - 1);
    }

    /** A random int in [0, bound). */
    public int nextInt(int bound) {
        return rng.nextInt(bound);
    }

    /** A dense tensor with uniform values. */
    public DenseF32 dense(TensorArena arena, int... shape) {
        DenseF32 t = arena.dense(shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, value());
        }
        return t;
    }

    /**
     * A CSR matrix where each entry is stored with probability {@code 1 − sparsity}; when
     * {@code sparsity} is strictly between 0 and 1, every third row is left empty so that kernels
     * meet empty rows.
     */
    public CsrF32 csr(TensorArena arena, int rows, int cols, double sparsity) {
        int[] rowPtr = new int[rows + 1];
        int[] cols1 = new int[Math.toIntExact(Math.min((long) rows * cols, Integer.MAX_VALUE - 8))];
        float[] vals = new float[cols1.length];
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            boolean empty = sparsity > 0 && sparsity < 1 && r % 3 == 2;
            for (int c = 0; c < cols && !empty; c++) {
                if (sparsity == 0 || (sparsity < 1 && rng.nextDouble() >= sparsity)) {
                    cols1[nnz] = c;
                    vals[nnz++] = value();
                }
            }
            rowPtr[r + 1] = nnz;
        }
        return arena.csr(rows, cols, rowPtr, Arrays.copyOf(cols1, nnz), Arrays.copyOf(vals, nnz));
    }

    /** A BSR matrix where each block is stored with probability {@code 1 − sparsity}; padding is 0. */
    public BsrF32 bsr(TensorArena arena, int rows, int cols, int b, double sparsity) {
        int blockRows = (rows + b - 1) / b;
        int blockCols = (cols + b - 1) / b;
        int[] ptr = new int[blockRows + 1];
        int[] idx = new int[blockRows * blockCols];
        float[] vals = new float[blockRows * blockCols * b * b];
        int nb = 0;
        for (int br = 0; br < blockRows; br++) {
            for (int bc = 0; bc < blockCols; bc++) {
                if (sparsity == 0 || (sparsity < 1 && rng.nextDouble() >= sparsity)) {
                    idx[nb] = bc;
                    for (int r = 0; r < b; r++) {
                        for (int c = 0; c < b; c++) {
                            boolean inside = br * b + r < rows && bc * b + c < cols;
                            vals[(nb * b + r) * b + c] = inside ? value() : 0f;
                        }
                    }
                    nb++;
                }
            }
            ptr[br + 1] = nb;
        }
        return arena.bsr(rows, cols, b, ptr, Arrays.copyOf(idx, nb), Arrays.copyOf(vals, nb * b * b));
    }

    /** A mask with each bit set with probability {@code density}. */
    public BitMask mask(TensorArena arena, double density, int... shape) {
        BitMask m = arena.mask(shape);
        for (long i = 0; i < m.size(); i++) {
            m.set(i, density >= 1 || (density > 0 && rng.nextDouble() < density));
        }
        return m;
    }
}
