package dev.thimble.fl.strategy;

import dev.thimble.fl.pruning.NtkSap;
import dev.thimble.fl.pruning.ScoreCombination;
import dev.thimble.fl.zo.ZoEstimator;
import java.util.Locale;
import java.util.Objects;

/**
 * The settings of {@link NtkZo}: how the model is pruned before training (phase A) and how it is
 * trained without back-propagation (phase B). Defaults and their sources are in methods.md §2.7.
 *
 * @param pruning NTK (federated, data-free, default), RANDOM, MAGNITUDE (server-side, at
 *     initialisation, same density) or NONE (dense ZO, vanilla BAFFLE)
 * @param scorer how NTK clients compute their saliency: BP ({@link NtkSap}, default) or ZO
 *     ({@link dev.thimble.fl.pruning.ZoNtkSap})
 * @param density ρ, the fraction of prunable weights kept, in (0, 1]
 * @param pruneRounds T_p ≥ 1, federated pruning rounds (NTK only; the others prune at once)
 * @param pruneBatch samples in each client's Gaussian batch (NTK-SAP: 10 × classes)
 * @param ntkEpsilon NTK-SAP's ε
 * @param ntkDraws draws (θ, X, Δ) per client and round (NTK-SAP's R)
 * @param scoreDirections zeroth-order directions per draw when {@code scorer} is ZO
 * @param combination how the server combines the clients' saliencies
 * @param variant SEED (BAFFLE FedSGD with the seed trick, default) or FEDZO (local ZO-SGD)
 * @param directions K ≥ 1, perturbations per step
 * @param sigma σ &gt; 0, the perturbation scale (BAFFLE's σ, FedZO's μ)
 * @param localSteps H ≥ 1, local ZO-SGD steps per FedZO round
 * @param chunk c ≥ 1: a zeroth-order client streams its minibatch through the network c samples
 *     at a time ({@link ChunkedLoss}), so its activation buffers hold c samples, not B
 * @param emaDecay decay of the evaluation EMA of the weights in [0, 1), 0 = off (SEED only)
 * @param weightDecay the server Adam's L2 weight decay (BAFFLE: 5e-4)
 * @param seed the run seed (pruning draws, perturbation seeds)
 */
