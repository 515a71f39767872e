package dev.thimble.fl.strategy;

import dev.thimble.fl.core.Aggregation;
import dev.thimble.fl.core.ClientFailure;
import dev.thimble.fl.core.ClientResult;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.nn.Swat;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.util.ArrayList;
import java.util.List;

/**
 * ZeroFL: Qiu, Fernandez-Marques, Gusmão, Gao, Parcollet and Lane, "ZeroFL: Efficient On-Device
 * Training for Federated Learning with Local Sparsity", ICLR 2022 (methods.md §4). No official code
 * exists; the protocol follows the same lab's re-implementation ({@code relogu/fl_powerpropagation},
 * task {@code cifar_zerofl}) where the paper is not explicit.
 *
 * <p>Round t: the server sends the dense global model (downlink dense, UNCONFIRMED) with the
 * {@link SwatFedAvg} learning-rate schedule; each client trains E epochs with SWAT-U at sparsity s
 * ({@link SwatClientTrainer}) and uploads a sparse payload of density {@code ρ = (1 − s) + r}
 * over the conv/linear weights, biases dense ({@link ZeroFlUpload}), in one of three variants:
 * Top-K-Weights (the default; the re-implementation's only one), Diff on Top-K-Weights and
 * Top-K-Weights Diff (both UNCONFIRMED reconstructions). The server aggregates with FedAvgNZ
 * ({@link FedAvgNz}): for Top-K-Weights the global model becomes the example-weighted mean with
 * unsent entries counted as 0; for the diff variants {@code W ← W_global + Σ_k p_k·U_k}.
 *
 * <p>Option {@link Mean#SENDERS}: every entry is averaged over the clients that sent it, and an
 * entry nobody sent keeps its global value (Top-K-Weights) or is not updated (diff variants), via
 * {@link Aggregation#maskedMean}. That is what the name "FedAvgNZ" (non-zero) suggests; the
 * re-implementation's {@code aggregate} divides by the total example count instead, and the
 * version of its {@code aggregate_fit} we could read applies sparse uploads as additive deltas (as
 * the diff variants here do). Zero-filling shrinks every weight fewer than all clients sent, so it is the
 * default only because methods.md specifies it.
 *
 * <p>Defaults: s = 0.9 (0.95 the paper's other level), r = 0 (the re-implementation's
 * {@code task.mask}), top-k period 10, η_T = η_0/10. Evaluation is of the dense global model.
 */
public final class ZeroFl extends SwatFedAvg {
    /** Configuration key of the upload variant (its ordinal). */
    public static final String UPLOAD_KEY = "zerofl_upload";
    /** Configuration key of the mask ratio r. */
    public static final String MASK_RATIO_KEY = "zerofl_mask_ratio";
    /** ZeroFL's default sparsity. */
    public static final double DEFAULT_SPARSITY = 0.9;

    /** How FedAvgNZ treats an entry a client did not send. */
    public enum Mean {
        /** As 0, divided by the total examples (the re-implementation's {@code aggregate}; default). */
        ZERO_FILL("zero-fill"),
        /** Not at all: the mean over the clients that sent it. */
        SENDERS("senders");

        private final String label;

        Mean(String label) {
            this.label = label;
        }

        /** The name users type. */
        public String label() {
            return label;
        }

