package dev.thimble.fl.depth;

import dev.thimble.fl.core.Aggregation;
import dev.thimble.fl.core.ClientFailure;
import dev.thimble.fl.core.ClientResult;
import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.core.Strategy;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.tensor.DenseF32;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The width-slimming baseline FeDepth compares with: HeteroFL, Diao, Ding and Tarokh,
 * "HeteroFL: Computation and Communication Efficient Federated Learning for Heterogeneous
 * Clients", ICLR 2021, arXiv:2010.01264, under FeDepth's budgets (methods.md §5.3).
 *
 * <p>Each budget group g trains the width-w_g sub-network ({@link WidthSlicing}: the first
 * ⌈w·c⌉ channels of every layer), w = {0.165, 0.33, 0.5, 1} by default as in FeDepth's baseline
 * scripts. A width whose measured training memory ({@link MemoryProbe}, the same accounting as
 * FeDepth's) exceeds its group's budget is lowered in steps of 0.005 until it fits, and the
 * widths used are logged ({@link #effectiveWidths}). The server sends each client its sub-network
 * (dense, 4·d_w bytes) with the same cosine learning rate and weight decay as {@link FeDepth}; the
 * client trains it whole with SGD ({@link HeteroFlClientTrainer}) and uploads it; each global entry
 * becomes the example-weighted mean over the clients holding it.
 *
 * <p>Not implemented: HeteroFL's static-BN "scaler" (outputs scaled by 1/w in training) and
 * masked cross-entropy; BN uses batch statistics everywhere as in FeDepth's runs.
 */
public final class HeteroFl implements Strategy {
    private static final Logger LOG = LoggerFactory.getLogger(HeteroFl.class);
    /** Configuration key of the client's width multiplier. */
    public static final String WIDTH_KEY = "heterofl_width";
    /** FeDepth's baseline widths. */
    public static final double[] DEFAULT_WIDTHS = {0.165, 0.33, 0.5, 1.0};
    private static final double STEP = 0.005;

    private final TrainConfig config;
    private final int rounds;
    private final int numClients;
    private final MemoryBudgets budgets;
    private final double[] widths;
    private double[] effective;
    private final Map<Double, DenseF32> downloads = new TreeMap<>(); // this round's, in the server arena

    /**
     * HeteroFL.
     *
     * @param config local hyperparameters (η is η_max of the cosine schedule)
     * @param rounds T
     * @param numClients N
     * @param budgets the memory groups (one width per group)
     * @param widths the requested width of each group, in (0, 1]
     */
    public HeteroFl(TrainConfig config, int rounds, int numClients, MemoryBudgets budgets, double[] widths) {
        this.config = Objects.requireNonNull(config, "config");
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        if (rounds < 1 || numClients < 1) {
            throw new IllegalArgumentException("HeteroFL: rounds and clients must be at least 1, got " + rounds + " and "
                    + numClients);
        }
        if (widths.length != budgets.groups()) {
            throw new IllegalArgumentException("HeteroFL: " + widths.length + " widths for " + budgets.groups()
                    + " budget groups");
        }
        for (double w : widths) {
            WidthSlicing.width(1, w);
        }
        this.rounds = rounds;
        this.numClients = numClients;
        this.widths = widths.clone();
    }

    @Override
    public String name() {
        return "heterofl";
    }

    /** The width each group trains (after fitting to the budgets; null before the first round). */
    public synchronized double[] effectiveWidths() {
        return effective == null ? null : effective.clone();
    }

    @Override
    public List<FitInstructions> configureFit(int round, ServerState state, int[] sampledClients) {
        double[] w = fitWidths(state);
        Model full = state.model();
        List<ParamSpec> fullSpecs = full.parameterSpecs();
        TrainConfig c = new TrainConfig(config.localEpochs(), config.batchSize(),
                FeDepth.cosineLr(config.learningRate(), round, rounds), config.momentum(), config.extra())
                .with(FeDepth.WEIGHT_DECAY_KEY, FeDepth.WEIGHT_DECAY);
        List<FitInstructions> out = new ArrayList<>(sampledClients.length);
        for (int id : sampledClients) {
            double wk = w[budgets.group(id, numClients)];
            DenseF32 down = downloads.computeIfAbsent(wk, key -> {
                Model slim = WidthSlicing.slim(full, key);
                DenseF32 v = state.arena().dense(Math.toIntExact(slim.parameterCount()));
                WidthSlicing.extract(fullSpecs, state.global(), slim.parameterSpecs(), v);
                return v;
            });
            out.add(new FitInstructions(id, Payload.dense(down), c.with(WIDTH_KEY, wk)));
        }
        return out;
    }

    @Override
    public void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures, ServerState state) {
        Model full = state.model();
        double[] w = fitWidths(state);
        List<List<ParamSpec>> specs = new ArrayList<>();
        List<DenseF32> xs = new ArrayList<>();
        for (ClientResult r : results) {
            if (!(r.fit().payload() instanceof DensePayload d)) {
                throw new IllegalStateException("HeteroFL expects dense uploads, client " + r.clientId() + " sent "
                        + r.fit().payload().getClass().getSimpleName());
            }
            specs.add(WidthSlicing.slim(full, w[budgets.group(r.clientId(), numClients)]).parameterSpecs());
            xs.add(d.values());
        }
        WidthSlicing.aggregate(full.parameterSpecs(), state.global(), specs, xs, Aggregation.exampleWeights(results));
    }

    /** This round's slimmed downloads are freed whether or not the round aggregated. */
    @Override
    public void endRound(int round, ServerState state) {
        freeDownloads();
    }

    @Override
    public long clientMemoryBytes(int clientId, int numClients, ServerState state, long configuredBytes) {
        return budgets.clientBudget(clientId, numClients, state);
    }

    /** Lowers each group's width until its measured training memory fits the group's budget (once). */
    private synchronized double[] fitWidths(ServerState state) {
        if (effective != null) {
            return effective;
        }
        double[] out = new double[widths.length];
        for (int g = 0; g < widths.length; g++) {
            long budget = budgets.budget(g, state);
            double w = widths[g];
            long need = MemoryProbe.whole(WidthSlicing.slim(state.model(), w), budgets.batch(), budgets.momentum(),
                    state.kernels());
            while (need > budget) {
                w = Math.round((w - STEP) * 1000) / 1000.0;
                if (w <= 0) {
                    throw new IllegalArgumentException("HeteroFL: no width fits group " + g + "'s budget of " + budget
                            + " bytes");
                }
                need = MemoryProbe.whole(WidthSlicing.slim(state.model(), w), budgets.batch(), budgets.momentum(),
                        state.kernels());
            }
            out[g] = w;
        }
        if (!Arrays.equals(out, widths)) {
            LOG.info("HeteroFL widths {} lowered to {} to fit the budgets", Arrays.toString(widths), Arrays.toString(out));
        }
        effective = out;
        return out;
    }

    private void freeDownloads() {
        for (DenseF32 v : downloads.values()) {
            v.close();
        }
        downloads.clear();
    }
}
