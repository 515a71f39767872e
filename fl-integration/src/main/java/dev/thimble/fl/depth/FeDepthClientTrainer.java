package dev.thimble.fl.depth;

import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.ClientTrainer;
import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.tensor.DenseF32;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of {@link FeDepth}: depth-wise sequential block training within the client's
 * memory budget (the limit of its arena, {@link dev.thimble.tensor.TensorArena#limitBytes()}).
 *
 * <p>The client decomposes the model into stages ({@link DepthPlanner}; measured greedy by default,
 * FeDepth's table as an option). A plan of one stage trains the whole model exactly as a FedAvg
 * client would. Otherwise the client keeps the received model in one flat vector and, for each
 * stage in order, builds the frozen prefix (stem and earlier blocks) for inference only, the
 * stage network (its blocks, the parameter-free {@link dev.thimble.fl.nn.ChannelPadLink} to the
 * head's input shape, the shared head; the stem too in the first stage) for training, runs E
 * epochs of SGD (momentum, weight decay 5e-4, the round's learning rate) on the stage's
 * parameters, writes them back, and frees the stage; later blocks are not executed. The upload is
 * the full model, dense.
 *
 * <p>Deviation from the code: FeDepth creates one optimizer per round, so the shared head's
 * momentum carries over from stage to stage; here each stage starts with fresh momentum (only the
 * head is affected; earlier blocks are never trained again). Memory is accounted honestly: the
 * client's model copy, the prefix's buffers, and the stage's parameters, gradients, activations
 * and momentum all come from the client's arena. Stateless apart from a plan cache, so one
 * instance serves every client thread.
 */
public final class FeDepthClientTrainer implements ClientTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(FeDepthClientTrainer.class);

    private final DepthPlanner.Split split;
    private final DepthPlanner planner = new DepthPlanner();
    private final Map<String, Boolean> logged = new ConcurrentHashMap<>();

    /** A trainer choosing its stages by {@code split}. */
    public FeDepthClientTrainer(DepthPlanner.Split split) {
        this.split = Objects.requireNonNull(split, "split");
    }

    /** The stages a client with this context and configuration trains. */
    public DepthPlan plan(ClientContext ctx, TrainConfig cfg) {
        BlockLayout layout = BlockLayout.of(ctx.model());
        int b = Math.max(1, Math.min(cfg.batchSize(), ctx.data().size()));
        DepthPlan p;
        if (split == DepthPlanner.Split.TABLE) {
            int group = (int) cfg.extra(FeDepth.GROUP_KEY, -1);
            p = DepthPlanner.table(layout.blocks(), group);
        } else {
            p = planner.plan(ctx.model(), ctx.arena().limitBytes(), b, cfg.momentum(), ctx.kernels());
        }
        String key = ctx.arena().limitBytes() + "/" + cfg.extra(FeDepth.GROUP_KEY, -1);
        if (logged.putIfAbsent(key, Boolean.TRUE) == null) {
            LOG.info("FeDepth group {} (budget {} bytes): stages {}", (int) cfg.extra(FeDepth.GROUP_KEY, -1),
                    ctx.arena().limitBytes() == Long.MAX_VALUE ? "none" : ctx.arena().limitBytes(), p);
        }
        return p;
    }

    @Override
    public FitResult fit(ClientContext ctx, FitInstructions instructions) {
        TrainConfig cfg = instructions.config();
        StageTraining.Hyper h = new StageTraining.Hyper(cfg.localEpochs(), cfg.batchSize(), cfg.learningRate(),
                cfg.momentum(), cfg.extra(FeDepth.WEIGHT_DECAY_KEY, FeDepth.WEIGHT_DECAY));
        DepthPlan plan = plan(ctx, cfg);
        int d = Math.toIntExact(ctx.model().parameterCount());
        DenseF32 upload = ctx.uplink().dense(d);
        try {
            StageTraining.Totals t;
            if (plan.isWhole()) {
                t = StageTraining.whole(ctx.model(), instructions.payload(), upload, ctx.data(), h, ctx.seed(),
                        ctx.arena(), ctx.kernels());
            } else {
                BlockLayout layout = BlockLayout.of(ctx.model());
                t = new StageTraining.Totals(0, 0, 0);
                try (DenseF32 full = ctx.arena().dense(d)) {
                    instructions.payload().scatterInto(full);
                    int i = 0;
                    for (DepthPlan.Stage s : plan.stages()) {
                        long seed = ctx.seed() ^ (0x9E3779B97F4A7C15L * ++i);
                        t = t.plus(StageTraining.stage(layout, s, full, ctx.data(), h, seed, ctx.arena(),
                                ctx.kernels()));
                    }
                    upload.copyFrom(full);
                }
            }
            double loss = t.samples() == 0 ? Double.NaN : t.lossSum() / t.samples();
            return new FitResult(DensePayload.owning(upload), ctx.data().size(), loss, t.flops());
        } catch (RuntimeException | Error e) {
            upload.close();
            throw e;
        }
    }
}
