package dev.thimble.fl.zo;

import java.util.SplittableRandom;

/**
 * What the server sends for one zeroth-order step of the seed trick: the K seeds of the
 * directions {@code z_k}, and the stream's tensor id. Every client regenerates the same
 * {@code z_k} from them ({@link dev.thimble.random.NoiseStream}: value = f(seed, tensor id, flat
 * index)), so no direction is ever sent.
 *
 * <p>Wire layout: int32 K, int32 tensor id, K int64 seeds: {@link #bytes()} = {@code 8 + 8K}.
 *
 * @param seeds one seed per direction (copied)
 * @param tensorId the stream id the flat parameter vector uses
 */
public record ZoRequest(long[] seeds, int tensorId) {
    /** Tensor id used for a network's flat parameter vector unless said otherwise. */
    public static final int PARAMETERS = 0;

    /** Copies the seeds; at least one is needed. */
    public ZoRequest {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("a zeroth-order request needs at least one seed");
        }
        seeds = seeds.clone();
    }

    /** K fresh seeds drawn from {@code rng}, for the {@link #PARAMETERS} stream. */
    public static ZoRequest draw(SplittableRandom rng, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("K must be at least 1, got " + k);
        }
        long[] s = new long[k];
        for (int i = 0; i < k; i++) {
            s[i] = rng.nextLong();
        }
        return new ZoRequest(s, PARAMETERS);
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }

    /** The seed of direction k. */
    public long seed(int k) {
        return seeds[k];
    }

    /** Number of directions K. */
    public int k() {
        return seeds.length;
    }

    /** Bytes on the wire: int32 K + int32 tensor id + 8 per seed. */
    public long bytes() {
        return 8L + 8L * seeds.length;
    }
}
