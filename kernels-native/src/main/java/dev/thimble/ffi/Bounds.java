package dev.thimble.ffi;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;

/**
 * The checks {@link NativeKernels} runs before every downcall (style.md #12): C trusts its
 * contract and reads or writes wherever the dimensions point, so a segment shorter than the
 * dimensions imply, a row range outside the matrix, or a column index out of range would be a JVM
 * crash or silent memory corruption instead of an exception.
 *
 * <p>Each method compares what the C side will touch, computed from the same dimensions the
 * downcall passes, with what the segment holds, and says both numbers when it does not fit. The
 * facades in {@code dev.thimble.ops} already check shapes; this is the last line of defence for
 * callers of the SPI itself. All checks are O(1) except the one-time structure check of an
 * unsealed sparse matrix.
 */
final class Bounds {
    private Bounds() {
    }

    /** Bytes of {@code count} elements of {@code size} bytes; saturates (no segment is that large). */
    static long bytes(long count, int size) {
        try {
            return Math.multiplyExact(count, size);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code a·b}, saturating: a product past {@code Long.MAX_VALUE} fails every size check. */
    static long product(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A live, native, 4-byte-aligned segment of at least {@code rows×cols} floats.
     *
     * @throws IllegalStateException if the tensor's memory was freed
     * @throws IllegalArgumentException if the segment is too short, on the heap, or misaligned
     */
    static MemorySegment floats(String op, String role, DenseF32 t, long rows, long cols) {
        t.checkAlive();
        MemorySegment s = t.segment();
        long need = bytes(product(rows, cols), Float.BYTES);
        if (s.byteSize() < need) {
            throw new IllegalArgumentException(op + ": " + role + " " + t + " has " + s.byteSize()
                    + " bytes but the kernel touches " + rows + "×" + cols + " floats = " + need + " bytes");
        }
        return usable(op, role + " " + t, s, Float.BYTES);
    }

    /** A live, native, aligned segment of at least {@code n} floats (flat vectors). */
    static MemorySegment floats(String op, String role, DenseF32 t, long n) {
        t.checkAlive();
        MemorySegment s = t.segment();
        long need = bytes(n, Float.BYTES);
        if (s.byteSize() < need) {
            throw new IllegalArgumentException(op + ": " + role + " " + t + " has " + s.byteSize()
                    + " bytes but the kernel touches " + n + " floats = " + need + " bytes");
        }
        return usable(op, role + " " + t, s, Float.BYTES);
    }

    /**
     * The words of a mask, checked to hold bits {@code [bitOffset, bitOffset + bits)}: the
     * {@code ceil((bitOffset + bits) / 64)} words thimble.h says the kernel may touch.
     */
    static MemorySegment maskWords(String op, String role, BitMask m, long bits) {
        m.checkAlive();
        MemorySegment w = m.words();
        long offset = m.bitOffset();
        if (offset < 0) {
            throw new IllegalArgumentException(op + ": " + role + " " + m + " has a negative bit offset " + offset);
        }
        long end = offset + bits;
        long need = end < 0 ? Long.MAX_VALUE : bytes((end + 63) >>> 6, Long.BYTES);
        if (w.byteSize() < need) {
            throw new IllegalArgumentException(op + ": " + role + " " + m + " has " + w.byteSize()
                    + " bytes of words but bits [" + offset + ", " + end + ") need " + need + " bytes");
        }
        return usable(op, role + " " + m, w, Long.BYTES);
    }

    /** A stream range {@code [offset, offset + n)} within [0, 2^63) and a stream code C knows (0, 1, 2). */
    static void noiseRange(String op, long n, long offset, int stream) {
        if (offset < 0 || offset > Long.MAX_VALUE - n) {
            throw new IllegalArgumentException(op + ": stream range [" + offset + ", " + offset + " + " + n
                    + ") is not within [0, 2^63)");
        }
        if (stream < 0 || stream > 2) {
            throw new IllegalArgumentException(op + ": unknown noise stream " + stream + " (0, 1 or 2)");
        }
    }

    /** A raw native segment of at least {@code need} bytes, aligned to {@code align}. */
    static MemorySegment segment(String op, String what, MemorySegment s, long need, int align) {
        java.util.Objects.requireNonNull(s, what);
        sized(op, what, s, need, need + " bytes", align);
        return s;
    }

    /** {@code 0 <= start <= end <= limit} for a range of (block) rows. */
    static void rowRange(String op, String what, int start, int end, int limit) {
        if (start < 0 || end < start || end > limit) {
            throw new IndexOutOfBoundsException(op + ": " + what + " [" + start + ", " + end
                    + ") is not within [0, " + limit + ")");
        }
    }

    /**
     * A sealed CSR whose segments hold its declared lengths. An unsealed matrix is checked (and
     * thereby sealed) first: its column indices and row pointers steer every C read, so they must
     * be verified before C trusts them.
     *
     * @throws dev.thimble.tensor.InvalidStructureException if the structure breaks an invariant
     */
    static void csr(String op, String role, CsrF32 a) {
        a.checkAlive();
        if (!a.isSealed()) {
            a.checkStructure();
        }
        String who = role + " " + a;
        ints(op, who + " rowPtr", a.rowPtrSegment(), (long) a.rows() + 1);
        ints(op, who + " colIdx", a.colIdxSegment(), a.nnz());
        sized(op, who + " values", a.valuesSegment(), bytes(a.nnz(), Float.BYTES), a.nnz() + " floats", Float.BYTES);
    }

    /** A sealed BSR with a supported block size whose segments hold its declared lengths. */
    static void bsr(String op, String role, BsrF32 a) {
        a.checkAlive();
        int bs = a.blockSize();
        if (bs != 4 && bs != 8 && bs != 16) {
            throw new IllegalArgumentException(op + ": " + role + " " + a + " has block size " + bs
                    + "; the native kernels support 4, 8 and 16");
        }
        if (!a.isSealed()) {
            a.checkStructure();
        }
        String who = role + " " + a;
        ints(op, who + " blockRowPtr", a.blockRowPtrSegment(), (long) a.blockRows() + 1);
        ints(op, who + " blockColIdx", a.blockColIdxSegment(), a.nnzBlocks());
        long values = product(a.nnzBlocks(), (long) bs * bs);
        sized(op, who + " values", a.valuesSegment(), bytes(values, Float.BYTES), values + " floats", Float.BYTES);
    }

    private static void ints(String op, String what, MemorySegment s, long count) {
        sized(op, what, s, bytes(count, Integer.BYTES), count + " int32", Integer.BYTES);
    }

    private static void sized(String op, String what, MemorySegment s, long need, String count, int align) {
        if (s.byteSize() < need) {
            throw new IllegalArgumentException(op + ": " + what + " has " + s.byteSize() + " bytes but the kernel reads "
                    + count + " = " + need + " bytes");
        }
        usable(op, what, s, align);
    }

    /**
     * Native (a heap segment's address means nothing to C, and the leaf linkage refuses it) and
     * aligned to its element, as C's {@code float *} / {@code uint64_t *} require.
     */
    private static MemorySegment usable(String op, String what, MemorySegment s, int align) {
        if (!s.isNative()) {
            throw new IllegalArgumentException(op + ": " + what + " is on the Java heap; the native kernels need"
                    + " off-heap memory from a TensorArena");
        }
        if (s.address() % align != 0) {
            throw new IllegalArgumentException(op + ": " + what + " starts at address 0x"
                    + Long.toHexString(s.address()) + ", which is not aligned to " + align + " bytes");
        }
        return s;
    }
}
