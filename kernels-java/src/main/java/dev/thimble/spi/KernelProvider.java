package dev.thimble.spi;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;

/**
 * The kernels one implementation (scalar, Vector API, native, BLAS…) provides.
 *
 * <p><b>Contract.</b> Implementations do not check it: the public facades in
 * {@code dev.thimble.ops} validate shapes, liveness and aliasing before calling here. All dense
 * operands are row-major matrices (or flat vectors for the element-wise kernels); sparse operands
 * satisfy their {@code checkStructure()} invariants (a sealed structure cannot change afterwards;
 * a provider that cannot afford to trust an unsealed one calls {@code checkStructure()}); outputs
 * do not overlap inputs. Matrix kernels
 * compute a range of output rows so that the caller can split work across threads; two calls with
 * disjoint ranges never write the same memory. Following BLAS, when {@code beta == 0} an output is
 * written without being read (it may hold NaN), and masked-out entries become {@code beta·old}
 * (so 0 when {@code beta == 0}).
 *
 * <p><b>Discovery.</b> Providers are found with {@link java.util.ServiceLoader}; a provider that
 * cannot run on this machine throws {@link UnsupportedOperationException} from its constructor,
 * with the reason, and the lookup falls back to the next one. A provider that accelerates only
 * some kernels extends {@link ForwardingKernelProvider}: the kernels it does not override run on
 * the next provider below it by priority.
 */
public interface KernelProvider {

    /** Short name used by {@code -Dthimble.kernels=NAME}, e.g. {@code scalar}, {@code panama}. */
    String name();

    /** One line on what runs, e.g. {@code "Vector API, 512-bit FloatVector"}. */
    String description();

    /** Higher wins when the lookup picks automatically. */
    int priority();

    // ------------------------------------------------------------------ SpMM

    /**
     * CSR SpMM on output rows {@code [rowStart, rowEnd)}: {@code C = alpha·A·B + beta·C}.
     *
     * @param a (Input) m×k
     * @param b (Input) k×n dense
     * @param c (Output) m×n dense
     */
    void spmmCsr(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd);

    /**
     * BSR SpMM on block rows {@code [blockRowStart, blockRowEnd)}: {@code C = alpha·A·B + beta·C};
     * only the rows of C inside the matrix ({@code < a.rows()}) are written.
     *
     * @param a (Input) m×k with blocks of 4, 8 or 16
     * @param b (Input) k×n dense
     * @param c (Output) m×n dense
     */
    void spmmBsr(float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c, int blockRowStart, int blockRowEnd);

    /**
     * Dense times sparse-transpose on rows {@code [rowStart, rowEnd)} of X:
     * {@code Y = alpha·X·Wᵀ + beta·Y} (the forward pass of a linear layer with sparse weights).
     *
     * @param x (Input) m×k dense
     * @param w (Input) n×k CSR
     * @param y (Output) m×n dense
     */
    void denseTimesCsrT(float alpha, DenseF32 x, CsrF32 w, float beta, DenseF32 y, int rowStart, int rowEnd);

    /**
     * Dense times sparse on rows {@code [rowStart, rowEnd)} of G: {@code D = alpha·G·W + beta·D}
     * (the input gradient of a linear layer with sparse weights).
     *
     * @param g (Input) m×n dense
     * @param w (Input) n×k CSR
     * @param d (Output) m×k dense
     */
    void denseTimesCsr(float alpha, DenseF32 g, CsrF32 w, float beta, DenseF32 d, int rowStart, int rowEnd);

    // ------------------------------------------------------------------ SDDMM

    /**
     * SDDMM on pattern rows {@code [rowStart, rowEnd)}: for each stored (i, j) of {@code out},
     * {@code out(i,j) = alpha·(X·Yᵀ)(i,j) + beta·out(i,j)}; nothing else is computed.
     *
     * @param x (Input) m×d dense
     * @param y (Input) n×d dense
     * @param out (Input/Output) m×n CSR: its structure is the pattern, its values are written
     */
    void sddmm(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd);

    /**
     * Transposed SDDMM on pattern rows {@code [rowStart, rowEnd)}: for each stored (i, j),
     * {@code out(i,j) = alpha·(Xᵀ·Y)(i,j) + beta·out(i,j)} (the weight gradient of a sparse linear layer).
     *
     * @param x (Input) d×m dense
     * @param y (Input) d×n dense
     * @param out (Input/Output) m×n CSR pattern
     */
    void sddmmTransposed(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd);

