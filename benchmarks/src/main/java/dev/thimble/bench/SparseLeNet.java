package dev.thimble.bench;

import dev.thimble.fl.nn.Parameters;
import dev.thimble.ops.FormatOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SpmmOps;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Inference-only LeNet-5 ({@code Models.lenet5}) with CSR weights, for K11: what a zeroth-order
 * client's forward passes cost when the pruned weights are stored sparse instead of as dense
 * zeros. The same arithmetic as the dense network, organised for few, large sparse products:
 *
 * <ul>
 *   <li>activations are kept channel-major, [C, b, H, W], so a convolution over the WHOLE batch is
 *       one CSR SpMM {@code [Cout, C·k·k] × col[C·k·k, b·OH·OW]} whose output is already the next
 *       layer's layout (the dense network makes one small GEMM per sample, 64 calls per layer);</li>
 *   <li>bias and ReLU are one pass, before the 2×2 max-pooling (ReLU is monotone, so the order
 *       does not change the result);</li>
 *   <li>the fully connected layers run {@link SpmmOps#denseTimesSparseT} on [b, features].</li>
 * </ul>
 */
final class SparseLeNet implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final KernelContext ctx;
    private final CsrF32 w1;
    private final CsrF32 w2;
    private final CsrF32 w3;
    private final CsrF32 w4;
    private final CsrF32 w5;
    private final float[] b1;
    private final float[] b2;
    private final float[] b3;
    private final float[] b4;
    private final float[] b5;
    private final DenseF32 col1;
    private final DenseF32 a1;
    private final DenseF32 p1;
    private final DenseF32 col2;
    private final DenseF32 a2;
    private final DenseF32 p2;
    private final DenseF32 f;
    private final DenseF32 h1;
    private final DenseF32 h2;
    private final DenseF32 out;

    /** Stores the (pruned) weights of a LeNet-5 network's parameters as CSR; buffers for {@code maxBatch}. */
    SparseLeNet(Parameters p, TensorArena arena, int maxBatch, KernelContext ctx) {
        this.ctx = ctx;
        w1 = FormatOps.toCsr(arena, p.get("conv1.weight").value().reshape(6, 25));
        w2 = FormatOps.toCsr(arena, p.get("conv2.weight").value().reshape(16, 150));
        w3 = FormatOps.toCsr(arena, p.get("fc1.weight").value().reshape(120, 400));
        w4 = FormatOps.toCsr(arena, p.get("fc2.weight").value().reshape(84, 120));
        w5 = FormatOps.toCsr(arena, p.get("fc3.weight").value().reshape(10, 84));
        b1 = p.get("conv1.bias").value().toArray();
        b2 = p.get("conv2.bias").value().toArray();
        b3 = p.get("fc1.bias").value().toArray();
        b4 = p.get("fc2.bias").value().toArray();
        b5 = p.get("fc3.bias").value().toArray();
        col1 = arena.dense(25 * maxBatch * 784);
        a1 = arena.dense(6 * maxBatch * 784);
        p1 = arena.dense(6 * maxBatch * 196);
        col2 = arena.dense(150 * maxBatch * 100);
        a2 = arena.dense(16 * maxBatch * 100);
        p2 = arena.dense(16 * maxBatch * 25);
        f = arena.dense(maxBatch * 400);
        h1 = arena.dense(maxBatch * 120);
        h2 = arena.dense(maxBatch * 84);
        out = arena.dense(maxBatch * 10);
    }

    /** Stored weights (non-zeros) of the five products. */
    long nnz() {
        return w1.nnz() + w2.nnz() + w3.nnz() + w4.nnz() + w5.nnz();
    }

    /** Logits [b, 10] of x [b, 1, 28, 28]; a view valid until the next call. */
    DenseF32 forward(DenseF32 x) {
        int b = x.dim(0);
        // conv1 (1→6, 5×5, pad 2) + bias + ReLU, then 2×2 max-pool: [6, b, 14, 14]
        DenseF32 c1 = col1.view(0, 25, b * 784);
        im2col(x.segment(), 1, b, 28, 5, 2, 28, c1.segment());
        DenseF32 y1 = a1.view(0, 6, b * 784);
        SpmmOps.csr(ctx, 1f, w1, c1, 0f, y1);
        biasRelu(y1.segment(), b1, b * 784);
        pool(y1.segment(), 6 * b, 28, p1.segment());
        // conv2 (6→16, 5×5) + bias + ReLU, pool: [16, b, 5, 5]
        DenseF32 c2 = col2.view(0, 150, b * 100);
        im2col(p1.segment(), 6, b, 14, 5, 0, 10, c2.segment());
        DenseF32 y2 = a2.view(0, 16, b * 100);
        SpmmOps.csr(ctx, 1f, w2, c2, 0f, y2);
        biasRelu(y2.segment(), b2, b * 100);
        pool(y2.segment(), 16 * b, 10, p2.segment());
        // flatten to [b, 400] in the dense network's (c, h, w) order
        MemorySegment ps = p2.segment();
        MemorySegment fs = f.segment();
        for (int c = 0; c < 16; c++) {
            for (int s = 0; s < b; s++) {
                MemorySegment.copy(ps, ((long) c * b + s) * 25 * Float.BYTES, fs, ((long) s * 400 + c * 25) * Float.BYTES,
                        25L * Float.BYTES);
            }
        }
        DenseF32 x3 = f.view(0, b, 400);
        DenseF32 y3 = h1.view(0, b, 120);
        SpmmOps.denseTimesSparseT(ctx, 1f, x3, w3, 0f, y3);
        rowBias(y3.segment(), b3, b, true);
        DenseF32 y4 = h2.view(0, b, 84);
        SpmmOps.denseTimesSparseT(ctx, 1f, y3, w4, 0f, y4);
        rowBias(y4.segment(), b4, b, true);
        DenseF32 y5 = out.view(0, b, 10);
        SpmmOps.denseTimesSparseT(ctx, 1f, y4, w5, 0f, y5);
        rowBias(y5.segment(), b5, b, false);
        return y5;
    }

    /**
     * Channel-major im2col, stride 1: x [C, b, H, H] → col [C·k·k, b·O·O], row (c, ki, kj), column
     * (s, oh, ow); rows of the image are copied as runs, the padding written as zeros.
     */
    private static void im2col(MemorySegment x, int channels, int b, int h, int k, int pad, int o, MemorySegment col) {
        long cols = (long) b * o * o;
        long row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++, row++) {
                    int lo = Math.max(0, pad - kj);
                    int hi = Math.min(o, h + pad - kj);
                    for (int s = 0; s < b; s++) {
                        long image = ((long) c * b + s) * h * h;
                        for (int oh = 0; oh < o; oh++) {
                            long dst = row * cols + ((long) s * o + oh) * o;
                            int ih = oh - pad + ki;
                            if (ih < 0 || ih >= h || lo >= hi) {
                                col.asSlice(dst * Float.BYTES, (long) o * Float.BYTES).fill((byte) 0);
                                continue;
                            }
                            for (int ow = 0; ow < lo; ow++) {
                                col.setAtIndex(F, dst + ow, 0f);
                            }
                            MemorySegment.copy(x, (image + (long) ih * h + lo - pad + kj) * Float.BYTES, col,
                                    (dst + lo) * Float.BYTES, (long) (hi - lo) * Float.BYTES);
                            for (int ow = hi; ow < o; ow++) {
                                col.setAtIndex(F, dst + ow, 0f);
                            }
                        }
                    }
                }
            }
        }
    }

    /** y[c][i] = max(0, y[c][i] + bias[c]) for rows c of length n. */
    private static void biasRelu(MemorySegment y, float[] bias, int n) {
        for (int c = 0; c < bias.length; c++) {
            long base = (long) c * n;
            float bc = bias[c];
            for (int i = 0; i < n; i++) {
                y.setAtIndex(F, base + i, Math.max(0f, y.getAtIndex(F, base + i) + bc));
            }
        }
    }

    /** y[s][j] += bias[j] (then ReLU) for b rows. */
    private static void rowBias(MemorySegment y, float[] bias, int b, boolean relu) {
        int n = bias.length;
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < n; j++) {
                float v = y.getAtIndex(F, (long) s * n + j) + bias[j];
                y.setAtIndex(F, (long) s * n + j, relu ? Math.max(0f, v) : v);
            }
        }
    }

    /** 2×2 max-pooling, stride 2, of {@code planes} h×h planes. */
    private static void pool(MemorySegment x, int planes, int h, MemorySegment y) {
        int o = h / 2;
        for (int p = 0; p < planes; p++) {
            long in = (long) p * h * h;
            long dst = (long) p * o * o;
            for (int i = 0; i < o; i++) {
                long r0 = in + 2L * i * h;
                long r1 = r0 + h;
                for (int j = 0; j < o; j++) {
                    float m = Math.max(Math.max(x.getAtIndex(F, r0 + 2 * j), x.getAtIndex(F, r0 + 2 * j + 1)),
                            Math.max(x.getAtIndex(F, r1 + 2 * j), x.getAtIndex(F, r1 + 2 * j + 1)));
                    y.setAtIndex(F, dst + (long) i * o + j, m);
                }
            }
        }
    }

    @Override
    public void close() {
        // every tensor belongs to the caller's arena, which frees them
    }
}
