package dev.thimble.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorArenaTest {

    @Test
    void accountsCurrentAndPeakBytesAndFreesOnClose() {
        try (TensorArena arena = TensorArena.builder().name("acct").leakCheck(true).build()) {
            DenseF32 a = arena.dense(100); // 400 B, rounded up to 448 (64-byte alignment)
            DenseF32 b = arena.dense(16); // 64 B
            assertEquals(448 + 64, arena.currentBytes());
            a.close();
            assertEquals(64, arena.currentBytes());
            assertEquals(448 + 64, arena.peakBytes());
            assertFalse(a.isAlive());
            b.close();
            assertEquals(0, arena.currentBytes());
            arena.resetPeak();
            assertEquals(0, arena.peakBytes());
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        TensorArena arena = TensorArena.open();
        DenseF32 a = arena.dense(3);
        a.close();
        a.close();
        arena.close();
        arena.close();
        assertTrue(arena.isClosed());
    }

    @Test
    void limitNamesTheLimitTheRequestAndTheUse() {
        try (TensorArena arena = TensorArena.builder().name("device").limitBytes(1024).leakCheck(false).build()) {
            arena.dense(128); // 512 B
            MemoryLimitExceededException e = assertThrows(MemoryLimitExceededException.class, () -> arena.dense(200));
            assertEquals(1024, e.limitBytes());
            assertEquals(832, e.requestedBytes());
            assertEquals(512, e.usedBytes());
            assertTrue(e.getMessage().contains("'device'") && e.getMessage().contains("dense[200]")
                    && e.getMessage().contains("1.0 KiB"), e.getMessage());
            assertEquals(512, arena.currentBytes(), "a failed allocation must not be counted");
        }
    }

    @Test
    void leakCheckListsTheLiveTensorsAndStillFreesThem() {
        TensorArena arena = TensorArena.builder().name("leaky").leakCheck(true).recordSites(true).build();
        DenseF32 kept = arena.dense(2, 3);
        CsrF32 csr = arena.csr(2, 2, new int[] {0, 1, 1}, new int[] {1}, new float[] {5f});
        IllegalStateException e = assertThrows(IllegalStateException.class, arena::close);
        assertTrue(e.getMessage().contains("2 live tensor(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("dense[2x3]") && e.getMessage().contains("csr[2x2, nnz=1]"), e.getMessage());
        assertTrue(e.getMessage().contains("TensorArenaTest.leakCheckListsTheLiveTensorsAndStillFreesThem"),
                "allocation site recorded: " + e.getMessage());
        assertFalse(kept.isAlive());
        assertFalse(csr.isAlive());
    }

    @Test
    void aClosedArenaRefusesToAllocateAndItsTensorsSayTheyWereFreed() {
        TensorArena arena = TensorArena.builder().name("gone").leakCheck(false).build();
        DenseF32 t = arena.dense(4);
        arena.close();
        IllegalStateException alloc = assertThrows(IllegalStateException.class, () -> arena.dense(1));
        assertTrue(alloc.getMessage().contains("'gone' is closed"), alloc.getMessage());
        IllegalStateException use = assertThrows(IllegalStateException.class, t::checkAlive);
        assertTrue(use.getMessage().contains("dense[4]") && use.getMessage().contains("arena 'gone' is closed"),
                use.getMessage());
        // raw access through the segment is refused by the JDK, never a crash
        assertThrows(IllegalStateException.class, () -> t.get(0));
    }

    @Test
    void viewsShareMemoryAndCannotBeClosed() {
        try (TensorArena arena = TensorArena.builder().leakCheck(true).build()) {
            DenseF32 flat = arena.dense(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 12);
            DenseF32 m = flat.view(2, 2, 5);
            assertEquals(2f, m.get(0, 0));
            assertEquals(11f, m.get(1, 4));
            m.set(1, 0, -1f);
            assertEquals(-1f, flat.get(7));
            assertEquals(5f, flat.reshape(3, 4).row(1).get(1));
            assertEquals(8f, flat.reshape(3, 4).slice(2, 3).get(0));
            assertTrue(m.isView());
            assertThrows(IllegalStateException.class, m::close);
            assertEquals(flat.byteSize() + 16, arena.currentBytes(), "views allocate nothing");
            assertThrows(IndexOutOfBoundsException.class, () -> flat.view(10, 3));
            assertThrows(IllegalArgumentException.class, () -> flat.reshape(5, 3));
            flat.close();
            assertFalse(m.isAlive());
        }
    }

    @Test
    void shapesAreChecked() {
        try (TensorArena arena = TensorArena.open()) {
            assertThrows(IllegalArgumentException.class, () -> arena.dense(1, 2, 3, 4, 5));
            assertThrows(IllegalArgumentException.class, () -> arena.dense());
            assertThrows(IllegalArgumentException.class, () -> arena.dense(-1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> arena.dense(new float[5], 2, 3));
            assertTrue(e.getMessage().contains("5") && e.getMessage().contains("[2x3]"), e.getMessage());
            try (DenseF32 t = arena.dense(2, 3)) {
                assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
                assertThrows(IndexOutOfBoundsException.class, () -> t.get(6));
                assertThrows(IllegalArgumentException.class, () -> t.reshape(6).rows());
            }
        }
    }

    @Test
    void bitMaskViewsAtAnyBitOffset() {
        try (TensorArena arena = TensorArena.open(); BitMask m = arena.mask(200)) {
            BitMask v = m.view(61, 70);
            v.fill(true);
            assertEquals(70, m.cardinality());
            assertFalse(m.get(60));
            assertTrue(m.get(61));
            assertTrue(m.get(130));
            assertFalse(m.get(131));
            v.set(0, false);
            assertEquals(69, v.cardinality());
            assertEquals(69.0 / 70, v.density(), 1e-12);
            assertThrows(IndexOutOfBoundsException.class, () -> v.get(70));
        }
    }
}
