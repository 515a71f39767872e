package dev.thimble.fl.strategy;

import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.nn.Swat;
import dev.thimble.fl.depth.DepthMethods;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The methods the CLI and tools know by name. A new method registers a factory here (one line)
 * and needs no change to the loop or the CLI, which list and validate names from this registry.
 */
public final class Methods {
    /** Method-specific settings a factory may read, e.g. {@code "mu"} for FedProx. */
    public record Options(TrainConfig train, Map<String, Double> extra) {
        /** The named setting, or {@code fallback}. */
        public double get(String key, double fallback) {
            return extra.getOrDefault(key, fallback);
        }
    }

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    private record Entry(String description, BiFunction<TrainConfig, Options, Method> factory) {
    }

    static {
        register("fedavg", "FedAvg (McMahan et al. 2017): local SGD, example-weighted mean of full models",
                (t, o) -> new Method(new FedAvg(t), new SgdClientTrainer()));
        register("fedprox", "FedProx (Li et al. 2020): FedAvg with proximal term mu/2·||w − w_t||² (--mu)",
                (t, o) -> new Method(new FedProx(t, o.get("mu", 0.01)), new SgdClientTrainer()));
        register("feddip", "FedDIP (Long et al. 2023): ERK/magnitude pruning with error feedback and incremental"
                + " regularisation (--sparsity, --init-sparsity, --reconfig-interval, --lambda-max)",
                (t, o) -> new Method(new FedDip(t, (int) o.get("rounds", 100),
                        o.get("init_sparsity", FedDip.DEFAULT_INIT_SPARSITY),
                        o.get("sparsity", FedDip.DEFAULT_TARGET_SPARSITY),
                        (int) o.get("reconfig_interval", FedDip.DEFAULT_INTERVAL),
                        o.get("lambda_max", FedDip.DEFAULT_LAMBDA_MAX)), new FedDipClientTrainer()));
        register("feddip-regrowth", "FedDIP, the paper's error feedback on a dense server copy: pruned weights may"
                + " regrow (dense uploads; same options as feddip)",
                (t, o) -> new Method(new FedDip(t, (int) o.get("rounds", 100),
                        o.get("init_sparsity", FedDip.DEFAULT_INIT_SPARSITY),
                        o.get("sparsity", FedDip.DEFAULT_TARGET_SPARSITY),
                        (int) o.get("reconfig_interval", FedDip.DEFAULT_INTERVAL),
                        o.get("lambda_max", FedDip.DEFAULT_LAMBDA_MAX), FedDip.Variant.REGROWTH, "feddip-regrowth"),
                        new FedDipClientTrainer()));
        register("prune-once", "baseline for FedDIP: one magnitude pruning to --sparsity after round 1, static mask",
                (t, o) -> new Method(FedDip.pruneOnce(t, (int) o.get("rounds", 100),
                        o.get("sparsity", FedDip.DEFAULT_TARGET_SPARSITY)), new FedDipClientTrainer()));
        register("zerofl", "ZeroFL (Qiu et al. 2022): SWAT-U local training, top-k sparse uploads of density"
                + " (1 - s) + r, FedAvgNZ (--sparsity, --mask-ratio, --upload, --zerofl-mean, --topk-period, --final-lr)",
                (t, o) -> new Method(new ZeroFl(t, swat(o, ZeroFl.DEFAULT_SPARSITY), o.get("mask_ratio", 0),
                        ZeroFlUpload.Variant.values()[(int) o.get("zerofl_upload",
                                ZeroFlUpload.Variant.TOP_K_WEIGHTS.ordinal())],
                        ZeroFl.Mean.values()[(int) o.get("zerofl_mean", ZeroFl.Mean.ZERO_FILL.ordinal())],
                        (int) o.get("rounds", 100), finalLr(t, o), o.get("weight_decay", 0)), new SwatClientTrainer()));
        register("swat-fedavg", "SWAT in FL (ZeroFL's baseline): SWAT-U local training, dense uploads, FedAvg"
                + " (--sparsity, --topk-period, --final-lr)",
                (t, o) -> new Method(new SwatFedAvg(t, swat(o, ZeroFl.DEFAULT_SPARSITY), (int) o.get("rounds", 100),
                        finalLr(t, o), o.get("weight_decay", 0)), new SwatClientTrainer()));
        register("ntk-zo", "Federated data-free NTK foresight pruning + BP-free (zeroth-order) training (Zhang et al."
                + " 2024): --pruning ntk|random|magnitude|none, --density, --prune-rounds, --prune-batch, --ntk-scorer, --zo-variant"
                + " seed|fedzo, --zo-k, --zo-sigma, --local-steps, --ema; --lr is the server Adam's (seed) or the"
                + " local ZO-SGD's (fedzo)", Methods::ntkZo);
        register("fedepth", "FeDepth (Zhang et al. 2023): memory-adaptive depth-wise block training under per-group"
                + " budgets (--budgets, --fedepth-split)", (t, o) -> DepthMethods.fedepth(t, o.extra()));
        register("heterofl", "HeteroFL width slimming (Diao et al. 2021) under FeDepth's budgets (--budgets, --widths)",
                (t, o) -> DepthMethods.heterofl(t, o.extra()));
    }

