package dev.thimble.ops;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;

/**
 * Masked (sampled) products that compute only where a pattern or mask says: SDDMM
 * {@code (X·Yᵀ)} at the entries of a CSR pattern, its transposed form {@code (Xᵀ·Y)} (the weight
 * gradient of a sparse linear layer), and a masked dense GEMM.
 *
 * <p>Methods without a context use {@link KernelContext#global()}.
 */
public final class SddmmOps {
    private SddmmOps() {
    }

    /** {@code out = (X·Yᵀ)} at the stored entries of {@code out}. */
    public static CsrF32 sample(DenseF32 x, DenseF32 y, CsrF32 out) {
        return sample(KernelContext.global(), 1f, x, y, 0f, out);
    }

    /**
     * {@code out(i,j) = α·(X·Yᵀ)(i,j) + β·out(i,j)} for every stored (i, j) of {@code out}.
     *
     * @param x (Input) m×d. Not modified.
     * @param y (Input) n×d. Not modified.
     * @param out (Input/Output) m×n: its structure is the pattern (not modified), its values are written.
     * @return out
     */
    public static CsrF32 sample(KernelContext ctx, float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out) {
        String op = "SDDMM out = (X·Yᵀ) at pattern";
        Checks.alive(x, y, out);
        Checks.matrix(op, "X", x);
        Checks.matrix(op, "Y", y);
        Checks.dims(op, "X and Y must have the same number of columns", x.cols(), y.cols(), x, y, out);
        Checks.dims(op, "pattern rows must equal X rows", x.rows(), out.rows(), x, y, out);
        Checks.dims(op, "pattern columns must equal Y rows", y.rows(), out.cols(), x, y, out);
        Checks.noOverlap(op, "values", out.valuesSegment(), "X", x.segment());
        Checks.noOverlap(op, "values", out.valuesSegment(), "Y", y.segment());
        ctx.forRowsByNnz(out, (long) out.nnz() * x.cols(),
                (s, e) -> ctx.kernels().sddmm(alpha, x, y, beta, out, s, e));
        return out;
    }

    /** {@code out = (Xᵀ·Y)} at the stored entries of {@code out}. */
    public static CsrF32 sampleTransposed(DenseF32 x, DenseF32 y, CsrF32 out) {
        return sampleTransposed(KernelContext.global(), 1f, x, y, 0f, out);
    }

    /**
     * {@code out(i,j) = α·(Xᵀ·Y)(i,j) + β·out(i,j)} for every stored (i, j): with X the output
     * gradient (batch × out) and Y the input (batch × in) of {@code Y = X·Wᵀ}, this is the gradient
     * of the sparse weights W.
     *
     * @param x (Input) d×m. Not modified.
     * @param y (Input) d×n. Not modified.
     * @param out (Input/Output) m×n pattern; its values are written.
     * @return out
     */
    public static CsrF32 sampleTransposed(KernelContext ctx, float alpha, DenseF32 x, DenseF32 y, float beta,
            CsrF32 out) {
        String op = "SDDMM out = (Xᵀ·Y) at pattern";
        Checks.alive(x, y, out);
        Checks.matrix(op, "X", x);
        Checks.matrix(op, "Y", y);
        Checks.dims(op, "X and Y must have the same number of rows", x.rows(), y.rows(), x, y, out);
        Checks.dims(op, "pattern rows must equal X columns", x.cols(), out.rows(), x, y, out);
        Checks.dims(op, "pattern columns must equal Y columns", y.cols(), out.cols(), x, y, out);
        Checks.noOverlap(op, "values", out.valuesSegment(), "X", x.segment());
        Checks.noOverlap(op, "values", out.valuesSegment(), "Y", y.segment());
        ctx.forRowsByNnz(out, (long) out.nnz() * x.rows(),
                (s, e) -> ctx.kernels().sddmmTransposed(alpha, x, y, beta, out, s, e));
        return out;
    }

    /** {@code C = (A·B) ⊙ mask}: entries where the mask is unset become 0. */
    public static DenseF32 maskedGemm(DenseF32 a, DenseF32 b, BitMask mask, DenseF32 c) {
        return maskedGemm(KernelContext.global(), 1f, a, b, mask, 0f, c);
    }

    /**
     * {@code C(i,j) = α·(A·B)(i,j) + β·C(i,j)} where the mask is set, {@code β·C(i,j)} elsewhere.
     *
     * @param a (Input) m×k. Not modified.
     * @param b (Input) k×n. Not modified.
     * @param mask (Input) m×n (any shape with m·n bits). Not modified.
     * @param c (Output) m×n; must not overlap A or B.
     * @return c
     */
    public static DenseF32 maskedGemm(KernelContext ctx, float alpha, DenseF32 a, DenseF32 b, BitMask mask,
            float beta, DenseF32 c) {
        String op = "masked GEMM C = (A·B) ⊙ M";
        Checks.alive(a, b, mask, c);
        Checks.matrix(op, "A", a);
        Checks.matrix(op, "B", b);
        Checks.matrix(op, "C", c);
        Checks.dims(op, "A columns must equal B rows", a.cols(), b.rows(), a, b, c);
        Checks.dims(op, "C rows must equal A rows", a.rows(), c.rows(), a, b, c);
        Checks.dims(op, "C columns must equal B columns", b.cols(), c.cols(), a, b, c);
        Checks.sameSize(op, c, mask);
        Checks.noOverlap(op, "C", c.segment(), "A", a.segment());
        Checks.noOverlap(op, "C", c.segment(), "B", b.segment());
        long work = (long) (mask.density() * a.rows() * a.cols() * b.cols());
        ctx.forRows(a.rows(), work, (s, e) -> ctx.kernels().maskedGemm(alpha, a, b, mask, beta, c, s, e));
        return c;
    }
}
