package dev.thimble.fl.optim;

import dev.thimble.tensor.BitMask;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads the bits of a mask inside the optimizers' loops without per-element index checks. */
final class MaskBits {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private MaskBits() {
    }

    /** Whether bit i of the mask (words and bit offset of {@code mask}) is set. */
    static boolean get(MemorySegment words, long bitOffset, long i) {
        long b = bitOffset + i;
        return (words.getAtIndex(LONG, b >>> 6) >>> (b & 63) & 1L) != 0;
    }

    /** Checks that the mask covers exactly {@code size} entries. */
    static BitMask check(BitMask mask, long size, String who) {
        if (mask != null && mask.size() != size) {
            throw new IllegalArgumentException(who + ": mask of " + mask.size() + " bits for " + size + " parameters");
        }
        return mask;
    }
}
