package dev.thimble.fl.data;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable labelled dataset kept on the heap as it comes from disk: one unsigned byte per
 * pixel, one unsigned byte per label.
 *
 * <p>Bytes, not floats, because they are four times smaller (Fashion-MNIST's 60 000 × 784 training
 * pixels take 47 MB) and a device-sized client only ever needs one batch of floats at a time:
 * {@link #fillBatch} converts just the samples a step uses into a reused off-heap tensor.
 * {@link #subset} makes views that share the pixels, so partitioning among clients copies nothing
 * but index lists.
 *
 * <p>Values reach the model as {@code b / 255} in [0, 1] (ToTensor semantics) unless a
 * {@link Normalization} is set with {@link #withNormalization}; none is set by default.
 * Instances are safe to share between threads.
 */
public final class Dataset {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final String name;
    /** Row-major pixels of every base sample, shared by all views. */
    private final byte[] samples;
    /** The label of every base sample, shared by all views. */
    private final byte[] labels;
    /** The base sample at each position of this view, or null when position = base sample. */
    private final int[] index;
    private final int[] sampleShape;
    private final int sampleSize;
    private final int numClasses;
    private final Normalization normalization;
    /** Byte value to model input, precomputed so a batch costs one lookup per pixel. */
    private final float[] table;

    private Dataset(String name, byte[] samples, byte[] labels, int[] index, int[] sampleShape, int numClasses,
            Normalization normalization) {
        this.name = name;
        this.samples = samples;
        this.labels = labels;
        this.index = index;
        this.sampleShape = sampleShape;
        this.sampleSize = product(sampleShape);
        this.numClasses = numClasses;
        this.normalization = normalization;
        this.table = normalization.table();
    }

    /**
     * A dataset holding copies of {@code samples} (each sample's pixels row-major, one after the other)
     * and {@code labels}.
     *
     * @throws IllegalArgumentException if the lengths do not agree with the shape or a label is not below {@code numClasses}
     */
    public static Dataset of(String name, byte[] samples, byte[] labels, int numClasses, int... sampleShape) {
        return wrap(name, samples.clone(), labels.clone(), numClasses, sampleShape.clone());
    }

    /** Like {@link #of} but takes ownership of the arrays instead of copying them (the loaders' path). */
    static Dataset wrap(String name, byte[] samples, byte[] labels, int numClasses, int[] sampleShape) {
        Objects.requireNonNull(name, "name");
        if (numClasses < 1 || numClasses > 256) {
            throw new IllegalArgumentException("numClasses must be in [1, 256] (labels are bytes), got " + numClasses);
        }
        if (sampleShape.length == 0) {
            throw new IllegalArgumentException("the sample shape needs at least one dimension");
        }
        long sampleSize = 1;
        for (int d : sampleShape) {
            if (d < 1) {
                throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape) + " has a dimension < 1");
            }
            sampleSize *= d;
            if (sampleSize > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape) + " is too large");
            }
        }
        if ((long) labels.length * sampleSize != samples.length) {
            throw new IllegalArgumentException(name + ": " + samples.length + " pixel bytes do not hold "
                    + labels.length + " samples of shape " + Arrays.toString(sampleShape));
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + (labels[i] & 0xFF) + " of sample " + i
                        + " is not below numClasses=" + numClasses);
            }
        }
        return new Dataset(name, samples, labels, null, sampleShape, numClasses, Normalization.NONE);
    }

    /** The name used in logs and messages. */
    public String name() {
        return name;
    }

    /** The number of samples. */
    public int size() {
        return index == null ? labels.length : index.length;
    }

    /** The label of sample {@code i}, in {@code [0, numClasses())}. */
    public int label(int i) {
        return labels[base(i)] & 0xFF;
    }

    /** A copy of the shape of one sample, e.g. {@code {1, 28, 28}}. */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** The number of values in one sample (the product of {@link #sampleShape()}). */
    public int sampleSize() {
        return sampleSize;
    }

    /** The number of classes; labels lie in {@code [0, numClasses())}. */
    public int numClasses() {
        return numClasses;
    }

    /** The normalisation {@link #fillBatch} applies; {@link Normalization#NONE} by default. */
    public Normalization normalization() {
        return normalization;
    }

    /** This dataset with another normalisation, sharing its pixels. */
    public Dataset withNormalization(Normalization n) {
        return new Dataset(name, samples, labels, index, sampleShape, numClasses, Objects.requireNonNull(n, "n"));
    }

    /**
     * A view of the samples at {@code indices} (positions in this dataset, in that order, repeats allowed)
     * that shares the pixels; only the index list is copied.
     */
    public Dataset subset(int[] indices) {
        int[] composed = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            composed[k] = base(indices[k]);
        }
        return new Dataset(name + "[" + indices.length + "]", samples, labels, composed, sampleShape, numClasses,
                normalization);
    }

    /** The number of samples of each class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int i = 0, n = size(); i < n; i++) {
            counts[label(i)]++;
        }
        return counts;
    }

    /**
     * Writes samples {@code indices[from] … indices[from + count − 1]} into rows {@code 0 … count − 1}
     * of {@code x} and their labels into {@code labelsOut[0 … count − 1]}.
     *
     * <p>{@code x}'s first dimension may exceed {@code count} (a reused batch tensor meeting a short
     * last batch): then this writes {@code x.slice(0, count)} and leaves the other rows as they were.
     * Each row must hold {@link #sampleSize()} values, so {@code [B, 1, 28, 28]} and {@code [B, 784]}
     * both fit a {@code {1, 28, 28}} dataset. Values are {@code b / 255}, then normalised if a
     * {@link Normalization} is set. Allocates nothing, so training loops can call it every step.
     *
     * @throws IllegalArgumentException if {@code x} or {@code labelsOut} cannot hold {@code count} samples
     * @throws IndexOutOfBoundsException if the range or an index is out of bounds
     */
    public void fillBatch(int[] indices, int from, int count, DenseF32 x, int[] labelsOut) {
        Objects.checkFromIndexSize(from, count, indices.length);
        x.checkAlive();
        if (x.dim(0) < count || (x.dim(0) > 0 && x.size() / x.dim(0) != sampleSize)) {
            throw new IllegalArgumentException("cannot write " + count + " samples of " + sampleSize + " values ("
                    + Arrays.toString(sampleShape) + ") into " + x);
        }
        if (labelsOut.length < count) {
            throw new IllegalArgumentException("labelsOut has room for " + labelsOut.length + " labels, not " + count);
        }
        MemorySegment out = x.segment();
        long offset = 0;
        for (int b = 0; b < count; b++) {
            int sample = base(indices[from + b]);
            labelsOut[b] = labels[sample] & 0xFF;
            int src = sample * sampleSize;
            for (int j = 0; j < sampleSize; j++) {
                out.setAtIndex(FLOAT, offset + j, table[samples[src + j] & 0xFF]);
            }
            offset += sampleSize;
        }
    }

    /** How often each byte value occurs among this view's pixels (for {@link Normalization#fit}). */
    long[] byteHistogram() {
        long[] h = new long[256];
        for (int i = 0, n = size(); i < n; i++) {
            int src = base(i) * sampleSize;
            for (int j = 0; j < sampleSize; j++) {
                h[samples[src + j] & 0xFF]++;
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + size() + " × " + Arrays.toString(sampleShape) + ", " + numClasses
                + " classes" + (normalization.isNone() ? "" : ", " + normalization) + "]";
    }

    /** The base sample at position {@code i}, checking the bounds. */
    private int base(int i) {
        Objects.checkIndex(i, size());
        return index == null ? i : index[i];
    }

    private static int product(int[] shape) {
        int p = 1;
        for (int d : shape) {
            p *= d;
        }
        return p;
    }
}
