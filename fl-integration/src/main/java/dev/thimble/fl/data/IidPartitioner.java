package dev.thimble.fl.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Shuffles the dataset and deals it out: every sample is used and client sizes differ by at most one. */
public final class IidPartitioner implements Partitioner {

    /** Creates the partitioner; it has no parameters. */
    public IidPartitioner() {
    }

    @Override
    public List<int[]> split(Dataset d, int clients, long seed) {
        Partitions.checkClients(d, clients);
        int[] order = new int[d.size()];
        Arrays.setAll(order, i -> i);
        Partitions.shuffle(order, new SplittableRandom(seed));
        List<int[]> parts = new ArrayList<>(clients);
        int base = order.length / clients;
        int extra = order.length % clients;
        int from = 0;
        for (int c = 0; c < clients; c++) {
            int to = from + base + (c < extra ? 1 : 0);
            parts.add(Arrays.copyOfRange(order, from, to));
            from = to;
        }
        return Partitions.sorted(parts);
    }

    @Override
    public String toString() {
        return "iid";
    }
}
