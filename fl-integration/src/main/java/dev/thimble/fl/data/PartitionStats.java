package dev.thimble.fl.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Per-client sizes and label histograms of a split, for logs and tests.
 *
 * @param sizes the number of samples of each client
 * @param histograms {@code histograms[c][label]}: client {@code c}'s samples of each class
 */
public record PartitionStats(int[] sizes, int[][] histograms) {

    /** Counts the samples and labels of each client's positions in {@code d}. */
    public static PartitionStats of(List<int[]> parts, Dataset d) {
        int[] sizes = new int[parts.size()];
        int[][] histograms = new int[parts.size()][d.numClasses()];
        for (int c = 0; c < parts.size(); c++) {
            sizes[c] = parts.get(c).length;
            for (int i : parts.get(c)) {
                histograms[c][d.label(i)]++;
            }
        }
        return new PartitionStats(sizes, histograms);
    }

    /** The number of clients. */
    public int clients() {
        return sizes.length;
    }

    /** The smallest client's size. */
    public int minSize() {
        return Arrays.stream(sizes).min().orElse(0);
    }

    /** The largest client's size. */
    public int maxSize() {
        return Arrays.stream(sizes).max().orElse(0);
    }

    /** The number of classes client {@code c} holds at least one sample of. */
    public int classesOf(int c) {
        return (int) Arrays.stream(histograms[c]).filter(n -> n > 0).count();
    }

    /**
     * The mean over non-empty clients of the share of their most common class: 1/classes for a
     * perfectly balanced split, 1 when every client holds a single class.
     */
    public double meanMaxClassShare() {
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < sizes.length; c++) {
            if (sizes[c] > 0) {
                sum += (double) Arrays.stream(histograms[c]).max().orElse(0) / sizes[c];
                counted++;
            }
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /** One line per client: its size, number of classes and label histogram. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%d clients, sizes %d..%d, mean max-class share %.3f", clients(), minSize(), maxSize(),
                meanMaxClassShare()));
        for (int c = 0; c < sizes.length; c++) {
            sb.append(String.format(Locale.ROOT, "%n  client %3d: %6d samples, %2d classes %s", c, sizes[c],
                    classesOf(c), Arrays.toString(histograms[c])));
        }
        return sb.toString();
    }
}
