package dev.thimble.fl.strategy;

import dev.thimble.fl.data.Batches;
import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.ClientTrainer;
import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.optim.Sgd;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;

/**
 * Local minibatch SGD, the client side of {@link FedAvg} and {@link FedProx}: load the received
 * model, run E epochs over the client's data in batches of B (indices reshuffled every epoch from
 * the client's round seed), upload the trained model dense.
 *
 * <p>When the configuration carries {@value FedProx#MU_KEY} the trainer keeps a copy of the
 * received model w_t and adds {@code μ·(w − w_t)}, the gradient of {@code (μ/2)·‖w − w_t‖²}, to
 * every step's gradient; that copy is d more floats of client memory. The reported training loss
 * is the cross-entropy alone, so methods compare on the same scale.
 *
 * <p>Memory: the training network (parameters, gradients, activations of one batch), one input
 * batch, the momentum buffer when momentum > 0 and the proximal anchor, all from the client arena.
 * Stateless, so one instance serves every client thread.
 */
public final class SgdClientTrainer implements ClientTrainer {

    @Override
    public FitResult fit(ClientContext ctx, FitInstructions instructions) {
        TrainConfig cfg = instructions.config();
        Dataset data = ctx.data();
        int n = data.size();
        int b = Math.max(1, Math.min(cfg.batchSize(), n));
        boolean proximal = cfg.extra().containsKey(FedProx.MU_KEY);
        float mu = (float) cfg.extra(FedProx.MU_KEY, 0);
        TensorArena arena = ctx.arena();
        try (Network net = Network.build(ctx.model(), arena, b, true, ctx.kernels());
                DenseF32 x = arena.dense(Batches.shape(b, ctx.model().inputShape()))) {
            DenseF32 w = net.parameters().values();
            DenseF32 g = net.parameters().grads();
            instructions.payload().scatterInto(w);
            try (Sgd sgd = new Sgd(net.parameters(), arena, (float) cfg.learningRate(), (float) cfg.momentum(), 0f);
                    DenseF32 anchor = proximal ? arena.copyOf(w) : null) {
                Batches.Progress p = Batches.epochs(data, cfg.localEpochs(), x, new SplittableRandom(ctx.seed()),
                        (xb, labels, count) -> {
                            double loss = net.crossEntropyBackward(xb, labels, count);
                            if (proximal) {
                                VectorOps.axpy(ctx.kernels(), mu, w, g);
                                VectorOps.axpy(ctx.kernels(), -mu, anchor, g);
                            }
                            sgd.step();
                            return loss * count;
                        });
                DenseF32 upload = ctx.uplink().copyOf(w);
                long flops = 3L * ctx.model().forwardFlops() * p.samples();
                return new FitResult(DensePayload.owning(upload), n, p.meanLoss(), flops);
            }
        }
    }
}
