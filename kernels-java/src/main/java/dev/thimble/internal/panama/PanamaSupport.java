package dev.thimble.internal.panama;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Species, layouts and the load/store helpers shared by the Vector API kernels. */
final class PanamaSupport {
    private PanamaSupport() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Floats of the preferred species whose doubles fill one preferred double vector (L / 2 lanes). */
    static final VectorSpecies<Float> HALF = S.vectorBitSize() >= 128
            ? S.withShape(VectorShape.forBitSize(S.vectorBitSize() / 2))
            : S;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final ByteOrder BO = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong LW = ValueLayout.JAVA_LONG_UNALIGNED;
    static final long VB = (long) L * Float.BYTES;
    /**
     * Elements per block of the float-accumulated reductions (dot, norms): 16 steps of 4 vectors, so
     * each float lane sums 16 terms before the block is folded into a double.
     */
    static final int RED_BLOCK = 64 * L;
    /** Below this the float partial sum of a block may have lost terms to underflow: redo it in double. */
    static final double TINY = 0x1p-90;
    static FloatVector load(MemorySegment s, long byteOff) {
        return FloatVector.fromMemorySegment(S, s, byteOff, BO);
    }

    static FloatVector load(MemorySegment s, long byteOff, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, byteOff, BO, m);
    }

    /** {@code alpha·acc + beta·C} stored at {@code off}; C is not read when beta is 0. */
    static void store(FloatVector acc, float alpha, float beta, MemorySegment c, long off) {
        FloatVector r = acc.mul(alpha);
        if (beta != 0f) {
            r = r.add(load(c, off).mul(beta));
        }
        r.intoMemorySegment(c, off, BO);
    }

    static void store(FloatVector acc, float alpha, float beta, MemorySegment c, long off,
            VectorMask<Float> m) {
        FloatVector r = acc.mul(alpha);
        if (beta != 0f) {
            r = r.add(load(c, off, m).mul(beta));
        }
        r.intoMemorySegment(c, off, BO, m);
    }

    /** {@code beta·old} without reading old when beta is 0 (BLAS semantics). */
    static float scaled(float beta, MemorySegment s, long i) {
        return beta == 0f ? 0f : beta * s.getAtIndex(F, i);
    }

    /**
     * The {@code len} (1..64) mask bits starting at absolute bit {@code bit} of {@code words}, in the
     * low bits of the result; reads the next word only when the bits straddle it.
     */
    static long bitsAt(MemorySegment words, long bit, int len) {
        long w = bit >>> 6;
        int sh = (int) (bit & 63);
        long v = words.getAtIndex(LW, w) >>> sh;
        if (sh != 0 && sh + len > 64) {
            v |= words.getAtIndex(LW, w + 1) << (64 - sh);
        }
        return len == 64 ? v : v & ((1L << len) - 1);
    }

}
