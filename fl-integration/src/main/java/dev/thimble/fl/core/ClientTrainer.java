package dev.thimble.fl.core;

/**
 * The client side of a federated method: trains on the client's data from what the server sent
 * and returns the upload. Implementations allocate every tensor from {@link ClientContext#arena()}
 * (so the client's memory is measured and its budget enforced), close them before returning, and
 * allocate the upload from {@link ClientContext#uplink()}. They must be thread-safe: the loop calls
 * {@link #fit} for several clients at once.
 */
public interface ClientTrainer {

    /**
     * Runs one round of local training.
     *
     * @param ctx (Input) the client's data, arena, seed and kernels
     * @param instructions (Input) what the server sent; not modified
     * @throws dev.thimble.tensor.MemoryLimitExceededException if the client's budget is too small
     *     (the loop records the client as failed and goes on)
     */
    FitResult fit(ClientContext ctx, FitInstructions instructions);
}
