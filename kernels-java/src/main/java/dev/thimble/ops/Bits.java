package dev.thimble.ops;

import dev.thimble.tensor.BitMask;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Word-at-a-time access to the bits of a {@link BitMask}, so the format and mask kernels can
 * visit 64 positions per memory read instead of calling {@link BitMask#get} per bit.
 */
final class Bits {
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private Bits() {
    }

    /** The low {@code count} bits set: the positions of a chunk of {@code count ≤ 64} elements. */
    static long lowBits(int count) {
        return count == 64 ? -1L : (1L << count) - 1;
    }

    /**
     * Bits {@code [from, from + count)} of the mask as the low {@code count} bits of a long
     * ({@code 1 ≤ count ≤ 64}, range inside the mask). Views may start at any bit and may share
     * their words with neighbours, so the result is shifted into place and cut to {@code count}.
     */
    static long read(BitMask mask, long from, int count) {
        long bit = mask.bitOffset() + from;
        long word = bit >>> 6;
        int shift = (int) (bit & 63);
        MemorySegment words = mask.words();
        long v = words.getAtIndex(LONG, word) >>> shift;
        if (shift != 0 && count > 64 - shift) {
            // the range straddles two words; the second one exists because the range is in the mask
            v |= words.getAtIndex(LONG, word + 1) << (64 - shift);
        }
        return v & lowBits(count);
    }

    /**
     * Stores the 64 bits of chunk {@code chunk} (bits {@code [64·chunk, 64·chunk + 64)}) of a mask
     * the arena just allocated; such masks start at bit 0, so a chunk is exactly one word.
     */
    static void writeChunk(BitMask fresh, long chunk, long bits) {
        fresh.words().setAtIndex(LONG, chunk, bits);
    }

    /** Sets bit {@code i} of a mask the arena just allocated (which starts at bit 0). */
    static void setFresh(BitMask fresh, long i) {
        MemorySegment words = fresh.words();
        long word = i >>> 6;
        words.setAtIndex(LONG, word, words.getAtIndex(LONG, word) | (1L << i));
    }
}
