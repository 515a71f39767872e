package dev.thimble.fl.depth;

import dev.thimble.fl.core.BitmaskPayload;
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
 * <p>Mutual learning (FeDepth's surplus-memory regime, optional): a client whose plan is the whole
 * model and whose budget also holds a second model trained alongside ({@link MemoryProbe}: two
 * networks, two momentum buffers) trains the received model together with a private auxiliary
 * full model by deep mutual learning, λ_kd = {@value #DML_LAMBDA} ({@link StageTraining#mutual}). The
 * auxiliary model is never uploaded; between rounds the client keeps it (here on the heap, as
 * FeDepth's code keeps it on disk), so it is in the arena, and counted, only while it trains. It
 * starts from a seeded random initialisation the first time the client trains.
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

    /** FeDepth's λ_kd. */
    public static final double DML_LAMBDA = 1.0;

    private final DepthPlanner.Split split;
    private final boolean mutual;
    private final boolean multiHead;
    private final double lambda;
    private final DepthPlanner planner = new DepthPlanner();
    private final Map<Integer, float[]> auxiliary = new ConcurrentHashMap<>(); // client -> its private model
    private final Map<String, Long> mutualNeed = new ConcurrentHashMap<>();
    private final Map<String, Boolean> logged = new ConcurrentHashMap<>();

    /** A trainer choosing its stages by {@code split}, without mutual learning. */
    public FeDepthClientTrainer(DepthPlanner.Split split) {
        this(split, false, DML_LAMBDA);
    }

    /**
     * A trainer choosing its stages by {@code split}.
     *
     * @param mutual whether clients with surplus memory train an auxiliary model by mutual learning
     * @param lambda λ_kd of the KL terms
     */
    public FeDepthClientTrainer(DepthPlanner.Split split, boolean mutual, double lambda) {
        this(split, mutual, lambda, false);
    }

    /**
     * A trainer choosing its stages by {@code split}.
     *
     * @param mutual whether clients with surplus memory train an auxiliary model by mutual learning
     * @param lambda λ_kd of the KL terms
     * @param multiHead m-FeDepth: each stage trains its own head (the server must be a multi-head
     *     {@link FeDepth}, which sends and aggregates the heads)
     */
    public FeDepthClientTrainer(DepthPlanner.Split split, boolean mutual, double lambda, boolean multiHead) {
        this.split = Objects.requireNonNull(split, "split");
        this.multiHead = multiHead;
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("FeDepth: λ_kd must be finite and non-negative, got " + lambda);
        }
        this.mutual = mutual;
        this.lambda = lambda;
    }

    /** Whether this client trains by mutual learning this round: a whole-model plan and room for two models. */
    boolean mutualFits(ClientContext ctx, TrainConfig cfg, DepthPlan plan) {
        long limit = ctx.arena().limitBytes();
        if (!mutual || !plan.isWhole() || limit == Long.MAX_VALUE) {
            return false;
        }
        int b = Math.max(1, Math.min(cfg.batchSize(), ctx.data().size()));
        long need = mutualNeed.computeIfAbsent(ctx.model().name() + "/" + b + "/" + (cfg.momentum() != 0),
                k -> MemoryProbe.mutual(ctx.model(), b, cfg.momentum(), ctx.kernels()));
        return need <= limit;
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
            p = planner.plan(ctx.model(), multiHead, ctx.arena().limitBytes(), b, cfg.momentum(), ctx.kernels());
        }
        String key = ctx.arena().limitBytes() + "/" + cfg.extra(FeDepth.GROUP_KEY, -1);
        if (logged.putIfAbsent(key, Boolean.TRUE) == null) {
            LOG.info("FeDepth group {} (budget {} bytes): stages {}", (int) cfg.extra(FeDepth.GROUP_KEY, -1),
                    ctx.arena().limitBytes() == Long.MAX_VALUE ? "none" : ctx.arena().limitBytes(), p);
        }
        return p;
    }

    /** The auxiliary model's first parameters: the model's initialisation from a client-specific seed. */
    private static float[] initialAuxiliary(ClientContext ctx) {
        try (dev.thimble.tensor.TensorArena tmp = dev.thimble.tensor.TensorArena.open("aux-init");
                dev.thimble.fl.nn.Network net = dev.thimble.fl.nn.Network.build(ctx.model(), tmp, 1, false,
                        ctx.kernels())) {
            net.parameters().initialize(0xA0C5L * 31 + ctx.clientId());
            return net.parameters().values().toArray();
        }
    }

    /** How many clients hold an auxiliary model (for tests and reports). */
    public int auxiliaryModels() {
        return auxiliary.size();
    }

    /**
     * m-FeDepth: the download is the model followed by every auxiliary head; a stage ending before
     * the last block trains its own head, the last stage the model's. The upload is a
     * {@link BitmaskPayload} of the model and the heads this client trained, so the server averages
     * each head over the clients that trained it.
     */
    private FitResult fitMultiHead(ClientContext ctx, FitInstructions instructions, StageTraining.Hyper h,
            DepthPlan plan) {
        BlockLayout layout = BlockLayout.multiHead(ctx.model());
        int n = Math.toIntExact(layout.totalCount());
        int d = Math.toIntExact(layout.baseCount());
        if (!(instructions.payload() instanceof DensePayload down) || down.dimension() != n) {
            throw new IllegalArgumentException("m-FeDepth expects the model and its " + (n - d) + " head parameters"
                    + " dense (" + n + " values), got " + instructions.payload());
        }
        java.util.List<long[]> ranges = new java.util.ArrayList<>();
        ranges.add(new long[] {0, d});
        if (!plan.isWhole()) {
            for (DepthPlan.Stage s : plan.stages()) {
                long[] r = layout.auxRange(s.to());
                if (r[1] > 0) {
                    ranges.add(r);
                }
            }
        }
        long sent = ranges.stream().mapToLong(r -> r[1]).sum();
        dev.thimble.tensor.BitMask mask = ctx.uplink().mask(n);
        DenseF32 values = ctx.uplink().dense(Math.toIntExact(sent));
        try {
            StageTraining.Totals t;
            if (plan.isWhole()) {
                t = StageTraining.whole(ctx.model(), dev.thimble.fl.core.Payload.dense(down.values().view(0, d)),
                        values, ctx.data(), h, ctx.seed(), ctx.arena(), ctx.kernels());
            } else {
                t = new StageTraining.Totals(0, 0, 0);
                try (DenseF32 full = ctx.arena().dense(n)) {
                    down.scatterInto(full);
                    int i = 0;
                    for (DepthPlan.Stage s : plan.stages()) {
                        long seed = ctx.seed() ^ (0x9E3779B97F4A7C15L * ++i);
                        t = t.plus(StageTraining.stage(layout, s, full, ctx.data(), h, seed, ctx.arena(),
                                ctx.kernels()));
                    }
                    long at = 0;
                    for (long[] r : ranges) {
                        values.view(at, Math.toIntExact(r[1])).copyFrom(full.view(r[0], Math.toIntExact(r[1])));
                        at += r[1];
                    }
                }
            }
            for (long[] r : ranges) {
                for (long j = r[0]; j < r[0] + r[1]; j++) {
                    mask.set(j, true);
                }
            }
            double loss = t.samples() == 0 ? Double.NaN : t.lossSum() / t.samples();
            return new FitResult(new BitmaskPayload(mask, values), ctx.data().size(), loss, t.flops());
        } catch (RuntimeException | Error e) {
            mask.close();
            values.close();
            throw e;
        }
    }

    private static FitResult whole(ClientContext ctx, FitInstructions instructions, StageTraining.Hyper h) {
        DenseF32 upload = ctx.uplink().dense(Math.toIntExact(ctx.model().parameterCount()));
        try {
            StageTraining.Totals t = StageTraining.whole(ctx.model(), instructions.payload(), upload, ctx.data(), h,
                    ctx.seed(), ctx.arena(), ctx.kernels());
            return new FitResult(DensePayload.owning(upload), ctx.data().size(),
                    t.samples() == 0 ? Double.NaN : t.lossSum() / t.samples(), t.flops());
        } catch (RuntimeException | Error e) {
            upload.close();
            throw e;
        }
    }

    @Override
    public FitResult fit(ClientContext ctx, FitInstructions instructions) {
        TrainConfig cfg = instructions.config();
        StageTraining.Hyper h = new StageTraining.Hyper(cfg.localEpochs(), cfg.batchSize(), cfg.learningRate(),
                cfg.momentum(), cfg.extra(FeDepth.WEIGHT_DECAY_KEY, FeDepth.WEIGHT_DECAY));
        if (multiHead) {
            return fitMultiHead(ctx, instructions, h, plan(ctx, cfg));
        }
        if (ctx.arena().limitBytes() == Long.MAX_VALUE && split == DepthPlanner.Split.MEASURED && !mutual) {
            // no budget: nothing to decompose (and any architecture trains whole)
            return whole(ctx, instructions, h);
        }
        DepthPlan plan = plan(ctx, cfg);
        int d = Math.toIntExact(ctx.model().parameterCount());
        DenseF32 upload = ctx.uplink().dense(d);
        try {
            StageTraining.Totals t;
            if (mutualFits(ctx, cfg, plan)) {
                float[] aux = auxiliary.computeIfAbsent(ctx.clientId(), k -> initialAuxiliary(ctx));
                synchronized (aux) { // a client trains in one thread per round; the lock documents ownership
                    t = StageTraining.mutual(ctx.model(), instructions.payload(), upload, aux, lambda, ctx.data(), h,
                            ctx.seed(), ctx.arena(), ctx.kernels());
                }
            } else if (plan.isWhole()) {
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
