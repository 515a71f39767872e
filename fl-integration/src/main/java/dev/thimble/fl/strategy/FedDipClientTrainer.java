package dev.thimble.fl.strategy;

import dev.thimble.fl.data.Batches;
import dev.thimble.fl.core.BitmaskPayload;
import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.ClientTrainer;
import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Param;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The client side of {@link FedDip} (arXiv:2309.06805; code {@code Client.train_model},
 * methods.md §3.1 step 4). The mask m is the received payload's presence bits (a
 * {@link BitmaskPayload}); with a dense payload (the first round, no global mask yet) the client
 * draws its own ERK random mask of density {@code 1 − s_0} ({@link ErkMasks}) from its seed.
 *
 * <p>Per minibatch, as the code does: {@code w̃ = w ⊙ m}; the gradient g of
 * {@code CE(f(x; w̃)) + λ_t·Σ_l ‖w̃_l‖₂} (non-squared Frobenius norm per prunable weight, gradient
 * {@code λ_t·w̃_l/‖w̃_l‖}, zero at pruned positions and for an all-zero layer) is taken dense and
 * applied to the dense w with weight decay: {@code w ← w − η(g + wd·w)} (error feedback).
 *
 * <p>Upload: with a global mask, the values of w at the mask's positions as a
 * {@link BitmaskPayload} ({@code 4·nnz + ⌈d/8⌉} bytes), since the server re-applies that mask
 * and discards everything else (methods.md §3.1 "code-vs-paper"); in the first round the dense
 * w (4·d bytes), because the server has no mask yet and averages the full models, as the code does;
 * and always the dense w when the server asks for it ({@link FedDip#DENSE_UPLOAD_KEY}, the regrowth
 * variant, whose server keeps the updates at pruned positions).
 * The reported loss is the cross-entropy alone. Memory: the training network, the dense w, the
 * mask and one input batch. Stateless and thread-safe.
 *
 * <p>Sparse compute: with a global mask whose prunable density is at most
 * {@link #SPARSE_BELOW_DENSITY} (option {@link #SPARSE_BELOW_KEY}), Linear and Conv2d layers run on the
 * kept weights with the sparse kernels ({@link Network#setWeightMasks}: CSR forward and input
 * gradient, weight gradient sampled at the mask). The gradient is then zero at pruned positions
 * instead of dense, which changes only the pruned entries of the local w — entries this client
 * never uploads and the forward pass never reads — so the upload is the same up to rounding. The
 * dense gradient is kept where the server does read pruned entries: the first round (ERK masks,
 * dense upload) and the regrowth variant. Reported FLOPs are 3 × the forward FLOPs per sample, of
 * the kept weights when the sparse kernels run ({@link SparseFlops}) and of the dense model otherwise.
 */
public final class FedDipClientTrainer implements ClientTrainer {
    /** Prunable density at or below which the client trains with the sparse kernels. */
    public static final double SPARSE_BELOW_DENSITY = 0.3;
    /** Configuration key overriding {@link #SPARSE_BELOW_DENSITY} (0 keeps every round dense). */
    public static final String SPARSE_BELOW_KEY = "feddip_sparse_below";
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ERK_SALT = 0x4552_4B5F_4D41_534BL;

    @Override
    public FitResult fit(ClientContext ctx, FitInstructions instructions) {
        TrainConfig cfg = instructions.config();
        Dataset data = ctx.data();
        int n = data.size();
        int b = Math.max(1, Math.min(cfg.batchSize(), n));
        float lr = (float) cfg.learningRate();
        float lambda = (float) cfg.extra(FedDip.LAMBDA_KEY, 0);
        float wd = (float) cfg.extra(FedDip.WEIGHT_DECAY_KEY, FedDip.WEIGHT_DECAY);
        double initDensity = 1 - cfg.extra(FedDip.INIT_SPARSITY_KEY, FedDip.DEFAULT_INIT_SPARSITY);
        Payload received = instructions.payload();
        TensorArena arena = ctx.arena();
        try (Network net = Network.build(ctx.model(), arena, b, true, ctx.kernels());
                DenseF32 x = arena.dense(Batches.shape(b, ctx.model().inputShape()))) {
            DenseF32 wt = net.parameters().values();
            DenseF32 g = net.parameters().grads();
            List<Param> prunable = net.parameters().prunable();
            try (BitMask mask = arena.mask(Math.toIntExact(wt.size()))) {
                wt.fill(0f);
                received.scatterInto(wt);
                boolean globalMask = received instanceof BitmaskPayload;
                if (globalMask) {
                    received.presenceInto(mask);
                } else {
                    ErkMasks.fill(net.parameters().list(), initDensity, ctx.seed() ^ ERK_SALT, mask);
                }
                boolean denseUpload = !globalMask || cfg.extra(FedDip.DENSE_UPLOAD_KEY, 0) != 0;
                boolean sparse = !denseUpload && prunableDensity(prunable, mask)
                        <= cfg.extra(SPARSE_BELOW_KEY, SPARSE_BELOW_DENSITY);
                if (sparse) {
                    net.setWeightMasks(mask);
                }
                try (DenseF32 w = arena.copyOf(wt)) {
                    Batches.Progress p = Batches.epochs(data, cfg.localEpochs(), x,
                            new SplittableRandom(ctx.seed()), (xb, labels, count) -> {
                                wt.copyFrom(w);
                                VectorOps.applyMask(ctx.kernels(), wt, mask);
                                double loss = net.crossEntropyBackward(xb, labels, count);
                                if (lambda != 0) {
                                    for (Param q : prunable) {
                                        double norm = VectorOps.norm2(ctx.kernels(), q.value());
                                        if (norm > 0) {
                                            VectorOps.axpy(ctx.kernels(), (float) (lambda / norm), q.value(), q.grad());
                                        }
                                    }
                                }
                                denseStep(w, g, lr, wd);
                                return loss * count;
                            });
                    Payload upload = denseUpload ? DensePayload.owning(ctx.uplink().copyOf(w))
                            : gather(ctx.uplink(), w, mask);
                    // the forward and both backward products skip what the sparse kernels skip
                    long flops = 3L * SparseFlops.forward(ctx.model(), sparse ? mask : null) * p.samples();
                    return new FitResult(upload, n, p.meanLoss(), flops);
                }
            }
        }
    }

    /** Kept fraction of the prunable weights. */
    private static double prunableDensity(List<Param> prunable, BitMask mask) {
        long kept = 0;
        long total = 0;
        for (Param p : prunable) {
            kept += mask.view(p.offset(), Math.toIntExact(p.size())).cardinality();
            total += p.size();
        }
        return total == 0 ? 1 : (double) kept / total;
    }

    /** {@code w ← w − η(g + wd·w)} over every entry (dense, error feedback). */
    static void denseStep(DenseF32 w, DenseF32 g, float lr, float wd) {
        MemorySegment ws = w.segment();
        MemorySegment gs = g.segment();
        for (long i = 0, d = w.size(); i < d; i++) {
            float wi = ws.getAtIndex(F, i);
            ws.setAtIndex(F, i, wi - lr * (gs.getAtIndex(F, i) + wd * wi));
        }
    }

    /** The values of {@code w} at the set bits of {@code mask}, with a copy of the mask, allocated in {@code arena}. */
    static BitmaskPayload gather(TensorArena arena, DenseF32 w, BitMask mask) {
        long nnz = mask.cardinality();
        BitMask m = arena.mask(Math.toIntExact(mask.size()));
        DenseF32 v = null;
        try {
            m.copyFrom(mask);
            v = arena.dense(Math.toIntExact(nnz));
            long k = 0;
            for (long i = 0, d = mask.size(); i < d; i++) {
                if (mask.get(i)) {
                    v.set(k++, w.get(i));
                }
            }
            return new BitmaskPayload(m, v);
        } catch (RuntimeException e) {
            m.close();
            if (v != null) {
                v.close();
            }
            throw e;
        }
    }
}
