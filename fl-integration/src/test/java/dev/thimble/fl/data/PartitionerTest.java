package dev.thimble.fl.data;

import static dev.thimble.fl.data.IdxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PartitionerTest {
    /** Balanced like Fashion-MNIST (600 per class) but small enough to split thousands of times. */
    private static final Dataset DATA = Synthetic.generate("labels", 6000, 10, 0, 1, 1);

    static Stream<Partitioner> partitioners() {
        return Stream.of(new IidPartitioner(), new DirichletPartitioner(0.5, 100), new DirichletPartitioner(0.1, 10),
                new ShardPartitioner(2), new ShardPartitioner(1));
    }

    @ParameterizedTest
    @MethodSource("partitioners")
    void disjointAndCovering(Partitioner p) {
        assertCoversDisjointly(p.split(DATA, 10, 42), DATA.size());
    }

    @ParameterizedTest
    @MethodSource("partitioners")
    void sameSeedSameSplitOtherSeedOtherSplit(Partitioner p) {
        assertTrue(same(p.split(DATA, 10, 7), p.split(DATA, 10, 7)));
        assertFalse(same(p.split(DATA, 10, 7), p.split(DATA, 10, 8)));
    }

    @Test
    void iidSizesDifferByAtMostOneAndLabelsAreMixed() {
        PartitionStats s = PartitionStats.of(new IidPartitioner().split(DATA, 7, 1), DATA);
        assertEquals(857, s.minSize());
        assertEquals(858, s.maxSize());
        assertTrue(s.meanMaxClassShare() < 0.15, s.toString());
    }

    @Test
    void smallAlphaSkewsLabelsLargeAlphaDoesNot() {
        double skewed = PartitionStats.of(new DirichletPartitioner(0.1, 10).split(DATA, 10, 3), DATA)
                .meanMaxClassShare();
        double even = PartitionStats.of(new DirichletPartitioner(100, 10).split(DATA, 10, 3), DATA)
                .meanMaxClassShare();
        assertTrue(skewed > 0.4, "alpha=0.1 mean max-class share " + skewed);
        assertTrue(even < 0.2, "alpha=100 mean max-class share " + even);
    }

    @Test
    void dirichletRespectsMinSamples() {
        // FedDIP's setting (alpha=0.5, least_samples=100), scaled to 20 clients of 300 samples on average
        for (long seed = 0; seed < 20; seed++) {
            PartitionStats s = PartitionStats.of(new DirichletPartitioner(0.5, 100).split(DATA, 20, seed), DATA);
            assertTrue(s.minSize() >= 100, s.toString());
            s = PartitionStats.of(new DirichletPartitioner(0.1, 50).split(DATA, 10, seed), DATA);
            assertTrue(s.minSize() >= 50, s.toString());
        }
    }

    @Test
    void dirichletGivesUpWithAClearMessage() {
        // 3 clients × 1900 of 6000 samples is possible but a draw with alpha=0.01 almost never achieves it
        DirichletPartitioner p = new DirichletPartitioner(0.01, 1900, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.split(DATA, 3, 1));
        assertMessage(e, "alpha=0.01", ">= 1900", "5 attempts", "raise alpha");
    }

    @Test
    void shardsGiveEachClientExactlyKClasses() {
        for (int k = 1; k <= 3; k++) {
            for (int clients : new int[] {10, 20, 100}) {
                PartitionStats s = PartitionStats.of(new ShardPartitioner(k).split(DATA, clients, k), DATA);
                for (int c = 0; c < clients; c++) {
                    assertEquals(k, s.classesOf(c), "k=" + k + ", " + s);
                }
                assertEquals(s.minSize(), s.maxSize());
            }
        }
    }

    @Test
    void badArgumentsAreRejectedWithReasons() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(0, 1)),
                "alpha must be positive");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(-1, 1)),
                "alpha must be positive");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(0.5, -1)),
                "minSamples must be >= 0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new DirichletPartitioner(0.5, 700).split(DATA, 10, 1)), "minSamples=700 is impossible",
                "10 clients × 700 > 6000");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new IidPartitioner().split(DATA, 6001, 1)),
                "more clients than samples");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new IidPartitioner().split(DATA, 0, 1)),
                "at least one client");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new ShardPartitioner(0)),
                "classesPerClient must be >= 1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new ShardPartitioner(11).split(DATA, 2, 1)),
                "classesPerClient=11 exceeds the 10 classes");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new ShardPartitioner(3).split(DATA, 3000, 1)),
                "9000 shards", "6000 samples");
    }

    @Test
    void statsDescribeEachClient() {
        PartitionStats s = PartitionStats.of(List.of(new int[] {0, 10, 20}, new int[] {1}), DATA);
        assertEquals(2, s.clients());
        assertEquals(1, s.classesOf(0));
        assertEquals(1.0, s.meanMaxClassShare());
        assertTrue(s.toString().contains("client   0:      3 samples,  1 classes [3, 0"), s.toString());
    }

    static void assertCoversDisjointly(List<int[]> parts, int n) {
        boolean[] seen = new boolean[n];
        int total = 0;
        for (int[] part : parts) {
            for (int k = 0; k < part.length; k++) {
                assertFalse(seen[part[k]], "position " + part[k] + " given twice");
                seen[part[k]] = true;
                assertTrue(k == 0 || part[k - 1] < part[k], "ascending");
            }
            total += part.length;
        }
        assertEquals(n, total, "every position handed out");
    }

    private static boolean same(List<int[]> a, List<int[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
