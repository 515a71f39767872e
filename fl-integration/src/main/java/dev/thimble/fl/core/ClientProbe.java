package dev.thimble.fl.core;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.TensorArena;

/**
 * Runs one client of a method for one local step (one batch, one epoch) exactly as the loop would,
 * to measure its memory before a run or a deployment ({@code thimble profile}, the budget check
 * of {@code thimble run}, the performance report).
 */
public final class ClientProbe {
    /**
     * What one client step took.
     *
     * @param peakBytes the client arena's peak
     * @param seconds wall time of the step (including building the network)
     */
    public record Result(long peakBytes, double seconds) {
    }

    private ClientProbe() {
    }

    /**
     * Trains client 0 of a one-client federation on {@code batch} (one batch's worth of samples)
     * in a fresh arena limited to {@code limitBytes} (0: none).
     *
     * @throws dev.thimble.tensor.MemoryLimitExceededException if the limit is too small
     */
    public static Result run(Method method, Model model, Dataset batch, long limitBytes) {
        return run(method, model, batch, limitBytes, 1);
    }

    /**
     * Trains client 0 of {@code numClients} on {@code batch} in a fresh arena limited as the loop
     * would limit it: by the strategy's per-client budget ({@link Strategy#clientMemoryBytes}),
     * given {@code limitBytes} as the run's configured budget (0: none).
     *
     * @throws dev.thimble.tensor.MemoryLimitExceededException if the limit is too small
     */
    public static Result run(Method method, Model model, Dataset batch, long limitBytes, int numClients) {
        try (KernelContext kernels = KernelContext.builder().threads(1).build();
                TensorArena server = TensorArena.open("probe-server");
                TensorArena uplink = TensorArena.open("probe-uplink");
                ServerState state = ServerState.create(model, server, kernels, null, 1, 1)) {
            long limit = method.strategy().clientMemoryBytes(0, numClients, state, limitBytes);
            FitInstructions ins = method.strategy().configureFit(1, state, new int[] {0}).getFirst();
            TensorArena.Builder b = TensorArena.builder().name("client-0");
            if (limit > 0) {
                b.limitBytes(limit);
            }
            long t0 = System.nanoTime();
            try (TensorArena arena = b.build()) {
                FitResult fit = method.trainer().fit(
                        new ClientContext(0, 1, 1, batch, model, arena, uplink, kernels), ins);
                fit.payload().close();
                return new Result(arena.peakBytes(), (System.nanoTime() - t0) / 1e9);
            } finally {
                method.strategy().endRound(1, state); // the round's downloads, as the loop frees them
            }
        }
    }
}
