package dev.thimble.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Untrusted CSR/BSR arrays are rejected with a message that names the invariant and where it broke. */
class SparseStructureTest {

    static void rejected(Executable build, String... fragments) {
        InvalidStructureException e = assertThrows(InvalidStructureException.class, build);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void acceptsAValidCsrAndReadsIt() {
        try (TensorArena arena = TensorArena.open(); CsrF32 m = arena.csr(3, 4, new int[] {0, 2, 2, 3},
                new int[] {0, 3, 1}, new float[] {1f, 2f, 3f})) {
            m.checkStructure();
            assertEquals(2f, m.get(0, 3));
            assertEquals(0f, m.get(1, 1));
            assertEquals(3f, m.get(2, 1));
            assertEquals(0.75, m.sparsity(), 1e-12);
        }
    }

    @Test
    void rejectsBadCsrInput() {
        try (TensorArena arena = TensorArena.builder().leakCheck(true).build()) {
            rejected(() -> arena.csr(2, 3, new int[] {0, 2, 1}, new int[] {0, 1}, new float[2]),
                    "not non-decreasing at row 1", "rowPtr[1]=2 > rowPtr[2]=1");
            rejected(() -> arena.csr(2, 3, new int[] {0, 2, 2}, new int[] {2, 1}, new float[2]),
                    "unsorted", "row 0", "position 1", "expected a column > 2, got 1");
            rejected(() -> arena.csr(2, 3, new int[] {0, 1, 3}, new int[] {0, 2, 2}, new float[3]),
                    "duplicate", "row 1", "position 2");
            rejected(() -> arena.csr(2, 3, new int[] {0, 1, 2}, new int[] {0, 3}, new float[2]),
                    "out of range", "row 1", "position 1", "0 <= col < 3, got 3");
            rejected(() -> arena.csr(2, 3, new int[] {0, 1, 2}, new int[] {0, -1}, new float[2]), "got -1");
            rejected(() -> arena.csr(2, 3, new int[] {0, 1}, new int[] {0}, new float[1]), "rows + 1 = 3", "has 2");
            rejected(() -> arena.csr(2, 3, new int[] {1, 1, 2}, new int[] {0, 1}, new float[2]), "rowPtr[0] must be 0");
            rejected(() -> arena.csr(2, 3, new int[] {0, 1, 1}, new int[] {0, 1}, new float[2]), "must equal nnz=2");
            rejected(() -> arena.csr(2, 3, new int[] {0, 1, 2}, new int[] {0, 1}, new float[1]), "values has 1");
            assertEquals(0, arena.liveTensors(), "nothing is allocated for rejected input");
        }
    }

    @Test
    void checkStructureFindsCorruptionWrittenThroughTheSegments() {
        try (TensorArena arena = TensorArena.open(); CsrF32 m = arena.csr(2, 5, 3)) {
            int[] rowPtr = {0, 2, 3};
            int[] cols = {1, 4, 4};
            for (int i = 0; i < 3; i++) {
                m.rowPtrSegment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, rowPtr[i]);
                m.colIdxSegment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, cols[i]);
            }
            m.checkStructure();
            m.colIdxSegment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 1, 1);
            rejected(m::checkStructure, "duplicate", "row 0", "position 1");
        }
    }

    @Test
    void acceptsAValidBsrWithPaddedEdges() {
        float[] block = new float[16];
        block[0] = 1f; // (4, 4) of the 6x5 matrix
        block[5] = 2f; // (5, 5) would be column 5 >= 5: must stay 0, so put 2 at (5, 4) instead
        block[5] = 0f;
        block[4] = 2f;
        try (TensorArena arena = TensorArena.open();
                BsrF32 m = arena.bsr(6, 5, 4, new int[] {0, 0, 1}, new int[] {1}, block)) {
            m.checkStructure();
            assertEquals(1f, m.get(4, 4));
            assertEquals(2f, m.get(5, 4));
            assertEquals(0f, m.get(0, 0));
            assertEquals(2, m.blockRows());
        }
    }

    @Test
    void rejectsBadBsrInput() {
        try (TensorArena arena = TensorArena.open()) {
            assertThrows(IllegalArgumentException.class, () -> arena.bsr(8, 8, 3, 0));
            float[] padded = new float[16];
            padded[3] = 7f; // column 4*1+3 = 7 >= cols 6
            rejected(() -> arena.bsr(4, 6, 4, new int[] {0, 1}, new int[] {1}, padded), "padding entry (0, 7)",
                    "must be 0, is 7.0");
            rejected(() -> arena.bsr(8, 8, 4, new int[] {0, 2, 2}, new int[] {1, 0}, new float[32]), "unsorted",
                    "block row 0");
            rejected(() -> arena.bsr(8, 8, 4, new int[] {0, 1, 2}, new int[] {0, 2}, new float[32]), "out of range",
                    "0 <= col < 2, got 2");
            rejected(() -> arena.bsr(8, 8, 4, new int[] {0, 1, 2}, new int[] {0, 1}, new float[31]),
                    "2 blocks of 4x4 = 32 floats, has 31");
        }
    }
}
