package dev.thimble.fl.depth;

import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.ClientTrainer;
import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.nn.Model;
import dev.thimble.tensor.DenseF32;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client side of {@link HeteroFl}: builds the width-w sub-network the server chose
 * ({@value HeteroFl#WIDTH_KEY}), loads the received sub-model, trains it whole for E epochs of
 * SGD (momentum, weight decay, the round's learning rate) and uploads it dense. Memory: the
 * sub-network's parameters, gradients, activations, momentum and one input batch, all from the
 * client's arena. Thread-safe.
 */
public final class HeteroFlClientTrainer implements ClientTrainer {
    private final Map<String, Model> slims = new ConcurrentHashMap<>();

    @Override
    public FitResult fit(ClientContext ctx, FitInstructions instructions) {
        TrainConfig cfg = instructions.config();
        double w = cfg.extra(HeteroFl.WIDTH_KEY, 1.0);
        Model slim = slims.computeIfAbsent(ctx.model().name() + "/" + w, k -> WidthSlicing.slim(ctx.model(), w));
        StageTraining.Hyper h = new StageTraining.Hyper(cfg.localEpochs(), cfg.batchSize(), cfg.learningRate(),
                cfg.momentum(), cfg.extra(FeDepth.WEIGHT_DECAY_KEY, FeDepth.WEIGHT_DECAY));
        DenseF32 upload = ctx.uplink().dense(Math.toIntExact(slim.parameterCount()));
        try {
            StageTraining.Totals t = StageTraining.whole(slim, instructions.payload(), upload, ctx.data(), h, ctx.seed(),
                    ctx.arena(), ctx.kernels());
            double loss = t.samples() == 0 ? Double.NaN : t.lossSum() / t.samples();
            return new FitResult(DensePayload.owning(upload), ctx.data().size(), loss, t.flops());
        } catch (RuntimeException | Error e) {
            upload.close();
            throw e;
        }
    }
}
