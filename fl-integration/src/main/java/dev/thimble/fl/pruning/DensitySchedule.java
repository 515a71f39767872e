package dev.thimble.fl.pruning;

/**
 * NTK-SAP's exponential density schedule for iterative pruning and the number of weights each
 * iteration keeps.
 *
 * <pre>
 *   ρ_t  = ρ^((t+1)/T)               t = 0..T−1, so ρ_{T−1} = ρ
 *   kept = d − ⌊(1 − ρ_t)·d⌋          (d prunable weights)
 * </pre>
 *
 * The count follows the NTK-SAP reference, which prunes {@code int((1 − ρ_t)·d)} weights (int()
 * truncates), so the kept count rounds <em>up</em>: for ρ = 0.1, T = 5, d = 1000 the kept counts
 * are 631, 399, 252, 159, 100. A guard of 1e-6 is added before the floor so that products that are
 * integers in exact arithmetic (0.9·1000) are not pushed one below by binary rounding.
 */
public final class DensitySchedule {
    private DensitySchedule() {
    }

    /** {@code ρ_t = target^((t+1)/iterations)}. */
    public static double density(double target, int t, int iterations) {
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("target density must be in (0, 1], got " + target);
        }
        if (iterations < 1 || t < 0 || t >= iterations) {
            throw new IllegalArgumentException("iteration " + t + " of " + iterations);
        }
        return t == iterations - 1 ? target : Math.pow(target, (t + 1.0) / iterations);
    }

    /** Weights kept at density ρ among d: {@code d − ⌊(1 − ρ)·d⌋}. */
    public static long kept(long d, double density) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in [0, 1], got " + density);
        }
        long pruned = (long) Math.floor((1 - density) * d + 1e-6);
        return d - Math.min(d, Math.max(0, pruned));
    }
}
