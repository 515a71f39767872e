package dev.thimble.fl.core;

import java.util.List;

/**
 * The server side of a federated method, as hooks the {@link FederatedLoop} calls each round
 * (the shape of Flower's {@code Strategy}): what to send each sampled client, how to fold what
 * comes back into the global model, how to evaluate it. A method that differs from FedAvg in one
 * respect overrides one hook.
 */
public interface Strategy {

    /** The method's name as users type it, e.g. {@code "fedavg"}. */
    String name();

    /**
     * The instructions for each sampled client of a round, in the order of {@code sampledClients}.
     *
     * @param round the round, from 1
     * @param state the server's state (read the global model from it)
     * @param sampledClients the clients chosen for this round, in increasing id order
     */
    List<FitInstructions> configureFit(int round, ServerState state, int[] sampledClients);

    /**
     * Folds the clients' uploads into {@code state.global()}. Called only when at least one
     * client succeeded; results come in increasing client-id order whatever thread ran them.
     *
     * @param results the clients that finished (payloads are freed by the loop afterwards)
     * @param failures the clients that did not
     */
    void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures, ServerState state);

    /**
     * Called after every round, aggregated or skipped because every client failed: frees what
     * {@link #configureFit} allocated for the round (downloads built in the server arena). By
     * default nothing.
     */
    default void endRound(int round, ServerState state) {
    }

    /**
     * The byte budget of client {@code clientId}'s arena this round: by default the run's single
     * budget {@code configuredBytes} (0 = no limit). Methods that model heterogeneous devices
     * (FeDepth's memory groups) return a per-client budget; the loop enforces whatever this returns.
     *
     * @param clientId the client, in [0, numClients)
     * @param numClients N
     * @param state the server's state (for the model, if the budget depends on it)
     * @param configuredBytes the run's {@code --client-memory}, 0 when none was given
     * @return the limit in bytes, or 0 for none
     */
    default long clientMemoryBytes(int clientId, int numClients, ServerState state, long configuredBytes) {
        return configuredBytes;
    }

    /** Server-side evaluation of the global model after round {@code round}; by default on the test set. */
    default Evaluation evaluate(int round, ServerState state) {
        return state.evaluateGlobal();
    }
}
