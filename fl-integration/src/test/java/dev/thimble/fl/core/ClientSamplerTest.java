package dev.thimble.fl.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientSamplerTest {

    @ParameterizedTest
    @CsvSource({"50, 0.1, 5", "30, 0.1, 3", "10, 0.15, 2", "50, 0.01, 1", "7, 1.0, 7", "3, 0.34, 2",
            "100, 0.3, 30", "1, 0.5, 1"})
    void countIsCeilingOfFractionTimesClientsAtLeastOne(int n, double c, int expected) {
        assertEquals(expected, ClientSampler.count(n, c));
    }

    @Test
    void rejectsFractionOutsideUnitInterval() {
        assertThrows(IllegalArgumentException.class, () -> ClientSampler.count(10, 0));
        assertThrows(IllegalArgumentException.class, () -> ClientSampler.count(10, 1.01));
        assertThrows(IllegalArgumentException.class, () -> ClientSampler.count(10, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ClientSampler.count(0, 0.5));
    }

    @Test
    void sameSeedAndRoundGiveSameSortedDistinctClients() {
        for (int round = 1; round <= 20; round++) {
            int[] a = ClientSampler.sample(50, 0.1, 42, round);
            assertArrayEquals(a, ClientSampler.sample(50, 0.1, 42, round));
            assertEquals(5, a.length);
            assertEquals(5, Arrays.stream(a).distinct().count());
            int[] sorted = a.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, a);
            assertTrue(a[0] >= 0 && a[4] < 50);
        }
    }

    @Test
    void roundsAndSeedsChangeTheSample() {
        Set<String> samples = new HashSet<>();
        for (int round = 1; round <= 20; round++) {
            samples.add(Arrays.toString(ClientSampler.sample(50, 0.1, 42, round)));
        }
        assertTrue(samples.size() > 15, "rounds should mostly differ: " + samples);
        assertFalse(Arrays.equals(ClientSampler.sample(50, 0.1, 1, 1), ClientSampler.sample(50, 0.1, 2, 1)));
    }

    @Test
    void everyClientIsEventuallySampled() {
        int[] hits = new int[20];
        for (int round = 1; round <= 400; round++) {
            for (int id : ClientSampler.sample(20, 0.25, 9, round)) {
                hits[id]++;
            }
        }
        for (int h : hits) { // expected 100 each
            assertTrue(h > 60 && h < 140, Arrays.toString(hits));
        }
    }

    @Test
    void clientSeedsDependOnRoundAndClient() {
        Set<Long> seeds = new HashSet<>();
        for (int r = 1; r <= 30; r++) {
            for (int c = 0; c < 30; c++) {
                seeds.add(Seeds.client(42, r, c));
            }
        }
        assertEquals(900, seeds.size());
    }
}