    /**
     * Masked dense GEMM on rows {@code [rowStart, rowEnd)}: {@code C(i,j) = alpha·(A·B)(i,j) + beta·C(i,j)}
     * where the mask is set and {@code beta·C(i,j)} elsewhere; products at unset positions need not be computed.
     *
     * @param a (Input) m×k dense
     * @param b (Input) k×n dense
     * @param mask (Input) m×n
     * @param c (Output) m×n dense
     */
    void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart,
            int rowEnd);

    /**
     * Dense GEMM on rows {@code [rowStart, rowEnd)}: {@code C = alpha·A·B + beta·C}.
     *
     * @param a (Input) m×k dense
     * @param b (Input) k×n dense
     * @param c (Output) m×n dense
     */
    void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd);

    /**
     * Dense GEMM with B transposed on rows {@code [rowStart, rowEnd)}: {@code C = alpha·A·Bᵀ + beta·C}
     * (a dense layer's forward pass {@code Y = X·Wᵀ}).
     *
     * @param a (Input) m×k dense
     * @param b (Input) n×k dense
     * @param c (Output) m×n dense
     */
    void gemmTransB(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd);

    /**
     * Dense GEMM with A transposed on rows {@code [rowStart, rowEnd)} of C: {@code C = alpha·Aᵀ·B + beta·C}
     * (a dense layer's weight gradient {@code dW = dYᵀ·X}).
     *
     * @param a (Input) k×m dense
     * @param b (Input) k×n dense
     * @param c (Output) m×n dense
     */
    void gemmTransA(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd);

    // ------------------------------------------------------------------ element-wise (flat vectors of equal size)

    /** {@code y += alpha·x}. */
    void axpy(float alpha, DenseF32 x, DenseF32 y);

    /** {@code y += alpha·x} where the mask is set; other entries of y are not touched. */
    void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y);

    /** {@code x *= alpha}. */
    void scale(float alpha, DenseF32 x);

    /** Sets the entries of x where the mask is not set to 0. */
    void applyMask(DenseF32 x, BitMask mask);

    /** {@code out = Σ weights[i]·xs[i]}; out does not overlap any input. */
    void weightedSum(float[] weights, DenseF32[] xs, DenseF32 out);

    /** {@code Σ x[i]·y[i]}. */
    double dot(DenseF32 x, DenseF32 y);

    /** The Euclidean norm. */
    double norm2(DenseF32 x);

    /** The largest absolute value (0 for an empty vector; NaN if any entry is NaN). */
    float normInf(DenseF32 x);

    /** The Euclidean norm of the entries where the mask is set. */
    double maskedNorm2(DenseF32 x, BitMask mask);

    /** The largest absolute value of the entries where the mask is set. */
    float maskedNormInf(DenseF32 x, BitMask mask);

    // ------------------------------------------------------------------ magnitude selection (top-k masks)
    // The key of a float is its bits with the sign cleared: a non-negative int that orders like |x|;
    // keys above 0x7f800000 (+∞) are NaN. A top-k mask is an exact radix select over these keys.

    /**
     * One radix-select pass: for every candidate (every element, or those set in {@code within})
     * whose key satisfies {@code (key >>> prefixShift) == prefix}, adds 1 to
     * {@code histogram[(key >>> shift) & (histogram.length - 1)]}; NaN candidates are not counted.
     *
     * @param within (Input, Optional) the candidates; null means every element
     * @param histogram (Input/Output) a power-of-two number of buckets, added to (not cleared)
     * @return the flat index of the first NaN candidate, or -1 when there is none
     */
    long magnitudeHistogram(DenseF32 x, BitMask within, int prefixShift, int prefix, int shift, long[] histogram);

    /**
     * The last pass of a top-k select: sets bit i of {@code out} for every candidate whose key is
     * above {@code thresholdKey}, and for the first {@code tiesToTake} candidates whose key equals
     * it, in index order; clears the other bits of {@code out}. Candidates are not NaN: callers reject
     * them first with {@link #magnitudeHistogram}, which reports them, so keys may be compared as they are.
     *
     * @param within (Input, Optional) the candidates; null means every element
     * @param out (Output) as many bits as x has elements
     * @return how many ties were taken
     */
    long selectByMagnitude(DenseF32 x, BitMask within, int thresholdKey, long tiesToTake, BitMask out);

    // ------------------------------------------------------------------ seeded noise (zeroth-order perturbations)
    // z(e) is element e of stream `stream` (dev.thimble.random.NoiseStream: RADEMACHER 0, GAUSSIAN 1,
    // UNIFORM 2) of (seed, tensorId); element i of the tensor is e = offset + i (offset >= 0, offset + size
    // does not overflow). Every provider must reproduce NoiseStream bit for bit.

    /**
     * {@code x[i] = fma(scale, z(offset + i), x[i])} where the mask is set (every i when it is null);
     * other entries are not touched.
     *
     * @param mask (Input, Optional) the active entries
     */
    void addNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream);

    /**
     * {@code out[i] = scale·z(offset + i)} where the mask is set, {@code +0} elsewhere.
     *
     * @param mask (Input, Optional) the active entries
     */
    void fillNoise(DenseF32 out, BitMask mask, float scale, long seed, int tensorId, long offset, int stream);

    /**
     * {@link #addNoise} that also records the entries that subtracting the same noise would not give
     * back: for each active i whose original {@code w} is NaN or differs in bits from
     * {@code fma(-scale, z, fma(scale, z, w))}, the pair (int32 i, float32 w) is appended as 8 bytes at
     * entry {@code count[0]} of {@code exceptions}, and {@code count[0]} is incremented (the order of
     * one call's entries is unspecified: SIMD kernels visit a group lane by lane).
     *
     * <p>Works in steps of at most 128 consecutive stream elements; before each step, if fewer than
     * 128 entries are free ({@code capacity - count[0] < 128}), it stops and returns how many leading
     * elements it has finished (all perturbed and recorded); otherwise it returns {@code x.size()}.
     * {@code x.size()} is at most {@link Integer#MAX_VALUE}.
     *
     * @param exceptions (Output) {@code capacity} entries of 8 bytes, native memory
     * @param count (Input/Output) {@code count[0]}: entries already used
     * @return the number of leading elements processed
     */
    long perturbNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream,
            MemorySegment exceptions, long capacity, long[] count);
}
