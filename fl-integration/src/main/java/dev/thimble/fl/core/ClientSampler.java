package dev.thimble.fl.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Chooses each round's clients: ⌈C·N⌉ of N (at least one), uniformly without replacement. */
public final class ClientSampler {
    /**
     * Slack for C·N products that land a rounding error above an integer (0.1·30 is
     * 3.0000000000000004 in binary floating point and must give 3, not 4).
     */
    private static final double EPS = 1e-9;

    private ClientSampler() {
    }

    /**
     * How many of {@code clients} a fraction samples: ⌈C·N⌉, at least 1.
     *
     * @throws IllegalArgumentException if C is not in (0, 1] or N < 1
     */
    public static int count(int clients, double fraction) {
        if (clients < 1) {
            throw new IllegalArgumentException("need at least 1 client, got " + clients);
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("client fraction must be in (0, 1], got " + fraction);
        }
        return Math.max(1, Math.min(clients, (int) Math.ceil(fraction * clients - EPS)));
    }

    /**
     * The clients of {@code round}, sorted by id; the same (clients, fraction, seed, round) always
     * gives the same clients.
     */
    public static int[] sample(int clients, double fraction, long seed, int round) {
        int k = count(clients, fraction);
        int[] ids = new int[clients];
        for (int i = 0; i < clients; i++) {
            ids[i] = i;
        }
        // partial Fisher–Yates: the first k positions end up a uniform k-subset
        SplittableRandom rng = new SplittableRandom(Seeds.sampling(seed, round));
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(clients - i);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        int[] chosen = Arrays.copyOf(ids, k);
        Arrays.sort(chosen);
        return chosen;
    }
}
