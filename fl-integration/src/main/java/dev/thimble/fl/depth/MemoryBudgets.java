package dev.thimble.fl.depth;

import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.nn.Model;
import java.util.Arrays;

/**
 * FeDepth's heterogeneous devices: clients in equal groups by index, {@code g = ⌊G·k / N⌋}, with
 * budgets {@code fraction_g × M}, where M is the full model's training memory at batch B. M is
 * measured with the engine's accounting ({@link MemoryProbe#whole}: the client arena's peak for
 * one SGD step of the whole model) unless the run gives it ({@code --client-memory}).
 */
public final class MemoryBudgets {
    /** FeDepth's fractions {1/6, 1/3, 1/2, 1} (code comment in {@code fed_depth.py}). */
    public static final double[] FEDEPTH_FRACTIONS = {1.0 / 6, 1.0 / 3, 1.0 / 2, 1.0};

    private final double[] fractions;
    private final int batch;
    private final double momentum;
    private final long givenBytes;
    private volatile long measured; // M, once measured

    /**
     * Budgets of {@code fractions} (one group per entry, each positive; above 1 is FeDepth's
     * surplus-memory regime) of the full model's
     * training memory M at batch {@code batch} with SGD momentum {@code momentum}.
     *
     * @param givenBytes M when positive (the run's {@code --client-memory}); 0 to measure it
     */
    public MemoryBudgets(double[] fractions, int batch, double momentum, long givenBytes) {
        if (fractions.length == 0) {
            throw new IllegalArgumentException("at least one budget group is needed");
        }
        for (double f : fractions) {
            if (!(f > 0) || !Double.isFinite(f)) {
                throw new IllegalArgumentException("budget fractions must be positive (above 1: surplus memory), got "
                        + Arrays.toString(fractions));
            }
        }
        this.fractions = fractions.clone();
        this.batch = batch;
        this.momentum = momentum;
        if (givenBytes < 0) {
            throw new IllegalArgumentException("the full model's training memory must be positive (or 0: measure it),"
                    + " got " + givenBytes);
        }
        this.givenBytes = givenBytes;
    }

    /** Number of groups G. */
    public int groups() {
        return fractions.length;
    }

    /** The group of client {@code clientId} of N: ⌊G·k / N⌋. */
    public int group(int clientId, int numClients) {
        if (clientId < 0 || clientId >= numClients) {
            throw new IllegalArgumentException("client " + clientId + " outside [0, " + numClients + ")");
        }
        return (int) ((long) fractions.length * clientId / numClients);
    }

    /** Fraction of group g. */
    public double fraction(int group) {
        return fractions[group];
    }

    /** M: the given bytes, or the measured training memory of the whole model at batch B. */
    public long fullTrainingBytes(ServerState state) {
        if (givenBytes > 0) {
            return givenBytes;
        }
        long m = measured;
        if (m == 0) {
            synchronized (this) {
                if (measured == 0) {
                    measured = MemoryProbe.whole(state.model(), batch, momentum, state.kernels());
                }
                m = measured;
            }
        }
        return m;
    }

    /** Budget of group g in bytes: ⌊fraction_g · M⌋. */
    public long budget(int group, ServerState state) {
        return (long) Math.floor(fractions[group] * fullTrainingBytes(state));
    }

    /** Budget of client k of N. */
    public long clientBudget(int clientId, int numClients, ServerState state) {
        return budget(group(clientId, numClients), state);
    }

    /** The batch B the budgets are measured at. */
    public int batch() {
        return batch;
    }

    /** The SGD momentum the budgets are measured with (it decides whether a momentum buffer exists). */
    public double momentum() {
        return momentum;
    }

    /** The measured M of a model (no caching), for tools and tests. */
    public static long measure(Model model, int batch, double momentum, dev.thimble.ops.KernelContext kernels) {
        return MemoryProbe.whole(model, batch, momentum, kernels);
    }
}
