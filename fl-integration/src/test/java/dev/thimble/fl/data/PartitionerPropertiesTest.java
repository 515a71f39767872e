package dev.thimble.fl.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Every partitioner hands out every sample exactly once, whatever the sizes, class counts and seed. */
class PartitionerPropertiesTest {

    @Property(tries = 200)
    void iidCoversDisjointlyAndEvenly(@ForAll @IntRange(min = 1, max = 500) int size,
            @ForAll @IntRange(min = 1, max = 12) int classes, @ForAll @IntRange(min = 1, max = 50) int clients,
            @ForAll long seed) {
        Dataset d = Synthetic.generate("p", Math.max(size, clients), classes, 0, seed, 1);
        List<int[]> parts = new IidPartitioner().split(d, clients, seed);
        PartitionerTest.assertCoversDisjointly(parts, d.size());
        PartitionStats s = PartitionStats.of(parts, d);
        assertTrue(s.maxSize() - s.minSize() <= 1);
    }

    @Property(tries = 200)
    void dirichletCoversDisjointly(@ForAll @IntRange(min = 1, max = 500) int size,
            @ForAll @IntRange(min = 1, max = 12) int classes, @ForAll @IntRange(min = 1, max = 30) int clients,
            @ForAll @DoubleRange(min = 0.01, max = 100) double alpha, @ForAll long seed) {
        Dataset d = Synthetic.generate("p", Math.max(size, clients), classes, 0, seed, 1);
        PartitionerTest.assertCoversDisjointly(new DirichletPartitioner(alpha, 0).split(d, clients, seed), d.size());
    }

    @Property(tries = 200)
    void shardsCoverDisjointlyWithKShardsEach(@ForAll @IntRange(min = 1, max = 500) int size,
            @ForAll @IntRange(min = 1, max = 12) int classes, @ForAll @IntRange(min = 1, max = 30) int clients,
            @ForAll @IntRange(min = 1, max = 3) int k, @ForAll long seed) {
        int kk = Math.min(k, classes);
        Dataset d = Synthetic.generate("p", Math.max(size, clients * kk), classes, 0, seed, 1);
        List<int[]> parts = new ShardPartitioner(kk).split(d, clients, seed);
        PartitionerTest.assertCoversDisjointly(parts, d.size());
        PartitionStats s = PartitionStats.of(parts, d);
        // k shards each of n / (clients·k) samples, within one sample per shard
        assertTrue(s.maxSize() - s.minSize() <= kk, s.toString());
    }
}
