package dev.thimble.fl.core;

import java.util.List;

/**
 * The outcome of a {@link FederatedLoop} run.
 *
 * @param rounds the metrics of every round, in order
 * @param finalWeights the global model's flat parameters after the last round (a heap copy)
 */
public record RunResult(List<RoundMetrics> rounds, float[] finalWeights) {
    /** Copies the list. */
    public RunResult {
        rounds = List.copyOf(rounds);
    }

    /** The last round's metrics. */
    public RoundMetrics last() {
        return rounds.getLast();
    }
}
