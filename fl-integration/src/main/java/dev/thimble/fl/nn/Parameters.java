package dev.thimble.fl.nn;

import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.DenseF32;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * All parameters of a network in one flat vector (and one flat gradient vector), with a view per
 * parameter: masks, perturbations, top-k and aggregation work on the flat vectors, layers on the
 * views.
 */
public final class Parameters {
    private final DenseF32 values;
    private final DenseF32 grads;
    private final Map<String, Param> byName;
    private final Map<String, ParamSpec> specs;

    Parameters(DenseF32 values, DenseF32 grads, Map<String, ParamSpec> specs) {
        this.values = values;
        this.grads = grads;
        this.specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
        Map<String, Param> params = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, ParamSpec> e : specs.entrySet()) {
            ParamSpec s = e.getValue();
            DenseF32 v = values.view(offset, s.shape());
            DenseF32 g = grads == null ? null : grads.view(offset, s.shape());
            params.put(e.getKey(), new Param(e.getKey(), offset, v, g, s.prunable()));
            offset += s.size();
        }
        this.byName = Collections.unmodifiableMap(params);
    }

    /** The flat vector of every parameter value, in declaration order. */
    public DenseF32 values() {
        return values;
    }

    /** The flat gradient vector, or null for a network built for inference only. */
    public DenseF32 grads() {
        return grads;
    }

    /** Number of scalar parameters. */
    public long count() {
        return values.size();
    }

    /** The parameters in declaration order. */
    public List<Param> list() {
        return List.copyOf(byName.values());
    }

    /** The parameter called {@code name} (e.g. {@code "conv1.weight"}). */
    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; parameters: " + byName.keySet());
        }
        return p;
    }

    /** The prunable parameters (conv and linear weights). */
    public List<Param> prunable() {
        return byName.values().stream().filter(Param::prunable).toList();
    }

    /** Zeroes the gradients. */
    public void zeroGrads() {
        grads.fill(0f);
    }

    /** Initialises every parameter from its {@link ParamSpec.Init}, reproducibly from a seed. */
    public void initialize(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Map.Entry<String, ParamSpec> e : specs.entrySet()) {
            ParamSpec.Init init = e.getValue().init();
            DenseF32 v = byName.get(e.getKey()).value();
            if (init.bound() == 0) {
                v.fill(init.constant());
            } else {
                for (long i = 0; i < v.size(); i++) {
                    v.set(i, (float) ((rng.nextDouble() * 2 - 1) * init.bound()));
                }
            }
        }
    }

    /** Copies the values of another flat vector of the same size (e.g. the global model). */
    public void load(DenseF32 flat) {
        values.copyFrom(flat);
    }

    /** The L2 norm of the flat values. */
    public double norm() {
        return VectorOps.norm2(values);
    }
}