        /** The mean called {@code name}, or an exception naming the known ones. */
        public static Mean parse(String name) {
            for (Mean m : values()) {
                if (m.label.equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown ZeroFL mean '" + name + "'; known: zero-fill, senders");
        }
    }

    private final ZeroFlUpload.Variant variant;
    private final double maskRatio;
    private final Mean mean;

    /**
     * @param config local hyperparameters; its learning rate is η_0
     * @param swat the clients' SWAT settings (s is also the upload's sparsity before r)
     * @param maskRatio r, with {@code (1 − s) + r} in [0, 1]
     * @param variant one of the three sparse uploads
     * @param rounds T
     * @param finalLearningRate η_T
     * @param weightDecay SGD weight decay
     */
    public ZeroFl(TrainConfig config, Swat swat, double maskRatio, ZeroFlUpload.Variant variant, int rounds,
            double finalLearningRate, double weightDecay) {
        this(config, swat, maskRatio, variant, Mean.ZERO_FILL, rounds, finalLearningRate, weightDecay);
    }

    /** ZeroFL with a choice of {@link Mean}; the other parameters as above. */
    public ZeroFl(TrainConfig config, Swat swat, double maskRatio, ZeroFlUpload.Variant variant, Mean mean,
            int rounds, double finalLearningRate, double weightDecay) {
        super(config, swat, rounds, finalLearningRate, weightDecay);
        this.mean = java.util.Objects.requireNonNull(mean, "mean");
        ZeroFlUpload.density(swat.sparsity(), maskRatio);
        if (variant == null || variant == ZeroFlUpload.Variant.DENSE) {
            throw new IllegalArgumentException("ZeroFL needs a sparse upload variant (topk-weights,"
                    + " diff-on-topk-weights or topk-weights-diff), got " + variant + "; the dense one is swat-fedavg");
        }
        this.variant = variant;
        this.maskRatio = maskRatio;
    }

    @Override
    public String name() {
        return "zerofl";
    }

    /** How unsent entries are averaged. */
    public Mean mean() {
        return mean;
    }

    /** The upload variant. */
    public ZeroFlUpload.Variant variant() {
        return variant;
    }

    @Override
    protected TrainConfig fitConfig(int round) {
        return super.fitConfig(round).with(UPLOAD_KEY, variant.ordinal()).with(MASK_RATIO_KEY, maskRatio);
    }

    /** {@link Mean#SENDERS}: {@link Aggregation#maskedMean} of the expanded uploads. */
    private void sendersMean(List<ClientResult> results, List<Payload> uploads, ServerState state) {
        DenseF32 global = state.global();
        int d = Math.toIntExact(global.size());
        List<DenseF32> xs = new ArrayList<>();
        List<BitMask> masks = new ArrayList<>();
        try (DenseF32 out = variant.isDiff() ? state.arena().dense(d) : state.arena().copyOf(global)) {
            try {
                for (Payload p : uploads) {
                    DenseF32 x = state.arena().dense(d);
                    xs.add(x);
                    p.scatterInto(x);
                    BitMask m = state.arena().mask(d);
                    masks.add(m);
                    p.presenceInto(m);
                }
                Aggregation.maskedMean(Aggregation.exampleWeights(results), xs, masks, out);
            } finally {
                xs.forEach(DenseF32::close);
                masks.forEach(BitMask::close);
            }
            if (variant.isDiff()) {
                VectorOps.axpy(state.kernels(), 1f, out, global);
            } else {
                global.copyFrom(out);
            }
        }
    }

    /** The upload variant a client reads from its configuration (dense when absent). */
    static ZeroFlUpload.Variant variantOf(TrainConfig c) {
        int i = (int) c.extra(UPLOAD_KEY, ZeroFlUpload.Variant.DENSE.ordinal());
        ZeroFlUpload.Variant[] all = ZeroFlUpload.Variant.values();
        if (i < 0 || i >= all.length) {
            throw new IllegalArgumentException("unknown ZeroFL upload variant number " + i);
        }
        return all[i];
    }

    /** FedAvgNZ into the global model. */
    @Override
    public void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures,
            ServerState state) {
        List<Payload> uploads = new ArrayList<>(results.size());
        for (ClientResult r : results) {
            uploads.add(r.fit().payload());
        }
        DenseF32 global = state.global();
        if (mean == Mean.SENDERS) {
            sendersMean(results, uploads, state);
            return;
        }
        try (DenseF32 scratch = state.arena().dense(Math.toIntExact(global.size()));
                DenseF32 sum = state.arena().dense(Math.toIntExact(global.size()))) {
            FedAvgNz.zeroFilledMean(state.kernels(), Aggregation.exampleWeights(results), uploads, scratch, sum);
            if (variant.isDiff()) {
                VectorOps.axpy(state.kernels(), 1f, sum, global);
            } else {
                global.copyFrom(sum);
            }
        }
    }
}
