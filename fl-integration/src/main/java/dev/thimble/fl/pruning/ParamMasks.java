package dev.thimble.fl.pruning;

import dev.thimble.fl.nn.Param;
import dev.thimble.fl.nn.Parameters;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.TensorArena;

/** Masks over a network's flat parameter vector. */
public final class ParamMasks {
    private ParamMasks() {
    }

    /** Every bit set: nothing pruned. */
    public static BitMask dense(Parameters params, TensorArena arena) {
        return arena.mask(Math.toIntExact(params.count())).fill(true);
    }

    /** Bits set exactly at the prunable parameters (conv and linear weights). */
    public static BitMask prunable(Parameters params, TensorArena arena) {
        BitMask m = arena.mask(Math.toIntExact(params.count())).fill(false);
        for (Param p : params.list()) {
            if (p.prunable()) {
                m.view(p.offset(), Math.toIntExact(p.size())).fill(true);
            }
        }
        return m;
    }

    /** Number of prunable scalars. */
    public static long prunableCount(Parameters params) {
        return params.prunable().stream().mapToLong(Param::size).sum();
    }

    /** {@code a ∧ b}, a new mask. */
    public static BitMask and(BitMask a, BitMask b, TensorArena arena) {
        BitMask out = arena.mask(Math.toIntExact(a.size()));
        for (long i = 0; i < a.size(); i++) {
            out.set(i, a.get(i) && b.get(i));
        }
        return out;
    }

    /** {@code a ∨ ¬b}, a new mask: a kept-set plus everything outside {@code b} (the non-prunable part). */
    public static BitMask orNot(BitMask a, BitMask b, TensorArena arena) {
        BitMask out = arena.mask(Math.toIntExact(a.size()));
        for (long i = 0; i < a.size(); i++) {
            out.set(i, a.get(i) || !b.get(i));
        }
        return out;
    }

    /** Bits set in both, divided by the bits set in {@code reference} (1 for identical masks). */
    public static double overlap(BitMask a, BitMask reference) {
        long both = 0;
        for (long i = 0; i < a.size(); i++) {
            both += a.get(i) && reference.get(i) ? 1 : 0;
        }
        long r = reference.cardinality();
        return r == 0 ? 1 : (double) both / r;
    }
}
