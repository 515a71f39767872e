package dev.thimble.fl.core;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.IidPartitioner;
import dev.thimble.fl.data.Synthetic;
import dev.thimble.fl.nn.Linear;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Relu;
import java.util.ArrayList;
import java.util.List;

/** Small models and federations shared by the FL tests. */
public final class TestModels {
    /** Features of {@link #data}. */
    public static final int FEATURES = 16;
    /** Classes of {@link #data}. */
    public static final int CLASSES = 4;
    /** Hidden units of {@link #mlp}. */
    public static final int HIDDEN = 32;

    private TestModels() {
    }

    /** 16 → 32 → ReLU → 4. */
    public static Model mlp() {
        return new Model("test-mlp", new int[] {FEATURES},
                () -> List.of(new Linear("fc1", FEATURES, HIDDEN), new Relu("relu1"), new Linear("fc2", HIDDEN, CLASSES)));
    }

    /** Seeded synthetic data with {@value #FEATURES} features and {@value #CLASSES} classes. */
    public static Dataset data(int size, long seed) {
        return Synthetic.generate("test", size, CLASSES, 0.35, seed, FEATURES);
    }

    /** {@code clients} IID shards of {@code data}. */
    public static List<Dataset> iid(Dataset data, int clients, long seed) {
        List<Dataset> out = new ArrayList<>();
        for (int[] part : new IidPartitioner().split(data, clients, seed)) {
            out.add(data.subset(part));
        }
        return out;
    }
}
