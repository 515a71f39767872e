package dev.thimble.fl.strategy;

import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.nn.Swat;

/**
 * "SWAT in FL", ZeroFL's baseline (Qiu et al., "ZeroFL: Efficient On-Device Training for Federated
 * Learning with Local Sparsity", ICLR 2022, methods.md §4): FedAvg whose clients train locally with
 * SWAT-U ({@link Swat}, {@link SwatClientTrainer}) and upload their full models dense; the server
 * takes the plain example-weighted mean.
 *
 * <p>Learning rate: {@code η_t = η_0·(η_T/η_0)^{t/T}} for round t = 0 … T−1 (the loop's round
 * minus one), the exponential interpolation of the same lab's ZeroFL re-implementation
 * ({@code relogu/fl_powerpropagation}, {@code client.py}; 0.1 → 0.01 there). {@code η_T = η_0}
 * gives a constant rate. The SGD weight decay (1e-3 in that configuration, no momentum there) is a
 * constructor argument; the CLI leaves it at 0 and uses {@code --momentum} as for FedAvg.
 */
public class SwatFedAvg extends FedAvg {
    /** Configuration key of s. */
    public static final String SPARSITY_KEY = "swat_sparsity";
    /** Configuration key of the top-k period. */
    public static final String PERIOD_KEY = "swat_topk_period";
    /** Configuration key of the in-place variant (1 on, 0 off). */
    public static final String IN_PLACE_KEY = "swat_in_place";
    /** Configuration key of the SGD weight decay. */
    public static final String WEIGHT_DECAY_KEY = "swat_weight_decay";
    /** η_T / η_0 of the re-implementation (0.1 → 0.01). */
    public static final double DEFAULT_FINAL_LR_RATIO = 0.1;

    private final Swat swat;
    private final int rounds;
    private final double finalLearningRate;
    private final double weightDecay;

    /**
     * @param config local hyperparameters; its learning rate is η_0
     * @param swat the clients' SWAT settings
     * @param rounds T, the run's rounds, at least 1
     * @param finalLearningRate η_T, positive
     * @param weightDecay SGD weight decay, at least 0
     */
    public SwatFedAvg(TrainConfig config, Swat swat, int rounds, double finalLearningRate, double weightDecay) {
        super(config);
        this.swat = java.util.Objects.requireNonNull(swat, "swat");
        if (rounds < 1) {
            throw new IllegalArgumentException(name() + ": rounds must be at least 1, got " + rounds);
        }
        if (!(finalLearningRate > 0) || !Double.isFinite(finalLearningRate)) {
            throw new IllegalArgumentException(name() + ": the final learning rate must be positive and finite, got "
                    + finalLearningRate);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException(name() + ": weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.rounds = rounds;
        this.finalLearningRate = finalLearningRate;
        this.weightDecay = weightDecay;
    }

    @Override
    public String name() {
        return "swat-fedavg";
    }

    /** The clients' SWAT settings. */
    public Swat swat() {
        return swat;
    }

    /** {@code η_0·(η_T/η_0)^{t/T}}. */
    static double learningRate(double initial, double last, int t, int rounds) {
        return initial * Math.pow(last / initial, (double) t / rounds);
    }

    @Override
    protected TrainConfig fitConfig(int round) {
        TrainConfig c = config();
        double lr = learningRate(c.learningRate(), finalLearningRate, Math.min(round - 1, rounds), rounds);
        return new TrainConfig(c.localEpochs(), c.batchSize(), lr, c.momentum(), c.extra())
                .with(SPARSITY_KEY, swat.sparsity())
                .with(PERIOD_KEY, swat.topkPeriod())
                .with(IN_PLACE_KEY, swat.zeroDroppedInPlace() ? 1 : 0)
                .with(WEIGHT_DECAY_KEY, weightDecay);
    }

    /** The SWAT settings a client reads back from its configuration. */
    static Swat swatOf(TrainConfig c) {
        return new Swat(c.extra(SPARSITY_KEY, 0), (int) c.extra(PERIOD_KEY, Swat.DEFAULT_TOPK_PERIOD),
                c.extra(IN_PLACE_KEY, 0) != 0);
    }
}