    private Methods() {
    }

    /** SWAT settings from {@code sparsity}, {@code topk_period} and {@code swat_in_place}. */
    private static Swat swat(Options o, double defaultSparsity) {
        return new Swat(o.get("sparsity", defaultSparsity),
                (int) o.get("topk_period", Swat.DEFAULT_TOPK_PERIOD), o.get("swat_in_place", 0) != 0);
    }

    /** η_T: {@code final_lr}, or η_0·{@value SwatFedAvg#DEFAULT_FINAL_LR_RATIO} when not given. */
    private static double finalLr(TrainConfig t, Options o) {
        return o.get("final_lr", t.learningRate() * SwatFedAvg.DEFAULT_FINAL_LR_RATIO);
    }

    /** {@link NtkZo} from the options: enums travel as their ordinals. */
    private static Method ntkZo(TrainConfig t, Options o) {
        NtkZoSettings d = NtkZoSettings.defaults(NtkZoSettings.Pruning.NTK, NtkZoSettings.Variant.SEED, 0);
        NtkZoSettings s = new NtkZoSettings(
                NtkZoSettings.Pruning.values()[(int) o.get("pruning", 0)],
                NtkZoSettings.Scorer.values()[(int) o.get("ntk_scorer", 0)],
                o.get("density", d.density()), (int) o.get("prune_rounds", d.pruneRounds()),
                (int) o.get("prune_batch", d.pruneBatch()),
                d.ntkEpsilon(), d.ntkDraws(), d.scoreDirections(), d.combination(),
                NtkZoSettings.Variant.values()[(int) o.get("zo_variant", 0)],
                (int) o.get("zo_k", d.directions()), (float) o.get("zo_sigma", d.sigma()),
                (int) o.get("local_steps", d.localSteps()), (int) o.get("zo_chunk", d.chunk()), o.get("ema", 0),
                d.weightDecay(),
                (long) o.get("seed", 42));
        return new Method(new NtkZo("ntk-zo", t, s), new NtkZoClientTrainer(s));
    }

    /** Registers a method under {@code name} (lower case), replacing none. */
    public static synchronized void register(String name, String description,
            BiFunction<TrainConfig, Options, Method> factory) {
        if (REGISTRY.putIfAbsent(name, new Entry(description, factory)) != null) {
            throw new IllegalArgumentException("method '" + name + "' is already registered");
        }
    }

    /** The registered names, in registration order. */
    public static synchronized List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** A one-line description per name. */
    public static synchronized Map<String, String> descriptions() {
        Map<String, String> out = new LinkedHashMap<>();
        REGISTRY.forEach((k, v) -> out.put(k, v.description()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Makes the method called {@code name}.
     *
     * @throws IllegalArgumentException naming the known methods if {@code name} is unknown
     */
    public static synchronized Method create(String name, TrainConfig train, Map<String, Double> extra) {
        Entry e = REGISTRY.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown method '" + name + "'; known: " + String.join(", ", names()));
        }
        return e.factory().apply(train, new Options(train, Map.copyOf(extra)));
    }
}
