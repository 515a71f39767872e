package dev.thimble.fl.data;

/**
 * An affine map {@code (v − mean) / std} applied after scaling a byte {@code b} to {@code v = b / 255},
 * with one mean and standard deviation for every pixel of a dataset (Fashion-MNIST has one channel).
 *
 * <p>{@link #NONE} (mean 0, std 1) gives plain ToTensor values in [0, 1], which is what FedDIP's
 * LeNet-5 / Fashion-MNIST setting feeds its models and is every {@link Dataset}'s default.
 *
 * @param mean subtracted from the [0, 1] value
 * @param std the divisor, positive
 */
public record Normalization(double mean, double std) {
    /** No normalisation: the model sees {@code b / 255}. */
    public static final Normalization NONE = new Normalization(0, 1);

    /** Checks that both numbers are finite and {@code std} is positive. */
    public Normalization {
        if (!Double.isFinite(mean) || !Double.isFinite(std) || std <= 0) {
            throw new IllegalArgumentException("normalisation needs a finite mean and a positive finite std, got mean="
                    + mean + ", std=" + std);
        }
    }

    /**
     * The mean and standard deviation of every pixel of {@code d} on the [0, 1] scale; fit on the
     * training set and apply the result to both training and test sets.
     */
    public static Normalization fit(Dataset d) {
        long[] histogram = d.byteHistogram();
        double n = 0;
        double sum = 0;
        double sumSq = 0;
        for (int b = 0; b < 256; b++) {
            double v = b / 255.0;
            n += histogram[b];
            sum += histogram[b] * v;
            sumSq += histogram[b] * v * v;
        }
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit a normalisation to the empty dataset " + d.name());
        }
        double mean = sum / n;
        double std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
        if (std == 0) {
            throw new IllegalArgumentException("every pixel of " + d.name() + " has the same value; std would be 0");
        }
        return new Normalization(mean, std);
    }

    /** True for {@link #NONE}. */
    public boolean isNone() {
        return mean == 0 && std == 1;
    }

    /** The float fed to the model for each of the 256 byte values (so batches need no arithmetic but a lookup). */
    float[] table() {
        float[] t = new float[256];
        for (int b = 0; b < 256; b++) {
            t[b] = (float) ((b / 255.0 - mean) / std);
        }
        return t;
    }
}
