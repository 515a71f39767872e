package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.MemoryLimitExceededException;
import dev.thimble.tensor.TensorArena;
import org.junit.jupiter.api.Test;

/** Hand-checked conversions and the error messages of {@link FormatOps}. */
class FormatOpsTest {

    @Test
    void denseToCsrDropsBothZerosAndKeepsNaN() {
        float[] data = {
            0f, -0f, 2f,
            Float.NaN, 0f, -1f,
        };
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(data, 2, 3);
                CsrF32 csr = FormatOps.toCsr(arena, dense)) {
            assertArrayEquals(new int[] {0, 1, 3}, csr.rowPtrArray());
            assertArrayEquals(new int[] {2, 0, 2}, csr.colIdxArray());
            float[] values = csr.valuesArray();
            assertEquals(2f, values[0]);
            assertTrue(Float.isNaN(values[1]));
            assertEquals(-1f, values[2]);
        }
    }

    @Test
    void maskedGatherStoresMaskedZeros() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(new float[] {0f, 5f, 0f, 6f}, 2, 2);
                BitMask mask = arena.mask(4)) {
            mask.set(0, true);
            mask.set(3, true);
            try (CsrF32 csr = FormatOps.toCsr(arena, dense, mask)) {
                assertArrayEquals(new int[] {0, 1, 2}, csr.rowPtrArray());
                assertArrayEquals(new int[] {0, 1}, csr.colIdxArray());
                assertArrayEquals(new float[] {0f, 6f}, csr.valuesArray());
            }
        }
    }

    @Test
    void maskedGatherReadsMaskViewsAtAnyBitOffset() {
        int rows = 3;
        int cols = 70; // rows straddle mask words
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(rows, cols);
                BitMask big = arena.mask(rows * cols + 11)) {
            for (int i = 0; i < rows * cols; i++) {
                dense.set(i, i);
            }
            big.fill(true); // bits outside the view are set too and must be ignored
            BitMask view = big.view(5, rows, cols);
            view.fill(false);
            int[] on = {0, 63, 64, 69, 70, 133, 209};
            for (int i : on) {
                view.set(i, true);
            }
            try (CsrF32 csr = FormatOps.toCsr(arena, dense, view)) {
                csr.checkStructure();
                assertEquals(on.length, csr.nnz());
                float[] values = csr.valuesArray();
                for (int j = 0; j < on.length; j++) {
                    assertEquals(on[j], values[j]);
                }
            }
        }
    }

    @Test
    void storedZerosInCsrMakeBlocksExistAndBsrToCsrDropsThem() {
        // 5x9: a stored zero at (0, 8) alone in block column 2; a value at (4, 1) in block row 1
        try (TensorArena arena = TensorArena.open();
                CsrF32 csr = arena.csr(5, 9, new int[] {0, 2, 2, 2, 2, 3}, new int[] {0, 8, 1},
                        new float[] {3f, 0f, 4f});
                BsrF32 bsr = FormatOps.toBsr(arena, csr, 4)) {
            bsr.checkStructure();
            assertArrayEquals(new int[] {0, 2, 3}, bsr.blockRowPtrArray());
            assertArrayEquals(new int[] {0, 2, 0}, bsr.blockColIdxArray());
            assertEquals(3f, bsr.get(0, 0));
            assertEquals(4f, bsr.get(4, 1));
            try (CsrF32 back = FormatOps.toCsr(arena, bsr)) {
                assertArrayEquals(new int[] {0, 1, 1, 1, 1, 2}, back.rowPtrArray());
                assertArrayEquals(new int[] {0, 1}, back.colIdxArray());
                assertArrayEquals(new float[] {3f, 4f}, back.valuesArray());
            }
        }
    }

    @Test
    void denseToBsrPadsTheLastBlockWithZeros() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(7, 13)) {
            dense.set(6, 12, 9f);
            try (BsrF32 bsr = FormatOps.toBsr(arena, dense, 8)) {
                bsr.checkStructure();
                assertEquals(1, bsr.nnzBlocks());
                assertEquals(1, bsr.blockColIndex(0));
                assertEquals(9f, bsr.blockValue(0, 6, 4));
                assertEquals(1.0 / 64, bsr.blockFill());
            }
        }
    }

    @Test
    void csrTransposeHasSortedColumns() {
        // [[1 0 2]
        //  [0 3 0]
        //  [4 0 5]]
        try (TensorArena arena = TensorArena.open();
                CsrF32 a = arena.csr(3, 3, new int[] {0, 2, 3, 5}, new int[] {0, 2, 1, 0, 2},
                        new float[] {1, 2, 3, 4, 5});
                CsrF32 t = FormatOps.transpose(arena, a)) {
            t.checkStructure();
            assertArrayEquals(new int[] {0, 2, 3, 5}, t.rowPtrArray());
            assertArrayEquals(new int[] {0, 2, 1, 0, 2}, t.colIdxArray());
            assertArrayEquals(new float[] {1, 4, 3, 2, 5}, t.valuesArray());
        }
    }

    @Test
    void denseTransposeOfAViewAcrossSeveralTiles() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 flat = arena.dense(3 + 40 * 70)) {
            for (int i = 0; i < flat.size(); i++) {
                flat.set(i, i);
            }
            DenseF32 m = flat.view(3, 40, 70);
            try (DenseF32 t = FormatOps.transpose(arena, m)) {
                assertArrayEquals(new int[] {70, 40}, t.shape());
                for (int r = 0; r < 40; r++) {
                    for (int c = 0; c < 70; c++) {
                        assertEquals(m.get(r, c), t.get(c, r));
                    }
                }
            }
        }
    }

    @Test
    void maskOfSetsStoredZerosToo() {
        try (TensorArena arena = TensorArena.open();
                CsrF32 a = arena.csr(2, 2, new int[] {0, 1, 2}, new int[] {1, 0}, new float[] {0f, 1f});
                BitMask mask = FormatOps.maskOf(arena, a)) {
            assertArrayEquals(new int[] {2, 2}, mask.shape());
            assertArrayEquals(new boolean[] {false, true, true, false}, mask.toArray());
        }
    }

    @Test
    void shapeErrorsNameBothShapes() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(3, 4);
                BitMask mask = arena.mask(10);
                DenseF32 vector = arena.dense(5)) {
            var e = assertThrows(IllegalArgumentException.class, () -> FormatOps.toCsr(arena, dense, mask));
            assertTrue(e.getMessage().contains("dense[3x4]") && e.getMessage().contains("mask[10]"), e.getMessage());
            var rank = assertThrows(IllegalArgumentException.class, () -> FormatOps.toCsr(arena, vector));
            assertTrue(rank.getMessage().contains("dense[5]"), rank.getMessage());
            var block = assertThrows(IllegalArgumentException.class, () -> FormatOps.toBsr(arena, dense, 5));
            assertTrue(block.getMessage().contains("4, 8 or 16"), block.getMessage());
            assertEquals(3, arena.liveTensors(), "a rejected call allocates nothing");
        }
    }

    @Test
    void closedInputsAreRejected() {
        try (TensorArena arena = TensorArena.open()) {
            DenseF32 dense = arena.dense(2, 2);
            dense.close();
            assertThrows(IllegalStateException.class, () -> FormatOps.toCsr(arena, dense));
            assertThrows(IllegalStateException.class, () -> FormatOps.transpose(arena, dense));
        }
    }

    @Test
    void anAllocationPastTheArenaLimitLeaksNothing() {
        try (TensorArena arena = TensorArena.builder().limitBytes(4096).build();
                DenseF32 dense = arena.dense(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4)) {
            long before = arena.currentBytes();
            // leave 64 bytes: too few for the three CSR arrays
            DenseF32 filler = arena.dense(4096 / 4 - 32);
            assertThrows(MemoryLimitExceededException.class, () -> FormatOps.toCsr(arena, dense));
            assertEquals(2, arena.liveTensors());
            filler.close();
            assertEquals(before, arena.currentBytes());
            assertEquals(1, arena.liveTensors());
        }
    }
}
