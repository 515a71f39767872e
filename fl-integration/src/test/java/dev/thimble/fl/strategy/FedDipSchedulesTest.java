package dev.thimble.fl.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** methods.md §3.1's derived test vectors (T = 1000, s_0 = 0.5, s_T = 0.95, λ_max = 1e-3, η_0 = 0.1). */
class FedDipSchedulesTest {
    static final int T = 1000;

    @Test
    void cubicSparsity() {
        double[][] v = {{0, 0.5}, {100, 0.6220}, {250, 0.7602}, {500, 0.8937}, {750, 0.9430}, {900, 0.9496},
            {999, 0.9500}};
        for (double[] p : v) {
            assertEquals(p[1], FedDipSchedules.sparsity((int) p[0], T, 0.5, 0.95), 0.5e-4, "s_" + (int) p[0]);
        }
        assertEquals(0.95, FedDipSchedules.sparsity(T, T, 0.5, 0.95), 1e-15);
    }

    @Test
    void lambdaInTwentySegments() {
        for (int t = 0; t < 50; t++) {
            assertEquals(0.0, FedDipSchedules.lambda(t, T, 1e-3), "λ_" + t);
        }
        assertEquals(5e-4, FedDipSchedules.lambda(50, T, 1e-3), 1e-12);
        assertEquals(5e-4, FedDipSchedules.lambda(99, T, 1e-3), 1e-12);
        assertEquals(5.2632e-4, FedDipSchedules.lambda(100, T, 1e-3), 0.5e-8);
        assertEquals(7.3684e-4, FedDipSchedules.lambda(500, T, 1e-3), 0.5e-8);
        for (int t = 950; t < T; t++) {
            assertEquals(9.7368e-4, FedDipSchedules.lambda(t, T, 1e-3), 0.5e-8, "λ_" + t);
        }
    }

    @Test
    void lambdaMaxZeroTurnsTheRegulariserOff() {
        for (int t = 0; t < 1000; t += 37) {
            assertEquals(0.0, FedDipSchedules.lambda(t, 1000, 0), "t = " + t);
        }
    }

    @Test
    void lastSegmentAbsorbsTheRemainder() {
        // T = 1013: L = 50, segment 19 runs from 950 to 1012
        assertEquals(18, FedDipSchedules.lambdaSegment(949, 1013));
        assertEquals(19, FedDipSchedules.lambdaSegment(950, 1013));
        assertEquals(19, FedDipSchedules.lambdaSegment(1012, 1013));
        assertEquals(FedDipSchedules.lambda(950, 1013, 1e-3), FedDipSchedules.lambda(1012, 1013, 1e-3));
    }

    @Test
    void learningRateDecay() {
        assertEquals(0.1, FedDipSchedules.learningRate(0.1, 0), 0);
        assertEquals(0.013534, FedDipSchedules.learningRate(0.1, 999), 0.5e-6);
    }

    @Test
    void prunedCountRoundsHalfToEvenLikePython() {
        assertEquals(2, FedDipSchedules.prunedCount(0.5, 5)); // round(2.5) = 2
        assertEquals(4, FedDipSchedules.prunedCount(0.5, 7)); // round(3.5) = 4
        assertEquals(55323, FedDipSchedules.prunedCount(0.9, 61470));
    }
}
