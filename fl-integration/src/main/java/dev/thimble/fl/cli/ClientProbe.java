package dev.thimble.fl.cli;

import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.TensorArena;

/**
 * Runs one client of a method for one local step (one batch, one epoch) exactly as the loop would,
 * to measure its memory before a run or a deployment.
 */
final class ClientProbe {
    /**
     * What one client step took.
     *
     * @param peakBytes the client arena's peak
     * @param seconds wall time of the step (including building the network)
     */
    record Result(long peakBytes, double seconds) {
    }

    private ClientProbe() {
    }

    /**
     * Trains client 0 on {@code batch} (one batch's worth of samples) in a fresh arena limited to
     * {@code limitBytes} (0: none).
     *
     * @throws dev.thimble.tensor.MemoryLimitExceededException if the limit is too small
     */
    static Result run(Method method, Model model, Dataset batch, long limitBytes) {
        try (KernelContext kernels = KernelContext.builder().threads(1).build();
                TensorArena server = TensorArena.open("probe-server");
                TensorArena uplink = TensorArena.open("probe-uplink");
                ServerState state = ServerState.create(model, server, kernels, null, 1, 1)) {
            FitInstructions ins = method.strategy().configureFit(1, state, new int[] {0}).getFirst();
            TensorArena.Builder b = TensorArena.builder().name("client-0");
            if (limitBytes > 0) {
                b.limitBytes(limitBytes);
            }
            long t0 = System.nanoTime();
            try (TensorArena arena = b.build()) {
                FitResult fit = method.trainer().fit(
                        new ClientContext(0, 1, 1, batch, model, arena, uplink, kernels), ins);
                fit.payload().close();
                return new Result(arena.peakBytes(), (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
