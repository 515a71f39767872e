package dev.thimble.fl.core;

import java.util.Objects;

/**
 * What a client returns after local training.
 *
 * @param payload the upload (counted as uplink bytes), allocated in {@link ClientContext#uplink()}
 * @param numExamples n_k, the samples the client trained on (the aggregation weight of FedAvg)
 * @param trainLoss the mean training loss over the client's local steps, sample-weighted
 * @param flops floating-point operations the client spent
 */
public record FitResult(Payload payload, int numExamples, double trainLoss, long flops) {
    /** Checks for nulls and negative counts. */
    public FitResult {
        Objects.requireNonNull(payload, "payload");
        if (numExamples < 0 || flops < 0) {
            throw new IllegalArgumentException("negative example or flop count: " + numExamples + ", " + flops);
        }
    }
}
