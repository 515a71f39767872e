package dev.thimble.fl.core;

import java.util.Objects;

/**
 * A federated method: its server-side strategy and client-side trainer, which agree on what the
 * instructions and uploads mean.
 *
 * @param strategy the server side
 * @param trainer the client side
 */
public record Method(Strategy strategy, ClientTrainer trainer) {
    /** Checks for nulls. */
    public Method {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(trainer, "trainer");
    }

    /** The strategy's name. */
    public String name() {
        return strategy.name();
    }
}
