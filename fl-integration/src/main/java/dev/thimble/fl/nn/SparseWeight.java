package dev.thimble.fl.nn;

import dev.thimble.ops.FormatOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A layer's weight matrix W [rows, cols] restricted to a mask and kept in CSR for the sparse
 * kernels: W itself (forward), its transpose (input gradient of a convolution) and a pattern for
 * the sampled weight gradient. The dense weights stay the trained variable; {@link #refresh}
 * gathers their values at the pattern (O(nnz)) before each forward pass, and
 * {@link #addGradientTo} scatters the sampled gradient back, so pruned weights get exactly zero
 * gradient. Memory: three CSR copies of the pattern (about 3·8 bytes per kept weight) and an
 * int per kept weight mapping the transpose to W; for a network built for inference only, W alone
 * (the transpose and the gradient pattern serve back-propagation).
 */
final class SparseWeight implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final CsrF32 weights;
    private final CsrF32 transposed;
    private final CsrF32 gradient;
    private final int[] transposedFrom; // position in weights of each position of transposed

    SparseWeight(TensorArena arena, DenseF32 dense, BitMask mask, boolean forBackward) {
        this.weights = FormatOps.toCsr(arena, dense, mask);
        if (!forBackward) {
            this.transposed = null;
            this.gradient = null;
            this.transposedFrom = new int[0];
            return;
        }
        this.transposed = FormatOps.transpose(arena, weights);
        this.gradient = arena.csrLike(weights);
        this.transposedFrom = new int[weights.nnz()];
        // the transpose lists column j's entries in increasing row order, as this walk meets them
        int[] cursor = new int[transposed.rows()];
        for (int j = 0; j < cursor.length; j++) {
            cursor[j] = transposed.rowStart(j);
        }
        for (int i = 0; i < weights.rows(); i++) {
            for (int p = weights.rowStart(i); p < weights.rowStart(i + 1); p++) {
                transposedFrom[cursor[weights.colIndex(p)]++] = p;
            }
        }
    }

    /** W at the pattern, values current after {@link #refresh}. */
    CsrF32 weights() {
        return weights;
    }

    /** Wᵀ at the pattern, values current after {@link #refresh}. */
    CsrF32 transposed() {
        return requireBackward(transposed);
    }

    /** The pattern whose values a sampled product fills with the weight gradient. */
    CsrF32 gradient() {
        return requireBackward(gradient);
    }

    private static CsrF32 requireBackward(CsrF32 m) {
        if (m == null) {
            throw new IllegalStateException("the network was built for inference only: no backward pass");
        }
        return m;
    }

    /** Copies the dense weights' values at the pattern into W and Wᵀ. */
    void refresh(DenseF32 dense) {
        MemorySegment src = dense.segment();
        int cols = weights.cols();
        for (int i = 0; i < weights.rows(); i++) {
            for (int p = weights.rowStart(i); p < weights.rowStart(i + 1); p++) {
                weights.setValue(p, src.getAtIndex(F, (long) i * cols + weights.colIndex(p)));
            }
        }
        for (int q = 0; q < transposedFrom.length; q++) {
            transposed.setValue(q, weights.value(transposedFrom[q]));
        }
    }

    /** Adds the sampled gradient to the dense gradient at the pattern's positions. */
    void addGradientTo(DenseF32 denseGrad) {
        MemorySegment g = denseGrad.segment();
        int cols = gradient.cols();
        for (int i = 0; i < gradient.rows(); i++) {
            for (int p = gradient.rowStart(i); p < gradient.rowStart(i + 1); p++) {
                long o = (long) i * cols + gradient.colIndex(p);
                g.setAtIndex(F, o, g.getAtIndex(F, o) + gradient.value(p));
            }
        }
    }

    /** Kept weights. */
    int nnz() {
        return weights.nnz();
    }

    @Override
    public void close() {
        weights.close();
        if (transposed != null) {
            transposed.close();
            gradient.close();
        }
    }
}
