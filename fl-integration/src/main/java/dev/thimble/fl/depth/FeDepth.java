package dev.thimble.fl.depth;

import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.strategy.FedAvg;
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

    /**
     * FeDepth.
     *
     * @param config local hyperparameters; its learning rate is η_max, its epochs are per stage
     * @param rounds T, for the cosine schedule
     * @param numClients N, for the groups by client index
     * @param budgets the clients' memory groups
     */
    public FeDepth(TrainConfig config, int rounds, int numClients, MemoryBudgets budgets) {
        super(config);
        if (rounds < 1 || numClients < 1) {
            throw new IllegalArgumentException("FeDepth: rounds and clients must be at least 1, got " + rounds + " and "
                    + numClients);
        }
        this.rounds = rounds;
        this.numClients = numClients;
        this.budgets = Objects.requireNonNull(budgets, "budgets");
    }

    @Override
    public String name() {
        return "fedepth";
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

    /** The global model and the round's configuration with the client's group. */
    @Override
    public List<FitInstructions> configureFit(int round, ServerState state, int[] sampledClients) {
        Payload global = Payload.dense(state.global());
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

    /** The memory groups. */
    public MemoryBudgets budgets() {
        return budgets;
    }

}
