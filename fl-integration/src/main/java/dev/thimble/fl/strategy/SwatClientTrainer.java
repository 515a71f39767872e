package dev.thimble.fl.strategy;

import dev.thimble.fl.data.Batches;
import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.ClientTrainer;
import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Swat;
import dev.thimble.fl.optim.Sgd;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;

/**
 * The client of {@link ZeroFl} and {@link SwatFedAvg}: E epochs of minibatch SGD with SWAT-U
 * ({@link Swat}: first conv/linear layer dense, the others on top-k weights and top-k saved
 * activations, dense weight gradients and a dense update), then the upload the configuration asks
 * for ({@link ZeroFlUpload.Variant}; dense without one).
 *
 * <p>Memory: the training network with its SWAT operands (CSR Ŵ, Ŵᵀ for convolutions, CSR X̂),
 * one input batch, the momentum buffer when momentum > 0, and for the diff variants a copy of the
 * received model plus the difference vector, all from the client arena. The network still keeps
 * every layer's dense output for the backward pass, so the compact X̂ is an extra copy rather than
 * a saving (releasing the dense inputs of SWAT layers would need a change to {@link Network}).
 * FLOPs are the engine's {@code 3 × forward × samples} with SWAT layers counted at their k kept
 * weights. Stateless and thread-safe.
 */
public final class SwatClientTrainer implements ClientTrainer {

    @Override
    public FitResult fit(ClientContext ctx, FitInstructions instructions) {
        TrainConfig cfg = instructions.config();
        Swat swat = SwatFedAvg.swatOf(cfg);
        ZeroFlUpload.Variant variant = ZeroFl.variantOf(cfg);
        double maskRatio = cfg.extra(ZeroFl.MASK_RATIO_KEY, 0);
        Dataset data = ctx.data();
        int n = data.size();
        int b = Math.max(1, Math.min(cfg.batchSize(), n));
        TensorArena arena = ctx.arena();
        try (Network net = Network.build(ctx.model(), arena, b, true, ctx.kernels());
                DenseF32 x = arena.dense(Batches.shape(b, ctx.model().inputShape()))) {
            DenseF32 w = net.parameters().values();
            instructions.payload().scatterInto(w);
            try (DenseF32 received = variant.isDiff() ? arena.copyOf(w) : null;
                    Sgd sgd = new Sgd(net.parameters(), arena, (float) cfg.learningRate(), (float) cfg.momentum(),
                            (float) cfg.extra(SwatFedAvg.WEIGHT_DECAY_KEY, 0))) {
                Swat.apply(net, swat);
                Batches.Progress p;
                try {
                    p = Batches.epochs(data, cfg.localEpochs(), x, new SplittableRandom(ctx.seed()),
                            (xb, labels, count) -> {
                                double loss = net.crossEntropyBackward(xb, labels, count);
                                sgd.step();
                                return loss * count;
                            });
                } finally {
                    Swat.apply(net, null);
                }
                long flops = 3L * net.forwardFlops() * p.samples();
                Payload upload = upload(ctx, net, variant, swat.sparsity(), maskRatio, w, received);
                return new FitResult(upload, n, p.meanLoss(), flops);
            }
        }
    }

    private static Payload upload(ClientContext ctx, Network net, ZeroFlUpload.Variant variant, double sparsity,
            double maskRatio, DenseF32 w, DenseF32 received) {
        if (variant == ZeroFlUpload.Variant.DENSE) {
            return DensePayload.owning(ctx.uplink().copyOf(w));
        }
        long n = net.parameters().prunable().stream().mapToLong(p -> p.size()).sum();
        long keep = ZeroFlUpload.kept(n, sparsity, maskRatio);
        if (!variant.isDiff()) {
            return ZeroFlUpload.encode(ctx.kernels(), ctx.uplink(), ctx.arena(), net.parameters().list(), w, w, keep);
        }
        try (DenseF32 diff = ctx.arena().copyOf(w)) {
            VectorOps.axpy(ctx.kernels(), -1f, received, diff);
            DenseF32 scores = variant == ZeroFlUpload.Variant.TOP_K_WEIGHTS_DIFF ? diff : w;
            return ZeroFlUpload.encode(ctx.kernels(), ctx.uplink(), ctx.arena(), net.parameters().list(), diff,
                    scores, keep);
        }
    }
}
