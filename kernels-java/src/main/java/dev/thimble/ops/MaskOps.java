package dev.thimble.ops;

import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Magnitude masks for pruning: the k entries of largest {@code |x|} (in one tensor, among the
 * positions of an existing mask, or across all the tensors of a model), and {@code |x| > t}.
 *
 * <p><b>Tie rule.</b> Top-k masks have <em>exactly</em> k bits set. Among entries of equal
 * magnitude the one with the lower flat (row-major) index is kept first; across several tensors
 * the lower tensor index comes first, then the lower flat index. {@code 0.0} and {@code -0.0} have
 * equal magnitude, and so do {@code x} and {@code -x}. NaN has no magnitude to rank, so a NaN
 * candidate is rejected with an {@link IllegalArgumentException} naming its index.
 *
 * <p><b>Algorithm.</b> The passes run on a context's provider (the global one by default)
 * ({@code KernelProvider.magnitudeHistogram}, {@code selectByMagnitude}). The magnitude of a float, {@code floatToRawIntBits(v) & 0x7fffffff}, is a
 * non-negative int that orders like {@code |v|}, so the k-th largest magnitude can be found by an
 * exact radix select instead of a sort: one pass histograms the top 16 of the 31 key bits and
 * finds the bucket holding the k-th largest key, a second pass histograms the low 15 bits inside
 * that bucket, which gives the exact threshold key T and the number of keys above it; a last pass
 * sets every key above T and the first of the keys equal to T in index order. Three streaming
 * passes, {@code O(n)} time and a fixed 768 KiB of heap (the two histograms) whatever n is, so it
 * scales to models of tens of millions of parameters.
 *
 * <p>Results are new masks shaped like their tensor, allocated from the {@link TensorArena} passed
 * first; if anything fails after allocation they are closed before the exception propagates.
 * Inputs are never modified.
 */
public final class MaskOps {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** The select splits the 31-bit key into a 16-bit high part and a 15-bit low part. */
    private static final int LOW_BITS = 15;
    private static final int HIGH_BUCKETS = 1 << 16;
    private static final int LOW_BUCKETS = 1 << LOW_BITS;

    private MaskOps() {
    }

