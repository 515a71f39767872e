package dev.thimble.fl.core;

import java.util.Objects;

/**
 * What the server sends one sampled client for a round: a payload (counted as downlink bytes)
 * and the training configuration.
 *
 * @param clientId the receiving client
 * @param payload the model (or part of it) the client starts from
 * @param config how to train
 */
public record FitInstructions(int clientId, Payload payload, TrainConfig config) {
    /** Checks for nulls. */
    public FitInstructions {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(config, "config");
    }
}
