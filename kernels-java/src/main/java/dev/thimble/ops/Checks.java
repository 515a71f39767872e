package dev.thimble.ops;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Argument checks shared by the facades: each failure names the operation and both operands. */
final class Checks {
    private Checks() {
    }

    static void alive(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t == null) {
                throw new NullPointerException("tensor argument is null");
            }
            t.checkAlive();
        }
    }

    static void matrix(String op, String role, DenseF32 t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException(op + ": " + role + " must be a matrix (rank 2), got " + t);
        }
    }

    static void dims(String op, String what, int expected, int actual, Object... operands) {
        if (expected != actual) {
            throw new IllegalArgumentException(op + ": " + what + " (" + expected + " vs " + actual + "); operands "
                    + Arrays.toString(operands));
        }
    }

    static void sameSize(String op, DenseF32 x, DenseF32 y) {
        if (x.size() != y.size()) {
            throw new IllegalArgumentException(op + ": sizes differ, " + x + " has " + x.size() + " elements and "
                    + y + " has " + y.size());
        }
    }

    static void sameSize(String op, DenseF32 x, BitMask m) {
        if (x.size() != m.size()) {
            throw new IllegalArgumentException(op + ": " + x + " has " + x.size() + " elements but " + m + " has "
                    + m.size() + " bits");
        }
    }

    /** The output must not share memory with an input: kernels read inputs while writing outputs. */
    static void noOverlap(String op, String outRole, MemorySegment out, String inRole, MemorySegment in) {
        if (out.byteSize() > 0 && in.byteSize() > 0 && out.asOverlappingSlice(in).isPresent()) {
            throw new IllegalArgumentException(op + ": output " + outRole + " overlaps input " + inRole
                    + "; use a separate output tensor");
        }
    }
}
