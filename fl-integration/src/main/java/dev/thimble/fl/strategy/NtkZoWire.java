package dev.thimble.fl.strategy;

import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.zo.ZoRequest;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The wire messages of {@link NtkZo}, each a sequence of 32-bit words carried as a
 * {@link DensePayload} (so {@link Payload#byteSize()} is exactly {@code 4 × words}, the bytes a
 * device would send). Integers and seeds are stored as raw int bits in the words (never converted
 * through float, so every bit pattern survives); floats as floats; a bitmask over d positions as
 * {@code ⌈d/32⌉} words, bit i of word i/32 for position i.
 *
 * <pre>
 *   down, pruning round:   PRUNE, τ, seed(2 words), mask(⌈d/32⌉)                 16 + 4⌈d/32⌉ bytes
 *   up,   pruning round:   the saliency at the active prunable positions (floats) 4·n_active bytes
 *   down, seed-trick step: SEED, K, tensor id, K seeds (2K words), HAS_MASK,
 *                          [mask(⌈d/32⌉)], the weights at the active positions    16 + 8K + [4⌈d/32⌉] + 4·nnz
 *   up,   seed-trick step: K, then K loss differences (float)                     4 + 4K = {@link dev.thimble.fl.zo.ZoReply#bytes()}
 *   down, FedZO round:     FEDZO, HAS_MASK, [mask], the weights at the active positions
 *   up,   FedZO round:     the weight change at the active positions (floats)      4·nnz bytes
 * </pre>
 *
 * The masks cover every parameter (non-prunable bits always set); "active" means set. The
 * FedZO upload carries no positions: client and server hold the same mask.
 */
final class NtkZoWire {
    /** Message tag of a pruning round. */
    static final int PRUNE = 1;
    /** Message tag of a seed-trick step. */
    static final int SEED = 2;
    /** Message tag of a FedZO round. */
    static final int FEDZO = 3;

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private NtkZoWire() {
    }

    /** Words a bitmask over d positions takes. */
    static int maskWords(long d) {
        return Math.toIntExact((d + 31) / 32);
    }

    /** The pruning round's download: τ, the round seed and the current mask. */
    static DensePayload pruneRequest(TensorArena arena, int tau, long seed, BitMask mask) {
        Writer w = new Writer(arena, 4 + maskWords(mask.size()));
        w.putInt(PRUNE).putInt(tau).putLong(seed).putMask(mask);
        return w.done();
    }

    /** A seed-trick step's download; {@code mask} null sends every weight (dense ZO). */
    static DensePayload seedRequest(TensorArena arena, ZoRequest request, BitMask mask, DenseF32 weights) {
        long nnz = mask == null ? weights.size() : mask.cardinality();
        Writer w = new Writer(arena, 4 + 2L * request.k() + (mask == null ? 0 : maskWords(mask.size())) + nnz);
        w.putInt(SEED).putInt(request.k()).putInt(request.tensorId());
        for (int k = 0; k < request.k(); k++) {
            w.putLong(request.seed(k));
        }
        w.putInt(mask == null ? 0 : 1);
        if (mask != null) {
            w.putMask(mask);
        }
        w.putValues(weights, mask);
        return w.done();
    }

    /** A FedZO round's download; {@code mask} null sends every weight. */
    static DensePayload fedZoRequest(TensorArena arena, BitMask mask, DenseF32 weights) {
        long nnz = mask == null ? weights.size() : mask.cardinality();
        Writer w = new Writer(arena, 2 + (mask == null ? 0 : maskWords(mask.size())) + nnz);
        w.putInt(FEDZO).putInt(mask == null ? 0 : 1);
        if (mask != null) {
            w.putMask(mask);
        }
        w.putValues(weights, mask);
        return w.done();
    }

    /** The seed-trick upload: K, then the K differences. */
    static DensePayload seedReply(TensorArena arena, float[] differences) {
        Writer w = new Writer(arena, 1 + differences.length);
        w.putInt(differences.length);
        for (float f : differences) {
            w.putFloat(f);
        }
        return w.done();
    }

    /** The K differences of a seed-trick upload, checking its length word. */
    static float[] readSeedReply(Payload p) {
        Reader r = new Reader(p);
        int k = r.getInt();
        if (k < 1 || 1L + k != r.words()) {
            throw new IllegalStateException("seed-trick reply: header says K = " + k + " but it has " + r.words()
                    + " words");
        }
        float[] out = new float[k];
        for (int i = 0; i < k; i++) {
            out[i] = r.getFloat();
        }
        return out;
    }

    /** Writes 32-bit words into a fresh dense tensor. */
    static final class Writer {
        private final DenseF32 out;
        private final MemorySegment s;
        private long pos;

        Writer(TensorArena arena, long words) {
            this.out = arena.dense(Math.toIntExact(words));
            this.s = out.segment();
        }

        Writer putInt(int v) {
            s.setAtIndex(I, pos++, v);
            return this;
        }

        Writer putFloat(float v) {
            s.setAtIndex(F, pos++, v);
            return this;
        }

        Writer putLong(long v) {
            return putInt((int) v).putInt((int) (v >>> 32));
        }

        Writer putMask(BitMask mask) {
            long d = mask.size();
            int word = 0;
            for (long i = 0; i < d; i++) {
                if (mask.get(i)) {
                    word |= 1 << (i & 31);
                }
                if ((i & 31) == 31 || i == d - 1) {
                    putInt(word);
                    word = 0;
                }
            }
            return this;
        }

        /** The values of {@code x} at the set bits of {@code mask} (all of them when null), in order. */
        Writer putValues(DenseF32 x, BitMask mask) {
            MemorySegment xs = x.segment();
            for (long i = 0, d = x.size(); i < d; i++) {
                if (mask == null || mask.get(i)) {
                    s.setAtIndex(F, pos++, xs.getAtIndex(F, i));
                }
            }
            return this;
        }

        DensePayload done() {
            if (pos != out.size()) {
                out.close();
                throw new IllegalStateException("message of " + out.size() + " words has " + pos + " written");
            }
            return DensePayload.owning(out);
        }
    }

    /** Reads the words of a {@link DensePayload} in order. */
    static final class Reader {
        private final MemorySegment s;
        private final long words;
        private long pos;

        Reader(Payload p) {
            if (!(p instanceof DensePayload d)) {
                throw new IllegalStateException("ntk-zo messages travel as dense word payloads, got "
                        + p.getClass().getSimpleName());
            }
            this.s = d.values().segment();
            this.words = d.values().size();
        }

        long words() {
            return words;
        }

        long remaining() {
            return words - pos;
        }

        int getInt() {
            check(1);
            return s.getAtIndex(I, pos++);
        }

        float getFloat() {
            check(1);
            return s.getAtIndex(F, pos++);
        }

        long getLong() {
            long lo = getInt() & 0xFFFF_FFFFL;
            long hi = getInt() & 0xFFFF_FFFFL;
            return lo | (hi << 32);
        }

        /** Reads a mask of {@code out.size()} positions into {@code out}. */
        void getMask(BitMask out) {
            long d = out.size();
            check(maskWords(d));
            int word = 0;
            for (long i = 0; i < d; i++) {
                if ((i & 31) == 0) {
                    word = s.getAtIndex(I, pos++);
                }
                out.set(i, (word >>> (i & 31) & 1) != 0);
            }
        }

        /** Writes the next values into {@code x} at the set bits of {@code mask} (all when null); others untouched. */
        void getValues(DenseF32 x, BitMask mask) {
            MemorySegment xs = x.segment();
            for (long i = 0, d = x.size(); i < d; i++) {
                if (mask == null || mask.get(i)) {
                    check(1);
                    xs.setAtIndex(F, i, s.getAtIndex(F, pos++));
                }
            }
        }

        /** The offset of the next word, for reading values again later (e.g. the received weights). */
        long position() {
            return pos;
        }

        /** Moves to word {@code p}. */
        void seek(long p) {
            if (p < 0 || p > words) {
                throw new IllegalStateException("seek to " + p + " in a message of " + words + " words");
            }
            pos = p;
        }

        private void check(long n) {
            if (pos + n > words) {
                throw new IllegalStateException("message of " + words + " words ends before word " + (pos + n));
            }
        }
    }
}
