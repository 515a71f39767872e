package dev.thimble.fl.cli;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.DirichletPartitioner;
import dev.thimble.fl.data.FashionMnist;
import dev.thimble.fl.data.IidPartitioner;
import dev.thimble.fl.data.Partitioner;
import dev.thimble.fl.data.ShardPartitioner;
import dev.thimble.fl.data.Synthetic;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The datasets and partitioners the CLI knows by name. */
final class DataChoice {
    /** Training samples of the synthetic dataset (its test set has a sixth as many). */
    static final int SYNTHETIC_TRAIN = 6000;

    /** Names for {@code --dataset}. */
    static final List<String> DATASETS = List.of("fashion-mnist", "synthetic");
    /** Names for {@code --partition}. */
    static final List<String> PARTITIONS = List.of("iid", "dirichlet", "shards");

    private DataChoice() {
    }

    /** Training and test sets. */
    record Split(Dataset train, Dataset test) {
    }

    /**
     * Loads the dataset called {@code name}.
     *
     * @param dataDir Fashion-MNIST's folder, or null for the default
     * @throws IllegalArgumentException with a one-line reason for a user mistake (unknown name,
     *     missing or corrupt file)
     */
    static Split load(String name, Path dataDir, long seed) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "fashion-mnist" -> {
                try {
                    FashionMnist.Split s = dataDir == null ? FashionMnist.load() : FashionMnist.load(dataDir);
                    return new Split(s.train(), s.test());
                } catch (FileNotFoundException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read Fashion-MNIST: " + e.getMessage(), e);
                }
            }
            case "synthetic" -> {
                // one generator for both sets, so they share the class prototypes
                int test = SYNTHETIC_TRAIN / 6;
                Dataset all = Synthetic.images(SYNTHETIC_TRAIN + test, seed);
                return new Split(all.subset(range(0, SYNTHETIC_TRAIN)), all.subset(range(SYNTHETIC_TRAIN,
                        SYNTHETIC_TRAIN + test)));
            }
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; known: "
                    + String.join(", ", DATASETS));
        }
    }

    /** The partitioner called {@code name}. */
    static Partitioner partitioner(String name, double alpha, int shardsPerClient, int minSamples) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "iid" -> new IidPartitioner();
            case "dirichlet" -> new DirichletPartitioner(alpha, minSamples);
            case "shards" -> new ShardPartitioner(shardsPerClient);
            default -> throw new IllegalArgumentException("unknown partition '" + name + "'; known: "
                    + String.join(", ", PARTITIONS));
        };
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
