package dev.thimble.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A bit per element of a tensor shape (rank 1 to 4): set bits mark the active (kept) entries.
 *
 * <p>Bit {@code i} of the flattened shape is bit {@code (bitOffset + i) % 64} of 64-bit word
 * {@code (bitOffset + i) / 64} of {@link #words()}; owned masks have {@code bitOffset == 0} and
 * keep the bits past the end zero. Views ({@link #view}) share the words and may start at any bit,
 * so a mask over a flat parameter vector can be cut into per-layer masks.
 */
public final class BitMask extends AbstractTensor {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment words;
    private final long bitOffset;
    private final int[] shape;
    private final long size;

    BitMask(MemorySegment words, long bitOffset, int[] shape, TensorArena.Allocation memory) {
        this(words, bitOffset, shape, memory, false);
    }

    private BitMask(MemorySegment words, long bitOffset, int[] shape, TensorArena.Allocation memory, boolean view) {
        super(memory, view);
        this.words = words;
        this.bitOffset = bitOffset;
        this.shape = shape;
        this.size = Shapes.size(shape);
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of bits (elements of the shape). */
    public long size() {
        return size;
    }

    /** The 64-bit words holding the bits (shared with views and the owner). */
    public MemorySegment words() {
        return words;
    }

    /** Position of this mask's bit 0 in {@link #words()}. */
    public long bitOffset() {
        return bitOffset;
    }

    /** Reads bit {@code i}. */
    public boolean get(long i) {
        long b = bitOffset + checkIndex(i);
        return (words.getAtIndex(LONG, b >>> 6) & (1L << b)) != 0;
    }

    /** Writes bit {@code i}. */
    public void set(long i, boolean on) {
        long b = bitOffset + checkIndex(i);
        long w = words.getAtIndex(LONG, b >>> 6);
        words.setAtIndex(LONG, b >>> 6, on ? w | (1L << b) : w & ~(1L << b));
    }

    /** Sets every bit of this mask to {@code on}, leaving bits outside it alone. */
    public BitMask fill(boolean on) {
        checkAlive();
        long start = bitOffset;
        long end = bitOffset + size;
        long i = start;
        while (i < end) {
            long wi = i >>> 6;
            int lo = (int) (i & 63);
            int hi = (int) Math.min(64, end - (wi << 6));
            long bits = (hi == 64 ? -1L : (1L << hi) - 1) & (-1L << lo);
            long w = words.getAtIndex(LONG, wi);
            words.setAtIndex(LONG, wi, on ? w | bits : w & ~bits);
            i = (wi + 1) << 6;
        }
        return this;
    }

    /** The number of set bits. */
    public long cardinality() {
        checkAlive();
        long count = 0;
        long end = bitOffset + size;
        long i = bitOffset;
        while (i < end) {
            long wi = i >>> 6;
            int lo = (int) (i & 63);
            int hi = (int) Math.min(64, end - (wi << 6));
            long bits = (hi == 64 ? -1L : (1L << hi) - 1) & (-1L << lo);
            count += Long.bitCount(words.getAtIndex(LONG, wi) & bits);
            i = (wi + 1) << 6;
        }
        return count;
    }

    /** Fraction of bits set (1 for an empty mask). */
    public double density() {
        return size == 0 ? 1.0 : (double) cardinality() / size;
    }

    /** Copies the bits of {@code src}, which must have the same number of bits. */
    public BitMask copyFrom(BitMask src) {
        if (src.size != size) {
            throw new IllegalArgumentException("cannot copy " + src + " into " + this + ": sizes differ");
        }
        for (long i = 0; i < size; i++) {
            set(i, src.get(i));
        }
        return this;
    }

    /** The bits as a heap array of booleans. */
    public boolean[] toArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(this + " is too large for a Java array");
        }
        boolean[] out = new boolean[(int) size];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /** A view of the same bits with another shape of equal size. */
    public BitMask reshape(int... newShape) {
        Shapes.check(newShape);
        if (Shapes.size(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + this + " to " + Shapes.toString(newShape));
        }
        return new BitMask(words, bitOffset, newShape.clone(), memory, true);
    }

    /** A view of the bits starting at flat index {@code offset}, with the given shape. */
    public BitMask view(long offset, int... viewShape) {
        Shapes.check(viewShape);
        long n = Shapes.size(viewShape);
        if (offset < 0 || offset > size - n) {
            throw new IndexOutOfBoundsException("view of " + n + " bits at offset " + offset + " does not fit in "
                    + this);
        }
        return new BitMask(words, bitOffset + offset, viewShape.clone(), memory, true);
    }

    @Override
    public long byteSize() {
        return isView() ? ((bitOffset + size + 63) >>> 6 << 3) - (bitOffset >>> 6 << 3) : words.byteSize();
    }



    @Override
    public BitMask checkAlive() {
        super.checkAlive();
        return this;
    }


    @Override
    public String toString() {
        return (isView() ? "mask view" : "mask") + Shapes.toString(shape);
    }

    private long checkIndex(long i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("bit " + i + " out of range for " + this + " of " + size + " bits");
        }
        return i;
    }
}
