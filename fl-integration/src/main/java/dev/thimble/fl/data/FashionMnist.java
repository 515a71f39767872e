package dev.thimble.fl.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads Fashion-MNIST (Xiao et al., 2017) from its four IDX files: 60 000 training and 10 000 test
 * images of 28 × 28 grey pixels in 10 balanced classes.
 *
 * <p>Nothing is downloaded: the files come from Debian's {@code dataset-fashion-mnist} package
 * ({@value #DEFAULT_DIR}) or a folder named by the system property {@value #DIR_PROPERTY} or the
 * environment variable {@value #DIR_ENV} (the property wins). Each file may be gzipped
 * ({@code train-images-idx3-ubyte.gz}, as Debian ships them) or not.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    /** System property naming the data folder. */
    public static final String DIR_PROPERTY = "thimble.data.fashion-mnist";
    /** Environment variable naming the data folder, used when the property is not set. */
    public static final String DIR_ENV = "THIMBLE_FASHION_MNIST";
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;
    /** Class names by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private FashionMnist() {
    }

    /**
     * The training and test sets.
     *
     * @param train the 60 000 training samples
     * @param test the 10 000 test samples
     */
    public record Split(Dataset train, Dataset test) {
    }

    /** The data folder: the system property, else the environment variable, else {@value #DEFAULT_DIR}. */
    public static Path defaultDir() {
        return resolveDir(System.getProperty(DIR_PROPERTY), System.getenv(DIR_ENV));
    }

    static Path resolveDir(String property, String env) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return Path.of(env != null && !env.isBlank() ? env : DEFAULT_DIR);
    }

    /**
     * Loads both sets from {@link #defaultDir()}.
     *
     * @throws FileNotFoundException if a file is missing; the message says how to install them
     */
    public static Split load() throws IOException {
        return load(defaultDir());
    }

    /**
     * Loads both sets from {@code dir}.
     *
     * @throws FileNotFoundException if a file is missing; the message says how to install them
     * @throws dev.thimble.tensor.io.TensorFormatException if a file is malformed
     */
    public static Split load(Path dir) throws IOException {
        Path[] paths = new Path[FILES.length];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < FILES.length; i++) {
            paths[i] = find(dir, FILES[i]);
            if (paths[i] == null) {
                missing.add(FILES[i]);
            }
        }
        if (!missing.isEmpty()) {
            throw new FileNotFoundException(missingMessage(dir, missing));
        }
        return new Split(Idx.readDataset("fashion-mnist-train", paths[0], paths[1], NUM_CLASSES),
                Idx.readDataset("fashion-mnist-test", paths[2], paths[3], NUM_CLASSES));
    }

    /** The plain file if present (cheaper to read), else the gzipped one, else null. */
    private static Path find(Path dir, String base) {
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static String missingMessage(Path dir, List<String> missing) {
        String where = Files.isDirectory(dir) ? dir + " lacks " + String.join(", ", missing) + " (with or without .gz)"
                : dir + " does not exist";
        return "Fashion-MNIST not found: " + where + ". Install it with `apt-get install dataset-fashion-mnist`"
                + " (Debian; it fills " + DEFAULT_DIR + "), or point --data-dir, the system property " + DIR_PROPERTY
                + " or the environment variable " + DIR_ENV + " at a folder holding the four IDX files "
                + String.join(", ", FILES) + " (each may be gzipped, with a .gz suffix).";
    }
}
