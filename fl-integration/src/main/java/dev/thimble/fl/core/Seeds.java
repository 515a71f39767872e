package dev.thimble.fl.core;

/**
 * Derives independent seeds from a run's seed, so every random choice depends only on (seed,
 * round, client) and never on thread scheduling. Uses the SplitMix64 finaliser (Steele, Lea and
 * Flood, OOPSLA 2014), which spreads nearby inputs over the whole 64-bit range.
 */
public final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** The seed of {@code client}'s training in {@code round}. */
    public static long client(long runSeed, int round, int client) {
        return mix(mix(mix(runSeed) + GOLDEN * (round + 1L)) + GOLDEN * (client + 1L) * 3);
    }

    /** The seed of the server's client sampling in {@code round}. */
    public static long sampling(long runSeed, int round) {
        return mix(mix(runSeed ^ 0x5A3E_C0DE_5A3E_C0DEL) + GOLDEN * (round + 1L));
    }

    /** The seed of the global model's initialisation. */
    public static long init(long runSeed) {
        return mix(runSeed ^ 0x1A17_1A17_1A17_1A17L);
    }

    /** The SplitMix64 finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
