package dev.thimble.fl.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pathological non-IID split of McMahan et al. (2017): sort the samples by label, cut them into
 * {@code clients × k} shards of equal size (within one sample) and give each client {@code k} shards.
 *
 * <p>The original deals shards at random, so a client may get two shards of one class. Here a
 * client's shards carry distinct labels (a shard's label is its majority class), chosen at random
 * among those that keep the rest of the deal possible: a label with as many shards left as clients
 * left must be taken now. When every class fills a whole number of shards and no class has more
 * shards than there are clients (Fashion-MNIST with 10 clients and k = 2: 20 shards of 3 000), each
 * client therefore holds exactly {@code k} classes; otherwise a shard can straddle two adjacent
 * classes, or a client must take two shards of an oversized class. The seed shuffles the samples
 * within each class and drives the deal. Every sample is used.
 */
public final class ShardPartitioner implements Partitioner {
    private final int classesPerClient;

    /**
     * A partitioner giving each client {@code classesPerClient} (≥ 1) shards.
     *
     * @throws IllegalArgumentException if {@code classesPerClient} is below 1
     */
    public ShardPartitioner(int classesPerClient) {
        if (classesPerClient < 1) {
            throw new IllegalArgumentException("classesPerClient must be >= 1, got " + classesPerClient);
        }
        this.classesPerClient = classesPerClient;
    }

    /** The shards, hence classes, per client. */
    public int classesPerClient() {
        return classesPerClient;
    }

    @Override
    public List<int[]> split(Dataset d, int clients, long seed) {
        Partitions.checkClients(d, clients);
        int k = classesPerClient;
        if (k > d.numClasses()) {
            throw new IllegalArgumentException("classesPerClient=" + k + " exceeds the " + d.numClasses()
                    + " classes of " + d.name());
        }
        int shards = Math.multiplyExact(clients, k);
        if (shards > d.size()) {
            throw new IllegalArgumentException(clients + " clients × " + k + " shards = " + shards
                    + " shards but " + d.name() + " has only " + d.size() + " samples");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] sorted = sortedByLabel(d, rng);
        int[] start = new int[shards + 1];
        for (int s = 0; s < shards; s++) {
            start[s + 1] = start[s] + d.size() / shards + (s < d.size() % shards ? 1 : 0);
        }
        List<List<Integer>> shardsOf = shardsByLabel(d, sorted, start);
        List<int[]> parts = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            List<Integer> mine = deal(shardsOf, clients - c, rng);
            int size = 0;
            for (int s : mine) {
                size += start[s + 1] - start[s];
            }
            int[] part = new int[size];
            int fill = 0;
            for (int s : mine) {
                System.arraycopy(sorted, start[s], part, fill, start[s + 1] - start[s]);
                fill += start[s + 1] - start[s];
            }
            parts.add(part);
        }
        return Partitions.sorted(parts);
    }

    /** Positions grouped by label, each group shuffled so the seed decides which samples share a shard. */
    private static int[] sortedByLabel(Dataset d, SplittableRandom rng) {
        int[] out = new int[d.size()];
        int fill = 0;
        for (int[] group : Partitions.byClass(d)) {
            Partitions.shuffle(group, rng);
            System.arraycopy(group, 0, out, fill, group.length);
            fill += group.length;
        }
        return out;
    }

    /** The shards of each label (a shard's majority class), each list shuffled. */
    private static List<List<Integer>> shardsByLabel(Dataset d, int[] sorted, int[] start) {
        List<List<Integer>> byLabel = new ArrayList<>();
        for (int c = 0; c < d.numClasses(); c++) {
            byLabel.add(new ArrayList<>());
        }
        int[] votes = new int[d.numClasses()];
        for (int s = 0; s + 1 < start.length; s++) {
            Arrays.fill(votes, 0);
            int best = 0;
            for (int i = start[s]; i < start[s + 1]; i++) {
                int label = d.label(sorted[i]);
                if (++votes[label] > votes[best]) {
                    best = label;
                }
            }
            byLabel.get(best).add(s);
        }
        return byLabel;
    }

    /**
     * One client's shards, removed from {@code shardsOf}: labels that must go now (as many shards
     * left as {@code clientsLeft}) first, then random distinct labels, repeating a label only when
     * no other is left.
     */
    private List<Integer> deal(List<List<Integer>> shardsOf, int clientsLeft, SplittableRandom rng) {
        List<Integer> mine = new ArrayList<>(classesPerClient);
        boolean[] taken = new boolean[shardsOf.size()];
        for (int slot = 0; slot < classesPerClient; slot++) {
            int label = forcedLabel(shardsOf, taken, clientsLeft);
            if (label < 0) {
                label = randomLabel(shardsOf, taken, rng);
            }
            if (label < 0) {
                label = largestLabel(shardsOf);
            }
            taken[label] = true;
            List<Integer> pool = shardsOf.get(label);
            mine.add(pool.remove(rng.nextInt(pool.size())));
        }
        return mine;
    }

    private static int forcedLabel(List<List<Integer>> shardsOf, boolean[] taken, int clientsLeft) {
        int best = -1;
        for (int l = 0; l < shardsOf.size(); l++) {
            int left = shardsOf.get(l).size();
            if (!taken[l] && left >= clientsLeft && (best < 0 || left > shardsOf.get(best).size())) {
                best = l;
            }
        }
        return best;
    }

    private static int randomLabel(List<List<Integer>> shardsOf, boolean[] taken, SplittableRandom rng) {
        int candidates = 0;
        int chosen = -1;
        for (int l = 0; l < shardsOf.size(); l++) {
            // reservoir sampling: uniform over the labels still available, in one pass
            if (!taken[l] && !shardsOf.get(l).isEmpty() && rng.nextInt(++candidates) == 0) {
                chosen = l;
            }
        }
        return chosen;
    }

    private static int largestLabel(List<List<Integer>> shardsOf) {
        int best = 0;
        for (int l = 1; l < shardsOf.size(); l++) {
            if (shardsOf.get(l).size() > shardsOf.get(best).size()) {
                best = l;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "shards(classesPerClient=" + classesPerClient + ")";
    }
}
