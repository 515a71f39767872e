package dev.thimble.fl.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * The small typed configuration a server sends with a fit instruction: the local training
 * hyperparameters every method shares, plus named numbers a particular method adds (FedProx's
 * {@code "proximal_mu"}), like Flower's config dictionary.
 *
 * @param localEpochs E, passes over the client's data per round
 * @param batchSize B
 * @param learningRate η
 * @param momentum SGD momentum, 0 for plain SGD
 * @param extra method-specific numbers by name
 */
public record TrainConfig(int localEpochs, int batchSize, double learningRate, double momentum,
        Map<String, Double> extra) {

    /** Checks the ranges and copies {@code extra}, sorted so printing and JSON are stable. */
    public TrainConfig {
        if (localEpochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("local epochs and batch size must be at least 1, got " + localEpochs
                    + " and " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        extra = java.util.Collections.unmodifiableMap(new TreeMap<>(extra));
    }

    /** A configuration without method-specific numbers. */
    public TrainConfig(int localEpochs, int batchSize, double learningRate, double momentum) {
        this(localEpochs, batchSize, learningRate, momentum, Map.of());
    }

    /** This configuration with one more named number. */
    public TrainConfig with(String key, double value) {
        Map<String, Double> m = new TreeMap<>(extra);
        m.put(key, value);
        return new TrainConfig(localEpochs, batchSize, learningRate, momentum, m);
    }

    /** The named number, or {@code fallback} when the server did not send it. */
    public double extra(String key, double fallback) {
        return extra.getOrDefault(key, fallback);
    }
}