public record NtkZoSettings(Pruning pruning, Scorer scorer, double density, int pruneRounds, int pruneBatch,
        float ntkEpsilon, int ntkDraws, int scoreDirections, ScoreCombination combination, Variant variant,
        int directions, float sigma, int localSteps, int chunk, double emaDecay, float weightDecay, long seed) {

    /** How the mask is chosen. */
    public enum Pruning {
        /** Federated data-free NTK-SAP over T_p rounds (the paper's method). */
        NTK,
        /** Uniformly random weights, global budget, at initialisation. */
        RANDOM,
        /** Largest |w_0|, global budget, at initialisation. */
        MAGNITUDE,
        /** No pruning: dense zeroth-order training. */
        NONE;

        /** Parses {@code ntk|random|magnitude|none}. */
        public static Pruning parse(String s) {
            return parseEnum(Pruning.class, s, "--pruning");
        }
    }

    /** How an NTK client computes its saliency. */
    public enum Scorer {
        /** Back-propagation through two networks (NTK-SAP's code). */
        BP,
        /** Zeroth-order estimate on the relaxed mask (forward passes only). */
        ZO;

        /** Parses {@code bp|zo}. */
        public static Scorer parse(String s) {
            return parseEnum(Scorer.class, s, "--ntk-scorer");
        }
    }

    /** How phase B trains. */
    public enum Variant {
        /** BAFFLE FedSGD with the seed trick: K seeds down, K loss differences up, Adam on the server. */
        SEED,
        /** FedZO: H local ZO-SGD steps per client, sparse weight deltas up, FedAvg of the deltas. */
        FEDZO;

        /** Parses {@code seed|fedzo}. */
        public static Variant parse(String s) {
            return parseEnum(Variant.class, s, "--zo-variant");
        }
    }

    /** NTK-SAP prune batch: 10 × classes for 10 classes. */
    public static final int DEFAULT_PRUNE_BATCH = 100;
    /** Default ρ. */
    public static final double DEFAULT_DENSITY = 0.1;
    /** Default T_p. */
    public static final int DEFAULT_PRUNE_ROUNDS = 5;
    /** Default K (BAFFLE's MNIST README runs). */
    public static final int DEFAULT_DIRECTIONS = 100;
    /** Default zeroth-order directions per draw of the ZO scorer. */
    public static final int DEFAULT_SCORE_DIRECTIONS = 200;
    /** Default samples per zeroth-order forward chunk. */
    public static final int DEFAULT_CHUNK = 8;
    /** BAFFLE's Adam weight decay. */
    public static final float DEFAULT_WEIGHT_DECAY = 5e-4f;

    /** Validates every setting, naming the one that is wrong. */
    public NtkZoSettings {
        Objects.requireNonNull(pruning, "pruning");
        Objects.requireNonNull(scorer, "scorer");
        Objects.requireNonNull(combination, "combination");
        Objects.requireNonNull(variant, "variant");
        if (!(density > 0 && density <= 1)) {
            throw new IllegalArgumentException("ntk-zo: density must be in (0, 1], got " + density);
        }
        if (pruneRounds < 1) {
            throw new IllegalArgumentException("ntk-zo: pruning rounds T_p must be at least 1, got " + pruneRounds);
        }
        if (directions < 1) {
            throw new IllegalArgumentException("ntk-zo: K (perturbations per step) must be at least 1, got "
                    + directions);
        }
        if (!(sigma > 0) || !Float.isFinite(sigma)) {
            throw new IllegalArgumentException("ntk-zo: the perturbation scale sigma must be positive, got " + sigma);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("ntk-zo: the evaluation chunk must be at least 1 sample, got " + chunk);
        }
        if (pruneBatch < 1 || ntkDraws < 1 || scoreDirections < 1 || localSteps < 1) {
            throw new IllegalArgumentException("ntk-zo: prune batch, NTK draws, scorer directions and local steps must"
                    + " be at least 1, got " + pruneBatch + ", " + ntkDraws + ", " + scoreDirections + ", "
                    + localSteps);
        }
        if (!(ntkEpsilon > 0) || !Float.isFinite(ntkEpsilon)) {
            throw new IllegalArgumentException("ntk-zo: NTK-SAP epsilon must be positive, got " + ntkEpsilon);
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("ntk-zo: EMA decay must be in [0, 1), got " + emaDecay);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("ntk-zo: weight decay must be >= 0, got " + weightDecay);
        }
    }

    /** The defaults with a pruning method, a variant and the run seed. */
    public static NtkZoSettings defaults(Pruning pruning, Variant variant, long seed) {
        return new NtkZoSettings(pruning, Scorer.BP, DEFAULT_DENSITY, DEFAULT_PRUNE_ROUNDS, DEFAULT_PRUNE_BATCH,
                NtkSap.DEFAULT_EPSILON, 1, DEFAULT_SCORE_DIRECTIONS, ScoreCombination.WEIGHTED_SUM, variant,
                DEFAULT_DIRECTIONS, ZoEstimator.BAFFLE_SIGMA, 1, DEFAULT_CHUNK, 0, DEFAULT_WEIGHT_DECAY, seed);
    }

    /** Rounds of phase A: T_p for NTK pruning, 0 otherwise. */
    public int pruningRounds() {
        return pruning == Pruning.NTK ? pruneRounds : 0;
    }

    /** The training estimator: BAFFLE's forward difference with the ∞-clip (SEED), or FedZO's sphere (FEDZO). */
    public ZoEstimator estimator() {
        return variant == Variant.SEED ? ZoEstimator.baffleForward(sigma) : ZoEstimator.fedZo(sigma);
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String s, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s)) {
                return e;
            }
        }
        StringBuilder known = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            known.append(known.isEmpty() ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("unknown " + option + " '" + s + "'; known: " + known);
    }
}
