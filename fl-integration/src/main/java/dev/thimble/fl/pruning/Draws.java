package dev.thimble.fl.pruning;

/**
 * The seeds of one NTK-SAP draw: fresh weights θ, the Gaussian input batch X and the weight
 * perturbation Δ, derived from the call's seed and the draw index so that the back-propagated and
 * the zeroth-order saliency see the same draws for the same seed.
 */
final class Draws {
    /** Stream id of the Gaussian input batch. */
    static final int INPUT_TENSOR = 1;
    /** Stream id of the weight perturbation Δ (over the flat parameter vector). */
    static final int DELTA_TENSOR = 2;
    /** Stream id of Hutchinson's output probes. */
    static final int PROBE_TENSOR = 3;

    private Draws() {
    }

    static long theta(long seed, int draw) {
        return mix(seed, draw, 1);
    }

    static long input(long seed, int draw) {
        return mix(seed, draw, 2);
    }

    static long delta(long seed, int draw) {
        return mix(seed, draw, 3);
    }

    static long zo(long seed, int draw) {
        return mix(seed, draw, 4);
    }

    static long client(long seed, int client) {
        return mix(seed, client, 5);
    }

    /** A 64-bit finaliser (Stafford's variant 13) of seed, index and purpose. */
    static long mix(long seed, long index, long purpose) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1) + 0xD1B54A32D192ED03L * purpose;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
