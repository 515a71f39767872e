package dev.thimble.fl.strategy;

import dev.thimble.fl.core.Aggregation;
import dev.thimble.fl.core.ClientFailure;
import dev.thimble.fl.core.ClientResult;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.ops.MaskOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * FedDIP: Long, Anagnostopoulos, Parambath and Bi, "FedDIP: Federated Learning with Extreme
 * Dynamic Pruning and Incremental Regularization", ICDM 2023, arXiv:2309.06805, as its reference
 * code {@code EricLoong/feddip} runs it (methods.md §3.1, "code-faithful" variant).
 *
 * <p>Round t (the loop's round minus one) of T: the server sends the global model (already
 * masked) with learning rate {@code η_0·0.998^t}, λ_t ({@link FedDipSchedules#lambda}), weight
 * decay 5e-4 and s_0; clients train with {@link FedDipClientTrainer}. The server then takes the
 * example-weighted mean, re-applies the <em>old</em> mask, and when {@code t mod R == 0} prunes
 * globally by magnitude to {@code round(s_t·n)} zeros over the n prunable weights (conv and linear
 * weights; biases are never pruned), choosing only among the old mask's positions, so masks only
 * shrink, and masks the model again.
 *
 * <p>Wire format: before the first pruning (t = 0) the download is dense and the clients use their
 * own ERK random masks; afterwards the download is a {@link dev.thimble.fl.core.BitmaskPayload}
 * of the global mask (biases always set) and the values at its positions, {@code 4·nnz + ⌈d/8⌉}
 * bytes, sent every round although the mask changes only every R rounds (the code counts values
 * only, in Mbit; methods.md §3.2). Uploads are as described in {@link FedDipClientTrainer}.
 *
 * <p>{@link Variant#REGROWTH} is the paper-level reading (methods.md §3.1 "paper-level
 * description", UNCONFIRMED; error feedback as in Lin et al., "Dynamic Model Pruning with
 * Feedback", ICLR 2020: {@code w_{t+1} = w_t − η∇f(m_t ⊙ w_t)} on dense w): the server keeps a
 * dense copy w of the model, clients still train on and download the masked model but upload
 * their dense weights (4·d bytes), the server adds the mean change {@code Σ p_k w_k − m ⊙ w} to
 * the dense w, and every R rounds ranks all prunable weights of that dense w (not only the old
 * mask's), so pruned weights whose accumulated updates grow large enter the mask again. The
 * sparsity counts follow the same schedule; the global (evaluated, downloaded) model is
 * {@code m ⊙ w}.
 *
 * <p>{@link #pruneOnce} is the static-mask baseline: one global magnitude pruning to s_T after
 * the first aggregation, the same mask for the rest of the run, no regulariser.
 *
 * <p>Evaluation is the IID one (global model on the server test set) for every partition; the
 * code's non-IID mode averages the global model's accuracy over the clients' local test splits.
 */
public final class FedDip extends FedAvg {
    /** How the server treats pruned weights. */
    public enum Variant {
        /** The reference code: the old mask is re-applied before pruning, so masks only shrink. */
        CODE,
        /** The paper's error feedback on a dense server copy: pruned weights may re-enter the mask. */
        REGROWTH
    }

    /** Configuration key telling clients to upload their dense weights (the regrowth variant). */
    public static final String DENSE_UPLOAD_KEY = "feddip_dense_upload";
    /** Configuration key of λ_t. */
    public static final String LAMBDA_KEY = "feddip_lambda";
    /** Configuration key of the SGD weight decay. */
    public static final String WEIGHT_DECAY_KEY = "feddip_weight_decay";
    /** Configuration key of s_0 (the round-0 ERK mask has density 1 − s_0). */
    public static final String INIT_SPARSITY_KEY = "feddip_init_sparsity";
    /** The code's weight decay. */
    public static final double WEIGHT_DECAY = 5e-4;
    /** Default s_0. */
    public static final double DEFAULT_INIT_SPARSITY = 0.5;
    /** Default s_T. */
    public static final double DEFAULT_TARGET_SPARSITY = 0.9;
    /** Default R (the code's README run). */
    public static final int DEFAULT_INTERVAL = 5;
    /** Default λ_max. */
    public static final double DEFAULT_LAMBDA_MAX = 1e-3;

    private final int rounds;
    private final double initSparsity;
    private final double targetSparsity;
    private final int interval;
    private final double lambdaMax;
    private final Variant variant;
    private final String name;
    private float[] dense; // REGROWTH: the dense server copy w (heap, like the mask)
    private BitSet mask; // over all parameters; null before the first pruning (heap: the loop never closes strategies)
    private Payload download; // this round's bitmask download, freed after aggregation
    private final List<Long> keptHistory = new ArrayList<>();

    /**
     * FedDIP.
     *
     * @param config local hyperparameters; its learning rate is η_0
     * @param rounds T, the run's number of rounds
     * @param initSparsity s_0 in [0, 1)
     * @param targetSparsity s_T in [s_0, 1)
     * @param interval R ≥ 1
     * @param lambdaMax λ_max ≥ 0; 0 turns the regulariser off
     */
    public FedDip(TrainConfig config, int rounds, double initSparsity, double targetSparsity, int interval,
            double lambdaMax) {
        this(config, rounds, initSparsity, targetSparsity, interval, lambdaMax, Variant.CODE, "feddip");
    }

    /**
     * FedDIP in the given variant.
     *
     * @param variant {@link Variant#CODE} (the reference code) or {@link Variant#REGROWTH}
     * @param name the method's name as users type it
     */
    public FedDip(TrainConfig config, int rounds, double initSparsity, double targetSparsity, int interval,
            double lambdaMax, Variant variant, String name) {
        super(config);
        if (rounds < 1 || interval < 1) {
            throw new IllegalArgumentException("FedDIP: T and R must be at least 1, got " + rounds + ", " + interval);
        }
        if (!(initSparsity >= 0 && initSparsity < 1 && targetSparsity >= initSparsity && targetSparsity < 1)) {
            throw new IllegalArgumentException("FedDIP: need 0 <= s_0 <= s_T < 1, got " + initSparsity + ", "
                    + targetSparsity);
        }
        if (!(lambdaMax >= 0) || !Double.isFinite(lambdaMax)) {
            throw new IllegalArgumentException("FedDIP: λ_max must be finite and >= 0, got " + lambdaMax);
        }
        this.rounds = rounds;
        this.initSparsity = initSparsity;
        this.targetSparsity = targetSparsity;
        this.interval = interval;
        this.lambdaMax = lambdaMax;
        this.variant = java.util.Objects.requireNonNull(variant, "variant");
        this.name = java.util.Objects.requireNonNull(name, "name");
    }

    /**
     * The prune-once baseline: magnitude pruning to {@code sparsity} once, after the first round
     * (whose clients train on ERK masks of that density), a static mask afterwards, no
     * regulariser; otherwise FedDIP's schedules and wire format.
     */
    public static FedDip pruneOnce(TrainConfig config, int rounds, double sparsity) {
        return new FedDip(config, rounds, sparsity, sparsity, Integer.MAX_VALUE, 0, Variant.CODE, "prune-once");
    }

    /** The variant. */
    public Variant variant() {
        return variant;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    protected TrainConfig fitConfig(int round) {
        int t = round - 1;
        TrainConfig c = config();
        TrainConfig out = new TrainConfig(c.localEpochs(), c.batchSize(),
                FedDipSchedules.learningRate(c.learningRate(), t), c.momentum(), c.extra())
                .with(LAMBDA_KEY, FedDipSchedules.lambda(Math.min(t, rounds), rounds, lambdaMax))
                .with(WEIGHT_DECAY_KEY, WEIGHT_DECAY)
                .with(INIT_SPARSITY_KEY, initSparsity);
        return variant == Variant.REGROWTH ? out.with(DENSE_UPLOAD_KEY, 1) : out;
    }

    @Override
    public List<FitInstructions> configureFit(int round, ServerState state, int[] sampledClients) {
        closeDownload();
        if (round == 1) { // a new run
            mask = null;
            dense = null;
            keptHistory.clear();
        }
        if (mask == null) {
            return super.configureFit(round, state, sampledClients);
        }
        try (BitMask m = toMask(state)) {
            download = FedDipClientTrainer.gather(state.arena(), state.global(), m);
        }
        TrainConfig c = fitConfig(round);
        List<FitInstructions> out = new ArrayList<>(sampledClients.length);
        for (int id : sampledClients) {
            out.add(new FitInstructions(id, download, c));
        }
        return out;
    }

    @Override
    public void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures,
            ServerState state) {
        closeDownload();
        TensorArena arena = state.arena();
        DenseF32 global = state.global();
        List<DenseF32> models = new ArrayList<>(results.size());
        try {
            for (ClientResult r : results) {
                DenseF32 m = arena.dense(Math.toIntExact(global.size()));
                models.add(m);
                r.fit().payload().scatterInto(m); // positions not sent stay 0 and are masked below
            }
            Aggregation.weightedMean(state.kernels(), Aggregation.exampleWeights(results), models, global);
        } finally {
            for (DenseF32 m : models) {
                m.close();
            }
        }
        if (variant == Variant.REGROWTH) {
            accumulateDense(global);
        }
        applyMask(state);
        int t = round - 1;
        if (t % interval == 0 && t <= rounds) {
            if (variant == Variant.REGROWTH) {
                mask = null; // rank the whole dense copy: pruned weights may come back
                writeDense(global);
            }
            prune(state, FedDipSchedules.sparsity(t, rounds, initSparsity, targetSparsity));
            applyMask(state);
        }
        keptHistory.add(keptPrunable(state));
    }

    /**
     * REGROWTH: {@code w ← w + (mean − m ⊙ w)} where mean is in {@code global}; then
     * {@code global} holds the mean until it is masked. Before the first mask w is the mean.
     */
    private void accumulateDense(DenseF32 global) {
        int d = Math.toIntExact(global.size());
        if (dense == null) {
            dense = new float[d];
            for (int i = 0; i < d; i++) {
                dense[i] = global.get(i);
            }
            return;
        }
        for (int i = 0; i < d; i++) {
            float sent = mask.get(i) ? dense[i] : 0f; // what the clients started from
            dense[i] += global.get(i) - sent;
        }
    }

    private void writeDense(DenseF32 global) {
        for (int i = 0; i < dense.length; i++) {
            global.set(i, dense[i]);
        }
    }

    /** REGROWTH: a copy of the server's dense weights (null before the first aggregation or in CODE). */
    public synchronized float[] denseWeights() {
        return dense == null ? null : dense.clone();
    }

    /** Global magnitude pruning to round(s·n) zeros among the prunable weights inside the old mask. */
    private void prune(ServerState state, double sparsity) {
        TensorArena arena = state.arena();
        DenseF32 global = state.global();
        List<long[]> ranges = prunableRanges(state); // {offset, size}
        long n = 0;
        for (long[] r : ranges) {
            n += r[1];
        }
        long keep = n - FedDipSchedules.prunedCount(sparsity, n);
        BitSet next = new BitSet();
        next.set(0, Math.toIntExact(global.size()));
        try (DenseF32 values = arena.dense(Math.toIntExact(n));
                BitMask within = arena.mask(Math.toIntExact(n))) {
            long k = 0;
            for (long[] r : ranges) {
                for (long i = 0; i < r[1]; i++, k++) {
                    values.set(k, global.get(r[0] + i));
                    within.set(k, mask == null || mask.get(Math.toIntExact(r[0] + i)));
                }
            }
            keep = Math.min(keep, within.cardinality());
            try (BitMask kept = MaskOps.topK(state.kernels(), arena, values, keep, within)) {
                k = 0;
                for (long[] r : ranges) {
                    for (long i = 0; i < r[1]; i++, k++) {
                        next.set(Math.toIntExact(r[0] + i), kept.get(k));
                    }
                }
            }
        }
        mask = next;
    }

    private static List<long[]> prunableRanges(ServerState state) {
        List<long[]> out = new ArrayList<>();
        long offset = 0;
        for (ParamSpec s : state.model().parameterSpecs()) {
            if (s.prunable()) {
                out.add(new long[] {offset, s.size()});
            }
            offset += s.size();
        }
        return out;
    }

    private long keptPrunable(ServerState state) {
        if (mask == null) {
            return -1;
        }
        long kept = 0;
        for (long[] r : prunableRanges(state)) {
            for (long i = 0; i < r[1]; i++) {
                if (mask.get(Math.toIntExact(r[0] + i))) {
                    kept++;
                }
            }
        }
        return kept;
    }

    /**
     * After each aggregation, the number of prunable weights the global mask keeps (−1 while
     * there is no mask), for tests and reports.
     */
    public synchronized List<Long> keptHistory() {
        return List.copyOf(keptHistory);
    }

    /** A copy of the current global mask over all parameters (null before the first pruning). */
    public synchronized BitSet mask() {
        return mask == null ? null : (BitSet) mask.clone();
    }

    private void applyMask(ServerState state) {
        if (mask != null) {
            try (BitMask m = toMask(state)) {
                VectorOps.applyMask(state.kernels(), state.global(), m);
            }
        }
    }

    private BitMask toMask(ServerState state) {
        int d = Math.toIntExact(state.global().size());
        BitMask m = state.arena().mask(d);
        for (int i = mask.nextSetBit(0); i >= 0 && i < d; i = mask.nextSetBit(i + 1)) {
            m.set(i, true);
        }
        return m;
    }

    private void closeDownload() {
        if (download != null) {
            download.close();
            download = null;
        }
    }
}