    /**
     * The k entries of largest magnitude (ties: lower flat index first).
     *
     * @param arena (Output) owns the result
     * @param x (Input) any shape, no NaN. Not modified.
     * @param k how many entries to keep, in {@code [0, x.size()]}
     * @return a new mask shaped like x with exactly k bits set
     * @throws IllegalArgumentException if k is out of range or x holds a NaN (the message names its index)
     */
    public static BitMask topK(TensorArena arena, DenseF32 x, long k) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(x);
        return select(KernelContext.global(), arena, "top-k", List.of(new Candidates(x, null, "x")), k).getFirst();
    }

    /**
     * The k entries of largest magnitude among the positions set in {@code within} (ties: lower
     * flat index first). Positions outside {@code within} are never read, so they may hold
     * anything, NaN included; the result is a subset of {@code within}, which lets masks only
     * shrink from round to round (FedDIP).
     *
     * @param arena (Output) owns the result
     * @param x (Input) any shape; no NaN where {@code within} is set. Not modified.
     * @param k how many entries to keep, in {@code [0, within.cardinality()]}
     * @param within (Input) as many bits as x has elements: the candidates. Not modified.
     * @return a new mask shaped like x with exactly k bits set, all inside {@code within}
     * @throws IllegalArgumentException if the sizes differ, k is out of range, or a candidate is NaN
     */
    public static BitMask topK(TensorArena arena, DenseF32 x, long k, BitMask within) {
        return topK(KernelContext.global(), arena, x, k, within);
    }

    /**
     * {@link #topK(TensorArena, DenseF32, long, BitMask)} on the provider of {@code ctx};
     * {@code within} may be null (every entry is a candidate).
     */
    public static BitMask topK(KernelContext ctx, TensorArena arena, DenseF32 x, long k, BitMask within) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(x);
        if (within != null) {
            Checks.alive(within);
            Checks.sameSize("top-k within a mask", x, within);
        }
        String op = within == null ? "top-k" : "top-k within a mask";
        return select(ctx, arena, op, List.of(new Candidates(x, within, "x")), k).getFirst();
    }

    /**
     * The k entries of largest magnitude across several tensors, with one budget for all of them
     * (global magnitude pruning of a whole model). Ties: lower tensor index first, then lower flat
     * index.
     *
     * @param arena (Output) owns the results
     * @param xs (Input) the tensors, any shapes, no NaN. Not modified.
     * @param k how many entries to keep in total, in {@code [0, Σ size]}
     * @return one new mask per tensor, in order, shaped like it; exactly k bits set in total
     * @throws IllegalArgumentException if k is out of range or a tensor holds a NaN (the message
     *         names the tensor and the index)
     */
    public static List<BitMask> globalTopK(TensorArena arena, List<DenseF32> xs, long k) {
        return globalTopK(KernelContext.global(), arena, xs, k);
    }

    /** {@link #globalTopK(TensorArena, List, long)} on the provider of {@code ctx}. */
    public static List<BitMask> globalTopK(KernelContext ctx, TensorArena arena, List<DenseF32> xs, long k) {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(xs, "xs");
        List<Candidates> candidates = new ArrayList<>(xs.size());
        for (int t = 0; t < xs.size(); t++) {
            DenseF32 x = xs.get(t);
            Checks.alive(x);
            candidates.add(new Candidates(x, null, "xs[" + t + "]"));
        }
        return select(ctx, arena, "global top-k", candidates, k);
    }

    /**
     * The entries whose magnitude is <em>strictly</em> greater than {@code t}: {@code |x| > t}. An
     * entry equal to t is not set; with a negative t every entry but NaN is set. NaN entries are
     * never set, since no comparison with NaN holds.
     *
     * @param arena (Output) owns the result
     * @param x (Input) any shape. Not modified.
     * @param t the threshold, not NaN
     * @return a new mask shaped like x
     * @throws IllegalArgumentException if t is NaN
     */
    public static BitMask threshold(TensorArena arena, DenseF32 x, float t) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(x);
        if (Float.isNaN(t)) {
            throw new IllegalArgumentException("threshold mask: the threshold is NaN, which no magnitude exceeds");
        }
        return Outputs.filled(arena.mask(x.shape()), out -> markAbove(x, t, out));
    }

    // ------------------------------------------------------------------ selection

    /**
     * The positions of one tensor that compete for the budget: all of them, or those set in
     * {@code within}; {@code label} names the tensor in messages.
     */
    private record Candidates(DenseF32 x, BitMask within, String label) {
        long count() {
            return within == null ? x.size() : within.cardinality();
        }
    }

    /** The k-th largest key T, and how many of the keys equal to T (in index order) make the cut. */
    private record Cut(int key, long equalToKeep) {
    }

    /** A histogram bucket and the number of counted keys in the buckets above it. */
    private record Bucket(int index, long above) {
    }

    private static List<BitMask> select(KernelContext ctx, TensorArena arena, String op, List<Candidates> all,
            long k) {
        KernelProvider kernels = ctx.kernels();
        long n = 0;
        for (Candidates c : all) {
            n += c.count();
        }
        if (k < 0 || k > n) {
            throw new IllegalArgumentException(op + ": k=" + k + " is outside [0, " + n + "], the number of candidate"
                    + " entries in " + all.stream().map(c -> c.x().toString()).toList());
        }
        long[] high = new long[HIGH_BUCKETS];
        for (Candidates c : all) {
            histogramHigh(kernels, op, c, high); // also rejects NaN, even when k = 0
        }
        Cut cut = k == 0 ? null : findCut(kernels, all, high, k);
        return allocateAndMark(kernels, arena, all, cut);
    }

    /** Passes 2 of 3: narrows the high bucket holding the k-th largest key down to the exact key. */
    private static Cut findCut(KernelProvider kernels, List<Candidates> all, long[] high, long k) {
        Bucket hi = kthFromTop(high, k);
        long[] low = new long[LOW_BUCKETS];
        for (Candidates c : all) {
            histogramLow(kernels, c, hi.index(), low);
        }
        Bucket lo = kthFromTop(low, k - hi.above());
        long above = hi.above() + lo.above();
        return new Cut(hi.index() << LOW_BITS | lo.index(), k - above);
    }

    /** The bucket holding the k-th largest counted key (k ≥ 1), scanning from the largest bucket down. */
    private static Bucket kthFromTop(long[] histogram, long k) {
        long above = 0;
        for (int b = histogram.length - 1; b >= 0; b--) {
            if (above + histogram[b] >= k) {
                return new Bucket(b, above);
            }
            above += histogram[b];
        }
        // the histograms count every candidate, so only a tensor changed during the call gets here
        throw new IllegalStateException("top-k: fewer than " + k + " candidates on a later pass;"
                + " was a tensor modified concurrently?");
    }

    private static List<BitMask> allocateAndMark(KernelProvider kernels, TensorArena arena, List<Candidates> all,
            Cut cut) {
        List<BitMask> out = new ArrayList<>(all.size());
        try {
            for (Candidates c : all) {
                out.add(arena.mask(c.x().shape()));
            }
            if (cut != null) {
                long equalLeft = cut.equalToKeep();
                for (int t = 0; t < all.size(); t++) {
                    equalLeft = markSelected(kernels, all.get(t), cut.key(), equalLeft, out.get(t));
                }
            }
            return List.copyOf(out);
        } catch (RuntimeException | Error e) {
            Outputs.closeAll(out, e);
            throw e;
        }
    }

    // ------------------------------------------------------------------ the three passes, run by the provider

    /** Pass 1: counts the candidates by the top 16 bits of their key, rejecting NaN. */
    private static void histogramHigh(KernelProvider kernels, String op, Candidates c, long[] high) {
        long nan = kernels.magnitudeHistogram(c.x(), c.within(), 31, 0, LOW_BITS, high);
        if (nan >= 0) {
            throw new IllegalArgumentException(op + ": " + c.label() + " " + c.x() + " is NaN at flat index " + nan
                    + "; NaN has no magnitude to rank");
        }
    }

    /** Pass 2: counts the candidates in high bucket {@code bucket} by the low 15 bits of their key. */
    private static void histogramLow(KernelProvider kernels, Candidates c, int bucket, long[] low) {
        kernels.magnitudeHistogram(c.x(), c.within(), LOW_BITS, bucket, 0, low);
    }

    /**
     * Pass 3: sets every candidate whose key is above the cut, and the first {@code equalLeft}
     * candidates equal to it in index order; returns how many equal ones the next tensor may still take.
     */
    private static long markSelected(KernelProvider kernels, Candidates c, int cutKey, long equalLeft,
            BitMask out) {
        return equalLeft - kernels.selectByMagnitude(c.x(), c.within(), cutKey, equalLeft, out);
    }

    private static void markAbove(DenseF32 x, float t, BitMask out) {
        MemorySegment values = x.segment();
        long n = x.size();
        for (long base = 0; base < n; base += 64) {
            int len = (int) Math.min(64, n - base);
            long kept = 0;
            for (int j = 0; j < len; j++) {
                if (Math.abs(values.getAtIndex(FLOAT, base + j)) > t) {
                    kept |= 1L << j;
                }
            }
            Bits.writeChunk(out, base >>> 6, kept);
        }
    }
}
