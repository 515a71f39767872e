package dev.thimble.fl.depth;

import dev.thimble.fl.core.Aggregation;
import dev.thimble.fl.core.ClientFailure;
import dev.thimble.fl.core.ClientResult;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.strategy.FedAvg;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * FeDepth: Zhang, Dai, Wang, Xing, Chen and Sun, "Memory-adaptive Depth-wise Heterogeneous
 * Federated Learning", arXiv:2303.04887, as its code {@code taokz/FeDepth} runs it (methods.md §5).
 *
 * <p>Devices: clients fall in equal groups by index with memory budgets {1/6, 1/3, 1/2, 1} × the
 * full model's training memory ({@link MemoryBudgets}); the loop limits each client's arena to its
 * budget through {@link #clientMemoryBytes}. Each client decomposes the model into stages of
 * blocks that fit its budget and trains them in turn ({@link FeDepthClientTrainer}), E local
 * epochs per stage, so every client returns a full model.
 *
 * <p>Server: the global model goes to every sampled client dense (4·d bytes) with the round's
 * learning rate on FeDepth's cosine schedule {@code η_t = ½·η_max·(1 + cos(π·t/T))}, t = round − 1
 * (η_min = 0), weight decay 5e-4 and the client's budget group ({@value #GROUP_KEY}, used by the
 * table split); uploads are full dense models and the server takes the example-weighted mean of
 * all of them, as FedAvg (FeDepth's optional group re-weighting {@code --resouce_w} is not
 * implemented). Evaluation uses the full global model.
 */
public final class FeDepth extends FedAvg {
    /** Configuration key of the client's budget group (0 = smallest). */
    public static final String GROUP_KEY = "fedepth_group";
    /** Configuration key of the SGD weight decay. */
    public static final String WEIGHT_DECAY_KEY = "fedepth_weight_decay";
    /** FeDepth's weight decay. */
    public static final double WEIGHT_DECAY = 5e-4;

    private final int rounds;
    private final int numClients;
    private final MemoryBudgets budgets;
    private final boolean multiHead;
    private float[] heads; // m-FeDepth's auxiliary heads (heap: the loop never closes strategies)
    private DenseF32 download; // this round's model + heads, freed after aggregation

    /**
     * FeDepth.
     *
     * @param config local hyperparameters; its learning rate is η_max, its epochs are per stage
     * @param rounds T, for the cosine schedule
     * @param numClients N, for the groups by client index
     * @param budgets the clients' memory groups
     */
    public FeDepth(TrainConfig config, int rounds, int numClients, MemoryBudgets budgets) {
        this(config, rounds, numClients, budgets, false);
    }

    /**
     * FeDepth, or m-FeDepth's multi-head variant ({@code fed_depth_mhead.py}) when {@code multiHead}:
     * the server also keeps one head per possible stage end ({@link BlockLayout#multiHead}), sends
     * them with the model (dense), and averages each head over the clients that trained it
     * (example-weighted; the code's hard-coded ×4/×2 factors are not reproduced). Evaluation uses
     * the model's own head only, as the code's {@code linear9}. Pair it with a multi-head
     * {@link FeDepthClientTrainer}.
     */
    public FeDepth(TrainConfig config, int rounds, int numClients, MemoryBudgets budgets, boolean multiHead) {
        super(config);
        this.multiHead = multiHead;
        if (rounds < 1 || numClients < 1) {
            throw new IllegalArgumentException("FeDepth: rounds and clients must be at least 1, got " + rounds + " and "
                    + numClients);
        }
        this.rounds = rounds;
        this.numClients = numClients;
        this.budgets = Objects.requireNonNull(budgets, "budgets");
    }

    /** FeDepth's cosine learning rate of round {@code round} (from 1) of T. */
    public static double cosineLr(double lrMax, int round, int rounds) {
        return 0.5 * lrMax * (1 + Math.cos(Math.PI * (round - 1) / rounds));
    }

    @Override
    protected TrainConfig fitConfig(int round) {
        TrainConfig c = config();
        return new TrainConfig(c.localEpochs(), c.batchSize(), cosineLr(c.learningRate(), round, rounds),
                c.momentum(), c.extra()).with(WEIGHT_DECAY_KEY, WEIGHT_DECAY);
    }

    /** The global model (with the heads for m-FeDepth) and the round's configuration with the client's group. */
    @Override
    public List<FitInstructions> configureFit(int round, ServerState state, int[] sampledClients) {
        Payload global = Payload.dense(multiHead ? withHeads(state) : state.global());
        TrainConfig c = fitConfig(round);
        List<FitInstructions> out = new ArrayList<>(sampledClients.length);
        for (int id : sampledClients) {
            out.add(new FitInstructions(id, global, c.with(GROUP_KEY, budgets.group(id, numClients))));
        }
        return out;
    }

    /**
     * Client k's budget: its group's fraction of the full model's training memory (the run's
     * {@code --client-memory}, when given, is that full-model figure and went into the budgets).
     */
    @Override
    public long clientMemoryBytes(int clientId, int numClients, ServerState state, long configuredBytes) {
        if (numClients != this.numClients) {
            throw new IllegalStateException("FeDepth was configured for " + this.numClients + " clients, the run has "
                    + numClients);
        }
        return budgets.clientBudget(clientId, numClients, state);
    }

    @Override
    public String name() {
        return multiHead ? "m-fedepth" : "fedepth";
    }

    /** m-FeDepth: each entry of model and heads becomes the example-weighted mean over the clients that sent it. */
    @Override
    public void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures, ServerState state) {
        if (!multiHead) {
            super.aggregateFit(round, results, failures, state);
            return;
        }
        int n = Math.toIntExact(download.size());
        int d = Math.toIntExact(state.global().size());
        List<DenseF32> xs = new ArrayList<>();
        List<BitMask> masks = new ArrayList<>();
        try {
            for (ClientResult r : results) {
                DenseF32 x = state.arena().dense(n);
                xs.add(x);
                BitMask m = state.arena().mask(n);
                masks.add(m);
                r.fit().payload().scatterInto(x);
                r.fit().payload().presenceInto(m);
            }
            Aggregation.maskedMean(Aggregation.exampleWeights(results), xs, masks, download);
            state.global().copyFrom(download.view(0, d));
            heads = download.view(d, n - d).toArray();
        } finally {
            xs.forEach(DenseF32::close);
            masks.forEach(BitMask::close);
        }
    }

    /** m-FeDepth's download (model + heads) is freed whether or not the round aggregated. */
    @Override
    public void endRound(int round, ServerState state) {
        if (download != null) {
            download.close();
            download = null;
        }
    }

    /** This round's download: the global model followed by the heads (initialised on first use). */
    private DenseF32 withHeads(ServerState state) {
        BlockLayout layout = BlockLayout.multiHead(state.model());
        int d = Math.toIntExact(layout.baseCount());
        int n = Math.toIntExact(layout.totalCount());
        if (heads == null) {
            heads = new float[n - d];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(0x4EADL);
            int at = 0;
            for (dev.thimble.fl.nn.ParamSpec p : layout.auxHeadSpecs()) {
                for (long i = 0; i < p.size(); i++) {
                    heads[at++] = p.init().bound() == 0 ? p.init().constant()
                            : (float) ((rng.nextDouble() * 2 - 1) * p.init().bound());
                }
            }
        }
        download = state.arena().dense(n);
        download.view(0, d).copyFrom(state.global());
        download.view(d, n - d).copyFrom(heads);
        return download;
    }

    /** The memory groups. */
    public MemoryBudgets budgets() {
        return budgets;
    }

}
