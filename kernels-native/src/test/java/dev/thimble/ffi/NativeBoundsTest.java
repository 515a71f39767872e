package dev.thimble.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.InvalidStructureException;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.RandomTensors;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input passed straight to the SPI (bypassing the facades' shape checks) must end in an
 * exception, never in C reading or writing out of bounds: segments too short for the dimensions,
 * row ranges past the matrix, freed memory, unverified sparse structure.
 */
class NativeBoundsTest {
    private final NativeKernels k = new NativeKernels();
    private final RandomTensors rnd = new RandomTensors(11);
    private TensorArena arena;

    @BeforeEach
    void open() {
        arena = TensorArena.builder().name("bounds").leakCheck(false).build();
    }

    @AfterEach
    void close() {
        if (!arena.isClosed()) {
            arena.close();
        }
    }

    private static String iae(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    private static void mentions(String message, long... numbers) {
        for (long n : numbers) {
            assertTrue(message.contains(Long.toString(n)), () -> "'" + message + "' does not mention " + n);
        }
    }

    @Test
    void anOutputShorterThanMTimesNIsRefusedWithBothSizes() {
        CsrF32 a = rnd.csr(arena, 6, 5, 0.5);
        DenseF32 b = rnd.dense(arena, 5, 4);
        // a 6×3 view: 72 bytes where the kernel would write 6×4 floats = 96
        DenseF32 c = arena.dense(6, 4).view(0, 6, 3);
        String why = iae(() -> k.spmmCsr(1f, a, b, 0f, c, 0, 6));
        mentions(why, 72, 96);
        assertTrue(why.contains("C"), why);
    }

    @Test
    void everyDenseOperandIsCheckedAgainstTheDimensionsPassedToC() {
        DenseF32 a = rnd.dense(arena, 7, 5);
        DenseF32 bShort = rnd.dense(arena, 4, 3); // k = 5 rows needed
        DenseF32 c = arena.dense(7, 3);
        mentions(iae(() -> k.gemm(1f, a, bShort, 0f, c, 0, 7)), 48, 60);
        // 7×10 = 70 mask bits need two words; a 4×4 mask has one
        DenseF32 b = rnd.dense(arena, 5, 10);
        DenseF32 c10 = arena.dense(7, 10);
        mentions(iae(() -> k.maskedGemm(1f, a, b, arena.mask(4, 4), 0f, c10, 0, 7)), 8, 16);
        k.maskedGemm(1f, a, b, arena.mask(7, 10), 0f, c10, 0, 7); // exactly enough: fine

        CsrF32 w = rnd.csr(arena, 4, 6, 0.3); // n×k = 4×6
        DenseF32 x = rnd.dense(arena, 3, 5); // needs 3×6
        mentions(iae(() -> k.denseTimesCsrT(1f, x, w, 0f, arena.dense(3, 4), 0, 3)), 60, 72);
        DenseF32 g = rnd.dense(arena, 3, 4);
        mentions(iae(() -> k.denseTimesCsr(1f, g, w, 0f, arena.dense(3, 5), 0, 3)), 60, 72);

        CsrF32 pattern = rnd.csr(arena, 4, 6, 0.5);
        DenseF32 xs = rnd.dense(arena, 4, 3);
        mentions(iae(() -> k.sddmm(1f, xs, rnd.dense(arena, 5, 3), 0f, pattern, 0, 4)), 60, 72);
        mentions(iae(() -> k.sddmmTransposed(1f, rnd.dense(arena, 2, 4), rnd.dense(arena, 2, 5), 0f, pattern, 0, 4)),
                40, 48);
    }

    @Test
    void flatVectorsAndMasksMustCoverEveryElement() {
        DenseF32 x = rnd.dense(arena, 100);
        DenseF32 shortY = rnd.dense(arena, 99);
        mentions(iae(() -> k.axpy(1f, x, shortY)), 396, 400);
        mentions(iae(() -> k.dot(x, shortY)), 396, 400);

        BitMask owner = arena.mask(128); // two words
        BitMask tail = owner.view(100, 28); // bits [100, 128)
        // 100 elements from bit 100 reach bit 200: 4 words = 32 bytes, the words hold 16
        String why = iae(() -> k.maskedAxpy(1f, x, tail, rnd.dense(arena, 100)));
        mentions(why, 16, 32, 100, 200);
        iae(() -> k.applyMask(x, tail));
        iae(() -> k.maskedNorm2(x, tail));
        iae(() -> k.maskedNormInf(x, tail));
        iae(() -> k.magnitudeHistogram(x, tail, 31, 0, 16, new long[4]));
        iae(() -> k.selectByMagnitude(x, null, 0, 0, tail));

        DenseF32 out = arena.dense(100);
        mentions(iae(() -> k.weightedSum(new float[] {1f, 2f}, new DenseF32[] {x, shortY}, out)), 396, 400);
        mentions(iae(() -> k.weightedSum(new float[] {1f}, new DenseF32[] {x, x}, out)), 1, 2);
    }

    @Test
    void rowRangesMustLieInsideTheMatrix() {
        CsrF32 a = rnd.csr(arena, 6, 5, 0.5);
        DenseF32 b = rnd.dense(arena, 5, 4);
        DenseF32 c = arena.dense(6, 4);
        assertThrows(IndexOutOfBoundsException.class, () -> k.spmmCsr(1f, a, b, 0f, c, 0, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> k.spmmCsr(1f, a, b, 0f, c, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> k.spmmCsr(1f, a, b, 0f, c, 4, 3));
        BsrF32 bsr = rnd.bsr(arena, 10, 5, 4, 0.3); // 3 block rows
        DenseF32 c10 = arena.dense(10, 4);
        String why = assertThrows(IndexOutOfBoundsException.class,
                () -> k.spmmBsr(1f, bsr, b, 0f, c10, 0, 4)).getMessage();
        assertTrue(why.contains("[0, 4)") && why.contains("3"), why);
        k.spmmBsr(1f, bsr, b, 0f, c10, 0, 3);
        DenseF32 g = rnd.dense(arena, 3, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> k.gemm(1f, g, g, 0f, arena.dense(3, 3), 2, 4));
    }

    @Test
    void magnitudeArgumentsThatCWouldMisreadAreRefused() {
        DenseF32 x = rnd.dense(arena, 10);
        mentions(iae(() -> k.magnitudeHistogram(x, null, 31, 0, 16, new long[3])), 3);
        iae(() -> k.magnitudeHistogram(x, null, 31, 0, 16, new long[0]));
        iae(() -> k.magnitudeHistogram(x, null, 32, 0, 16, new long[4]));
        iae(() -> k.magnitudeHistogram(x, null, 31, 0, -1, new long[4]));
        iae(() -> k.selectByMagnitude(x, null, -5, 0, arena.mask(10)));
    }

    @Test
    void freedMemoryIsAnIllegalStateNotACrash() {
        DenseF32 x = rnd.dense(arena, 64);
        DenseF32 y = rnd.dense(arena, 64);
        CsrF32 a = rnd.csr(arena, 8, 8, 0.5);
        DenseF32 b = rnd.dense(arena, 8, 8);
        DenseF32 c = arena.dense(8, 8);
        DenseF32 view = x.view(8, 16);
        arena.close();
        assertThrows(IllegalStateException.class, () -> k.dot(x, y));
        assertThrows(IllegalStateException.class, () -> k.norm2(view));
        assertThrows(IllegalStateException.class, () -> k.spmmCsr(1f, a, b, 0f, c, 0, 8));

        try (TensorArena other = TensorArena.builder().name("closed-tensor").leakCheck(false).build()) {
            DenseF32 z = rnd.dense(other, 16);
            DenseF32 w = rnd.dense(other, 16);
            z.close();
            String why = assertThrows(IllegalStateException.class, () -> k.axpy(2f, w, z)).getMessage();
            assertTrue(why.contains("freed"), why);
        }
    }

    @Test
    void anUnsealedCorruptCsrIsRejectedBeforeTheDowncall() {
        CsrF32 a = arena.csr(3, 4, 3); // structure written by hand: unsealed until checked
        a.rowPtrSegment().setAtIndex(ValueLayout.JAVA_INT, 1, 1);
        a.rowPtrSegment().setAtIndex(ValueLayout.JAVA_INT, 2, 2);
        a.rowPtrSegment().setAtIndex(ValueLayout.JAVA_INT, 3, 3);
        a.colIdxSegment().setAtIndex(ValueLayout.JAVA_INT, 0, 0);
        a.colIdxSegment().setAtIndex(ValueLayout.JAVA_INT, 1, 1_000_000); // would make C read far past B
        a.colIdxSegment().setAtIndex(ValueLayout.JAVA_INT, 2, 3);
        for (int p = 0; p < 3; p++) {
            a.setValue(p, 1.5f + p);
        }
        DenseF32 b = rnd.dense(arena, 4, 2);
        DenseF32 c = arena.dense(3, 2).fill(Float.NaN);
        String why = assertThrows(InvalidStructureException.class, () -> k.spmmCsr(1f, a, b, 0f, c, 0, 3))
                .getMessage();
        assertTrue(why.contains("1000000"), why);
        assertFalse(a.isSealed());
        assertTrue(Float.isNaN(c.get(0, 0)), "the kernel ran");

        // fixed, the same matrix is verified, sealed and used
        a.colIdxSegment().setAtIndex(ValueLayout.JAVA_INT, 1, 2);
        k.spmmCsr(1f, a, b, 0f, c, 0, 3);
        assertTrue(a.isSealed());
        assertEquals(a.value(1) * b.get(2, 0), c.get(1, 0), 1e-6f);
    }

    @Test
    void anUnsealedCorruptPatternIsRejectedToo() {
        CsrF32 pattern = arena.csr(2, 3, 2);
        pattern.rowPtrSegment().setAtIndex(ValueLayout.JAVA_INT, 1, 5); // past nnz
        pattern.rowPtrSegment().setAtIndex(ValueLayout.JAVA_INT, 2, 2);
        assertThrows(InvalidStructureException.class,
                () -> k.sddmm(1f, rnd.dense(arena, 2, 4), rnd.dense(arena, 3, 4), 0f, pattern, 0, 2));
        assertFalse(pattern.isSealed());
    }
}
