package dev.thimble.fl.strategy;

/**
 * The three schedules of FedDIP (Long, Anagnostopoulos, Parambath and Bi, "FedDIP: Federated
 * Learning with Extreme Dynamic Pruning and Incremental Regularization", ICDM 2023,
 * arXiv:2309.06805), as its reference code {@code EricLoong/feddip} computes them (methods.md §3.1).
 * Pure functions of the paper's round index {@code t ∈ [0, T)} (the loop's round minus one).
 */
public final class FedDipSchedules {
    /** Number of λ segments Q. */
    public static final int LAMBDA_SEGMENTS = 20;
    /** The first non-zero λ, 5e-4. */
    public static final double LAMBDA_START = 5e-4;
    /** The per-round learning-rate decay factor. */
    public static final double LR_DECAY = 0.998;

    private FedDipSchedules() {
    }

    /**
     * Cubic sparsity (Zhu and Gupta): {@code s_t = s_T + (s_0 − s_T)·(1 − t/T)^3}.
     *
     * @param t the round, in [0, T]
     * @param rounds T ≥ 1
     * @param initial s_0
     * @param target s_T
     */
    public static double sparsity(int t, int rounds, double initial, double target) {
        check(t, rounds);
        double r = 1.0 - (double) t / rounds;
        return target + (initial - target) * r * r * r;
    }

    /** {@code η_t = η_0 · 0.998^t}. */
    public static double learningRate(double initial, int t) {
        if (t < 0) {
            throw new IllegalArgumentException("round must be >= 0, got " + t);
        }
        return initial * Math.pow(LR_DECAY, t);
    }

    /**
     * The segment of round t: {@code min(⌊t/L⌋, 19)} with {@code L = ⌊T/20⌋}, so the last segment
     * absorbs the {@code T mod 20} extra rounds. For T &lt; 20 the code would divide by zero; here
     * L is then 1 (UNCONFIRMED choice).
     */
    public static int lambdaSegment(int t, int rounds) {
        check(t, rounds);
        int len = Math.max(1, rounds / LAMBDA_SEGMENTS);
        return Math.min(t / len, LAMBDA_SEGMENTS - 1);
    }

    /**
     * Incremental regularisation: 0 in segment 0, then {@code 5e-4 + (λ_max − 5e-4)·(i − 1)/19}
     * in segment i ≥ 1 (so it never quite reaches λ_max, as in the code). λ_max = 0 turns the
     * regulariser off (the code's ramp would otherwise still start at 5e-4 and fall).
     */
    public static double lambda(int t, int rounds, double lambdaMax) {
        int i = lambdaSegment(t, rounds);
        if (i == 0 || lambdaMax == 0) {
            return 0;
        }
        return LAMBDA_START + (lambdaMax - LAMBDA_START) * (i - 1) / (LAMBDA_SEGMENTS - 1);
    }

    /**
     * How many of n prunable weights {@code torch.nn.utils.prune} removes at amount s:
     * {@code round(s·n)} with Python's round (half to even).
     */
    public static long prunedCount(double sparsity, long n) {
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1], got " + sparsity);
        }
        return (long) Math.rint(sparsity * n);
    }

    private static void check(int t, int rounds) {
        if (rounds < 1 || t < 0 || t > rounds) {
            throw new IllegalArgumentException("need 0 <= t <= T and T >= 1, got t=" + t + ", T=" + rounds);
        }
    }
}
