package dev.thimble.fl.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ρ_t = ρ^((t+1)/T) and kept = d − ⌊(1 − ρ_t)·d⌋ (the reference prunes int((1 − ρ_t)·d)). */
class DensityScheduleTest {
    @Test
    void exponentialScheduleAndCounts() {
        double[] expected = {0.6309573444801932, 0.3981071705534972, 0.25118864315095796, 0.15848931924611134, 0.1};
        long[] kept = new long[5];
        for (int t = 0; t < 5; t++) {
            double rho = DensitySchedule.density(0.1, t, 5);
            assertEquals(expected[t], rho, 1e-15);
            kept[t] = DensitySchedule.kept(1000, rho);
        }
        assertEquals(0.1, DensitySchedule.density(0.1, 4, 5), 0.0); // the last step hits the target exactly
        // pruned = ⌊369.04⌋, ⌊601.89⌋, ⌊748.81⌋, ⌊841.51⌋, ⌊900⌋ → kept rounds up
        assertArrayEquals(new long[] {631, 399, 252, 159, 100}, kept);
        // LeNet-5's 61,470 prunable weights at density 0.8³ = 0.512: pruned ⌊29,997.36⌋ = 29,997
        assertEquals(61_470 - 29_997, DensitySchedule.kept(61_470, Math.pow(0.8, 3)));
        assertEquals(0, DensitySchedule.kept(10, 0.0));
        assertEquals(10, DensitySchedule.kept(10, 1.0));
    }
}
