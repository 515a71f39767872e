package dev.thimble.fl.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/** Helpers the partitioners share. */
final class Partitions {
    private Partitions() {
    }

    /** Rejects fewer than one client and more clients than samples. */
    static void checkClients(Dataset d, int clients) {
        if (clients < 1) {
            throw new IllegalArgumentException("need at least one client, got " + clients);
        }
        if (clients > d.size()) {
            throw new IllegalArgumentException("cannot split " + d.size() + " samples of " + d.name() + " among "
                    + clients + " clients: more clients than samples");
        }
    }

    /** Fisher–Yates shuffle of the whole array. */
    static void shuffle(int[] a, RandomGenerator rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** The positions of each class, in ascending order. */
    static int[][] byClass(Dataset d) {
        int[] counts = d.classCounts();
        int[][] byClass = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[counts.length];
        for (int i = 0; i < d.size(); i++) {
            int c = d.label(i);
            byClass[c][fill[c]++] = i;
        }
        return byClass;
    }

    /** Immutable list of sorted copies: clients read their data in storage order, which is friendlier to caches. */
    static List<int[]> sorted(List<int[]> parts) {
        List<int[]> out = new ArrayList<>(parts.size());
        for (int[] p : parts) {
            int[] s = p.clone();
            Arrays.sort(s);
            out.add(s);
        }
        return List.copyOf(out);
    }
}
