package dev.thimble.random;

/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw ("Parallel random
 * numbers: as easy as 1, 2, 3", SC'11): a keyed bijection of a 128-bit counter, so the n-th random
 * block is computed directly from (key, n) with no state to carry between calls or threads.
 *
 * <p>Each of the 10 rounds multiplies two of the four 32-bit words by fixed constants, keeps the
 * high and low halves of the 64-bit products, and mixes them with the other two words and the
 * round key; the key (two words) is bumped by the Weyl constants between rounds. The outputs match
 * Random123's published known-answer vectors (tested).
 *
 * <p>Words are Java {@code int}s holding the 32 bits unsigned. Stateless and thread-safe.
 */
public final class Philox4x32 {
    /** Multiplier of words 0 (the "M0" of the paper). */
    public static final int M0 = 0xD2511F53;
    /** Multiplier of word 2. */
    public static final int M1 = 0xCD9E8D57;
    /** Weyl increment of key word 0 (golden ratio). */
    public static final int W0 = 0x9E3779B9;
    /** Weyl increment of key word 1 (sqrt(3) - 1). */
    public static final int W1 = 0xBB67AE85;
    /** Rounds of the "-10" variant, the one Random123 recommends. */
    public static final int ROUNDS = 10;

    private Philox4x32() {
    }

    /**
     * The block of counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)}.
     *
     * @param out (Output) at least {@code outOffset + 4} ints; receives the four output words
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int outOffset) {
        int x0 = c0, x1 = c1, x2 = c2, x3 = c3;
        for (int r = 0; r < ROUNDS; r++) {
            // unsigned 32x32 -> 64 products: the operands are zero-extended first
            long p0 = (x0 & 0xFFFF_FFFFL) * (M0 & 0xFFFF_FFFFL);
            long p1 = (x2 & 0xFFFF_FFFFL) * (M1 & 0xFFFF_FFFFL);
            int y0 = (int) (p1 >>> 32) ^ x1 ^ k0;
            int y2 = (int) (p0 >>> 32) ^ x3 ^ k1;
            x1 = (int) p1;
            x3 = (int) p0;
            x0 = y0;
            x2 = y2;
            k0 += W0;
            k1 += W1;
        }
        out[outOffset] = x0;
        out[outOffset + 1] = x1;
        out[outOffset + 2] = x2;
        out[outOffset + 3] = x3;
    }

    /** Convenience form: {@code ctr} (4 words) and {@code key} (2 words) to a new array of 4 words. */
    public static int[] block(int[] ctr, int[] key) {
        if (ctr.length != 4 || key.length != 2) {
            throw new IllegalArgumentException("Philox4x32 takes 4 counter words and 2 key words, got " + ctr.length
                    + " and " + key.length);
        }
        int[] out = new int[4];
        block(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out, 0);
        return out;
    }
}
