package dev.thimble.fl.nn;

import dev.thimble.ops.GemmOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SddmmOps;
import dev.thimble.ops.SpmmOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A 2-D convolution with square kernels, zero padding and an optional bias: input [b, C, H, W],
 * weight [Cout, C, k, k], output [b, Cout, OH, OW] with {@code OH = (H + 2p − k) / s + 1}
 * (floor, as PyTorch).
 *
 * <p>Each sample is lowered to a matrix with im2col, {@code col [C·k·k, OH·OW]}, and multiplied
 * by the weight seen as {@code [Cout, C·k·k]} through {@link GemmOps}, so the product runs on the
 * best dense kernel available. The backward pass rebuilds each sample's col (rather than keeping
 * the whole batch's), adds {@code dW += dy_s·col_sᵀ}, then reuses the same scratch for
 * {@code dcol = Wᵀ·dy_s} and scatters it back with col2im.
 *
 * <p>Memory: one scratch matrix of {@code C·k·k·OH·OW} floats (4 bytes each), allocated from the
 * network's arena in {@link #build} and shared by every sample of every batch; a 1×1 convolution
 * with stride 1 and no padding needs none (its col is the input itself).
 *
 * <p>With SWAT on ({@link #setSwat}): the forward pass multiplies CSR Ŵ (top-k weights) with the
 * dense input's columns; the input gradient goes through Ŵᵀ; the dense weight gradient is built
 * from the saved top-k activations X̂ (CSR [b, C·H·W]): each sample's row is expanded into a
 * {@code C·H·W} scratch and lowered with im2col, so the weight-gradient product itself is dense
 * GEMM over the sparse columns.
 */
public final class Conv2d implements SparseWeights, SwatLayer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final String name;
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean hasBias;

    // set by build
    private KernelContext kernels;
    private Param weight;
    private Param bias;
    private DenseF32 weightMatrix; // [Cout, C·k·k] view of the weight
    private DenseF32 weightGradMatrix;
    private DenseF32 col; // [C·k·k, OH·OW] scratch, null for a direct (1×1, stride 1, no padding) convolution
    private TensorArena arena;
    private boolean training; // an inference network's sparse weights need no transpose or gradient pattern
    private InferenceScratch sharedCol; // inference networks: the network's shared im2col buffer instead of col
    private SparseWeight sparse; // W [Cout, C·k·k] on its mask, or null for a dense convolution
    private SwatState swat; // SWAT operands, or null when SWAT is off
    private DenseF32 savedSample; // [C·H·W] one sample of X̂ expanded, while SWAT is on
    private int height;
    private int width;
    private int outHeight;
    private int outWidth;

    /**
     * A convolution with a bias.
     *
     * @param name layer name, e.g. {@code "conv1"}
     * @param inChannels C, input channels
     * @param outChannels Cout, output channels
     * @param kernel k, the side of the square kernel
     * @param stride s ≥ 1
     * @param padding p ≥ 0 zeros on each side
     */
    public Conv2d(String name, int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(name, inChannels, outChannels, kernel, stride, padding, true);
    }

    /**
     * A convolution with or without a bias (residual networks put a normalisation after their
     * convolutions and omit the bias).
     *
     * @param bias whether the layer has a bias
     */
    public Conv2d(String name, int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(name + ": invalid convolution (inChannels " + inChannels
                    + ", outChannels " + outChannels + ", kernel " + kernel + ", stride " + stride + ", padding "
                    + padding + ")");
        }
        this.name = name;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.hasBias = bias;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 3 || inputShape[0] != inChannels) {
            throw new IllegalArgumentException(name + ": expects input samples of shape [" + inChannels
                    + ", height, width], got " + Arrays.toString(inputShape));
        }
        int oh = outSize(inputShape[1]);
        int ow = outSize(inputShape[2]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(name + ": a " + kernel + "×" + kernel + " kernel with padding "
                    + padding + " does not fit an input of " + inputShape[1] + "×" + inputShape[2]);
        }
        return new int[] {outChannels, oh, ow};
    }

    private int outSize(int in) {
        int span = in + 2 * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    @Override
    public List<ParamSpec> parameters(int[] inputShape) {
        ParamSpec.Init init = ParamSpec.Init.fanIn((long) inChannels * kernel * kernel);
        List<ParamSpec> specs = new ArrayList<>(2);
        specs.add(new ParamSpec("weight", new int[] {outChannels, inChannels, kernel, kernel}, true, init));
        if (hasBias) {
            specs.add(new ParamSpec("bias", new int[] {outChannels}, false, init));
        }
        return specs;
    }

    @Override
    public void build(LayerContext c) {
        int[] out = outputShape(c.inputShape());
        height = c.inputShape()[1];
        width = c.inputShape()[2];
        outHeight = out[1];
        outWidth = out[2];
        kernels = c.kernels();
        arena = c.arena();
        training = c.training();
        weight = c.param("weight");
        bias = hasBias ? c.param("bias") : null;
        int ckk = inChannels * kernel * kernel;
        weightMatrix = weight.value().reshape(outChannels, ckk);
        weightGradMatrix = weight.grad() == null ? null : weight.grad().reshape(outChannels, ckk);
        if (!isDirect()) {
            if (!c.training() && c.scratch() != null) {
                // inference: one im2col buffer serves every convolution of the network
                sharedCol = c.scratch();
                sharedCol.reserve(InferenceScratch.COL_SLOT, (long) ckk * outHeight * outWidth);
            } else {
                col = c.arena().dense(ckk, outHeight * outWidth);
            }
        }
    }

    /**
     * Runs the convolution on the kept weights only (CSR SpMM of W [Cout, C·k·k] with the im2col
     * columns; weight gradient sampled at the pattern; input gradient through Wᵀ), or densely again
     * when {@code mask} is null.
     */
    @Override
    public void setWeightMask(BitMask mask) {
        if (arena == null) {
            throw new IllegalStateException(name + ": build the network before setting a weight mask");
        }
        if (sparse != null) {
            sparse.close();
            sparse = null;
        }
        if (mask != null) {
            if (swat != null) {
                throw new IllegalStateException(name + ": SWAT and a fixed weight mask cannot both be on");
            }
            sparse = new SparseWeight(arena, weightMatrix, mask.reshape(weightMatrix.rows(), weightMatrix.cols()),
                    training);
        }
    }

    @Override
    public void setSwat(Swat settings) {
        if (arena == null) {
            throw new IllegalStateException(name + ": build the network before turning SWAT on");
        }
        if (settings != null && sparse != null) {
            throw new IllegalStateException(name + ": SWAT and a fixed weight mask cannot both be on");
        }
        if (swat != null) {
            swat.close();
            savedSample.close();
            swat = null;
            savedSample = null;
        }
        if (settings != null) {
            swat = new SwatState(settings, arena, kernels, true);
            savedSample = arena.dense(inChannels * height * width);
        }
    }

    @Override
    public SwatState swatState() {
        return swat;
    }

    /** A 1×1 convolution with stride 1 and no padding is a plain product with the input. */
    private boolean isDirect() {
        return kernel == 1 && stride == 1 && padding == 0;
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        int b = x.dim(0);
        int inSize = inChannels * height * width;
        int outPlane = outHeight * outWidth;
        int ckk = inChannels * kernel * kernel;
        if (sparse != null) {
            sparse.refresh(weightMatrix);
        }
        if (swat != null) {
            swat.prepare(weightMatrix, x.reshape(b, inSize));
        }
        for (int s = 0; s < b; s++) {
            DenseF32 ys = y.view((long) s * outChannels * outPlane, outChannels, outPlane);
            DenseF32 cs = columns(x, s, inSize, ckk, outPlane);
            if (swat != null) {
                SpmmOps.csr(kernels, 1f, swat.weights(), cs, 0f, ys);
            } else if (sparse != null) {
                SpmmOps.csr(kernels, 1f, sparse.weights(), cs, 0f, ys);
            } else {
                GemmOps.gemm(kernels, 1f, weightMatrix, cs, 0f, ys);
            }
            if (bias != null) {
                addBias(ys.segment(), outPlane);
            }
        }
    }

    /** Sample s's col: im2col into the scratch, or a view of the input for a direct convolution. */
    private DenseF32 columns(DenseF32 x, int s, int inSize, int ckk, int outPlane) {
        if (col == null && sharedCol == null) {
            return x.view((long) s * inSize, ckk, outPlane);
        }
        DenseF32 buf = col != null ? col : sharedCol.view(InferenceScratch.COL_SLOT, ckk, outPlane);
        im2col(x.segment(), (long) s * inSize, buf.segment());
        return buf;
    }

    private void addBias(MemorySegment ys, int plane) {
        MemorySegment bs = bias.value().segment();
        for (int o = 0; o < outChannels; o++) {
            float v = bs.getAtIndex(F, o);
            long base = (long) o * plane;
            for (long i = base, end = base + plane; i < end; i++) {
                ys.setAtIndex(F, i, ys.getAtIndex(F, i) + v);
            }
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        backward(x, dy, dx, false);
    }

    /**
     * The backward pass, adding the input gradient into {@code dx} instead of overwriting it when
     * {@code accumulate} (a residual block sums its shortcut's gradient with the main path's).
     */
    void backward(DenseF32 x, DenseF32 dy, DenseF32 dx, boolean accumulate) {
        int b = x.dim(0);
        int inSize = inChannels * height * width;
        int outPlane = outHeight * outWidth;
        int ckk = inChannels * kernel * kernel;
        for (int s = 0; s < b; s++) {
            DenseF32 dys = dy.view((long) s * outChannels * outPlane, outChannels, outPlane);
            DenseF32 cs = swat != null ? savedColumns(s, ckk, outPlane) : columns(x, s, inSize, ckk, outPlane);
            if (sparse != null) {
                // dW = Σ_s dy_s·col_sᵀ, sampled at the kept weights only
                SddmmOps.sample(kernels, 1f, dys, cs, s == 0 ? 0f : 1f, sparse.gradient());
            } else {
                GemmOps.gemmTransB(kernels, 1f, dys, cs, 1f, weightGradMatrix);
            }
            if (bias != null) {
                addRowSums(dys.segment(), outPlane, bias.grad().segment());
            }
            if (dx == null) {
                continue;
            }
            if (col == null) {
                // direct: dx_s = Wᵀ·dy_s is already in the input's layout
                DenseF32 dxs = dx.view((long) s * inSize, ckk, outPlane);
                if (sparse != null || swat != null) {
                    SpmmOps.csr(kernels, 1f, transposedWeights(), dys, accumulate ? 1f : 0f, dxs);
                } else {
                    GemmOps.gemmTransA(kernels, 1f, weightMatrix, dys, accumulate ? 1f : 0f, dxs);
                }
            } else {
                // the col of sample s is consumed by dW above, so its scratch now takes dcol
                if (sparse != null || swat != null) {
                    SpmmOps.csr(kernels, 1f, transposedWeights(), dys, 0f, col);
                } else {
                    GemmOps.gemmTransA(kernels, 1f, weightMatrix, dys, 0f, col);
                }
                MemorySegment dxs = dx.segment();
                long base = (long) s * inSize;
                if (!accumulate) {
                    dxs.asSlice(base * Float.BYTES, (long) inSize * Float.BYTES).fill((byte) 0);
                }
                col2im(col.segment(), dxs, base);
            }
        }
        if (sparse != null && b > 0) {
            sparse.addGradientTo(weightGradMatrix);
        }
    }

    private CsrF32 transposedWeights() {
        return sparse != null ? sparse.transposed() : swat.transposedWeights();
    }

    /** Sample s's col built from the saved top-k activations X̂ (row s of the CSR, expanded). */
    private DenseF32 savedColumns(int s, int ckk, int outPlane) {
        CsrF32 a = swat.activations();
        MemorySegment xs = savedSample.segment();
        xs.fill((byte) 0);
        for (int p = a.rowStart(s), end = a.rowStart(s + 1); p < end; p++) {
            xs.setAtIndex(F, a.colIndex(p), a.value(p));
        }
        if (col == null) {
            return savedSample.view(0, ckk, outPlane);
        }
        im2col(xs, 0, col.segment());
        return col;
    }

    private void addRowSums(MemorySegment dys, int plane, MemorySegment db) {
        for (int o = 0; o < outChannels; o++) {
            float sum = 0f;
            long base = (long) o * plane;
            for (long i = base, end = base + plane; i < end; i++) {
                sum += dys.getAtIndex(F, i);
            }
            db.setAtIndex(F, o, db.getAtIndex(F, o) + sum);
        }
    }

    /**
     * Writes the patches of the sample at {@code xBase} into {@code cs}: row {@code (c·k + ki)·k + kj},
     * column {@code oh·OW + ow} holds {@code x[c, oh·s − p + ki, ow·s − p + kj]}, zero outside the image.
     */
    private void im2col(MemorySegment xs, long xBase, MemorySegment cs) {
        int outPlane = outHeight * outWidth;
        long row = 0;
        for (int c = 0; c < inChannels; c++) {
            long channel = xBase + (long) c * height * width;
            for (int ki = 0; ki < kernel; ki++) {
                for (int kj = 0; kj < kernel; kj++, row++) {
                    int lo = firstValid(kj, width);
                    int hi = endValid(kj, width);
                    for (int oh = 0; oh < outHeight; oh++) {
                        long dst = row * outPlane + (long) oh * outWidth;
                        int ih = oh * stride - padding + ki;
                        if (ih < 0 || ih >= height || lo >= hi) {
                            zero(cs, dst, outWidth);
                            continue;
                        }
                        zero(cs, dst, lo);
                        long src = channel + (long) ih * width + ((long) lo * stride - padding + kj);
                        if (stride == 1) {
                            MemorySegment.copy(xs, src * Float.BYTES, cs, (dst + lo) * Float.BYTES,
                                    (long) (hi - lo) * Float.BYTES);
                        } else {
                            for (int ow = lo; ow < hi; ow++, src += stride) {
                                cs.setAtIndex(F, dst + ow, xs.getAtIndex(F, src));
                            }
                        }
                        zero(cs, dst + hi, outWidth - hi);
                    }
                }
            }
        }
    }

    /** Adds the columns back onto the image they came from (the adjoint of {@link #im2col}). */
    private void col2im(MemorySegment cs, MemorySegment dxs, long xBase) {
        int outPlane = outHeight * outWidth;
        long row = 0;
        for (int c = 0; c < inChannels; c++) {
            long channel = xBase + (long) c * height * width;
            for (int ki = 0; ki < kernel; ki++) {
                for (int kj = 0; kj < kernel; kj++, row++) {
                    int lo = firstValid(kj, width);
                    int hi = endValid(kj, width);
                    for (int oh = 0; oh < outHeight; oh++) {
                        int ih = oh * stride - padding + ki;
                        if (ih < 0 || ih >= height) {
                            continue;
                        }
                        long src = row * outPlane + (long) oh * outWidth;
                        long dst = channel + (long) ih * width - padding + kj;
                        if (stride == 1) {
                            for (long ow = lo; ow < hi; ow++) {
                                dxs.setAtIndex(F, dst + ow, dxs.getAtIndex(F, dst + ow) + cs.getAtIndex(F, src + ow));
                            }
                        } else {
                            for (long ow = lo; ow < hi; ow++) {
                                long d = dst + ow * stride;
                                dxs.setAtIndex(F, d, dxs.getAtIndex(F, d) + cs.getAtIndex(F, src + ow));
                            }
                        }
                    }
                }
            }
        }
    }

    /** The first output column whose input column {@code ow·s − p + kj} is inside the image. */
    private int firstValid(int kj, int in) {
        int lo = 0;
        while (lo < outWidth && lo * stride - padding + kj < 0) {
            lo++;
        }
        return lo;
    }

    /** One past the last output column whose input column is inside the image. */
    private int endValid(int kj, int in) {
        int hi = outWidth;
        while (hi > 0 && (hi - 1) * stride - padding + kj >= in) {
            hi--;
        }
        return hi;
    }

    private static void zero(MemorySegment s, long from, long count) {
        for (long i = from, end = from + count; i < end; i++) {
            s.setAtIndex(F, i, 0f);
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        int[] out = outputShape(inputShape);
        long positions = (long) out[1] * out[2];
        long weights = (long) outChannels * inChannels * kernel * kernel;
        // as Linear: the kept weights of a fixed mask, or SWAT's k kept weights
        long kept = sparse != null ? sparse.nnz() : swat != null ? swat.settings().keep(weights) : weights;
        return 2L * kept * positions + (hasBias ? outChannels * positions : 0);
    }

    @Override
    public void free() {
        Frees.all(col);
        col = null;
        if (sparse != null) {
            sparse.close();
            sparse = null;
        }
    }
}
