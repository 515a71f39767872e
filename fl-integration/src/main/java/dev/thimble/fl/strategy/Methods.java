package dev.thimble.fl.strategy;

import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.TrainConfig;
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
        register("fedepth", "FeDepth (Zhang et al. 2023): memory-adaptive depth-wise block training under per-group"
                + " budgets (--budgets, --fedepth-split)", (t, o) -> DepthMethods.fedepth(t, o.extra()));
        register("heterofl", "HeteroFL width slimming (Diao et al. 2021) under FeDepth's budgets (--budgets, --widths)",
                (t, o) -> DepthMethods.heterofl(t, o.extra()));
    }

    private Methods() {
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
