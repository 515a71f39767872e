package dev.thimble.fl.data;

import dev.thimble.tensor.io.TensorFormatException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files of unsigned bytes, the format of MNIST and Fashion-MNIST.
 *
 * <p>An IDX file is a magic number {@code 0x000008NN} (type 0x08 = unsigned byte, NN = number of
 * dimensions: {@code 0x00000801} for a label vector, {@code 0x00000803} for a stack of images), the
 * dimensions as big-endian 32-bit integers, then the data row-major. Gzipped files are recognised by
 * their content (the gzip magic), not their name, and decompressed on the fly; offsets in error
 * messages then count bytes of the decompressed stream. Problems with the content throw
 * {@link TensorFormatException} naming the file, the byte offset and what was expected.
 */
public final class Idx {
    /** Magic of a rank-1 unsigned-byte file: labels. */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Magic of a rank-3 unsigned-byte file: images. */
    public static final int IMAGES_MAGIC = 0x00000803;

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int BUFFER = 1 << 16;

    private Idx() {
    }

    /**
     * The dimensions and data of an IDX file.
     *
     * @param dims the dimensions, outermost first
     * @param data the bytes, row-major
     */
    public record Contents(int[] dims, byte[] data) {
    }

    /**
     * Reads a label file (magic {@code 0x00000801}).
     *
     * @throws TensorFormatException if the file is not a well-formed rank-1 unsigned-byte IDX file
     */
    public static byte[] readLabels(Path file) throws IOException {
        return read(file, LABELS_MAGIC).data();
    }

    /**
     * Reads an image file (magic {@code 0x00000803}), dims {@code [count, rows, cols]}.
     *
     * @throws TensorFormatException if the file is not a well-formed rank-3 unsigned-byte IDX file
     */
    public static Contents readImages(Path file) throws IOException {
        return read(file, IMAGES_MAGIC);
    }

    /**
     * Reads an unsigned-byte IDX file whose magic must be {@code expectedMagic}; bytes after the
     * data are an error, since they mean the header's dimensions are wrong.
     *
     * @throws TensorFormatException on a bad magic, absurd dimensions, truncated or trailing data
     */
    public static Contents read(Path file, int expectedMagic) throws IOException {
        try (InputStream in = open(file)) {
            boolean gz = in instanceof GZIPInputStream;
            byte[] head = new byte[4];
            readHeader(file, in, head, 0, gz);
            int magic = bigEndian(head);
            if (magic != expectedMagic) {
                throw TensorFormatException.atOffset(file, 0, where(gz) + "expected IDX magic "
                        + hex(expectedMagic) + " (" + describeMagic(expectedMagic) + ") but found " + hex(magic)
                        + (isIdxMagic(magic) ? " (" + describeMagic(magic) + ")" : ""));
            }
            int[] dims = new int[magic & 0xFF];
            long size = 1;
            for (int d = 0; d < dims.length; d++) {
                readHeader(file, in, head, 4 + 4L * d, gz);
                dims[d] = bigEndian(head);
                size *= Integer.toUnsignedLong(dims[d]);
                if (dims[d] < 0 || size > Integer.MAX_VALUE - 8) {
                    throw TensorFormatException.atOffset(file, 4 + 4L * d, where(gz) + "dimension " + d + " is "
                            + Integer.toUnsignedString(dims[d]) + "; dims so far " + Arrays.toString(
                                    Arrays.copyOf(dims, d + 1)) + " exceed the 2^31-byte limit of one array");
                }
            }
            long dataStart = 4 + 4L * dims.length;
            byte[] data = new byte[(int) size];
            int got = in.readNBytes(data, 0, data.length);
            if (got < data.length) {
                throw TensorFormatException.atOffset(file, dataStart + got, where(gz) + "truncated: dims "
                        + Arrays.toString(dims) + " need " + size + " data bytes but the file ends after " + got);
            }
            if (in.read() >= 0) {
                throw TensorFormatException.atOffset(file, dataStart + size, where(gz) + "expected the end of the file"
                        + " after " + size + " data bytes for dims " + Arrays.toString(dims) + " but more bytes follow");
            }
            return new Contents(dims, data);
        } catch (ZipException e) {
            TensorFormatException t = new TensorFormatException(file, "corrupt gzip stream: " + e.getMessage());
            t.initCause(e);
            throw t;
        }
    }

    /**
     * Reads an image file and its label file into a dataset of samples shaped {@code {1, rows, cols}}.
     *
     * @throws TensorFormatException if either file is malformed, their counts differ, or a label is not below {@code numClasses}
     */
    public static Dataset readDataset(String name, Path images, Path labels, int numClasses) throws IOException {
        Contents img = readImages(images);
        byte[] lab = readLabels(labels);
        if (lab.length != img.dims()[0]) {
            throw TensorFormatException.atOffset(labels, 4, "holds " + lab.length + " labels but the image file "
                    + images + " holds " + img.dims()[0] + " images");
        }
        for (int i = 0; i < lab.length; i++) {
            if ((lab[i] & 0xFF) >= numClasses) {
                throw TensorFormatException.atOffset(labels, 8 + i, "label " + (lab[i] & 0xFF) + " of item " + i
                        + " is not below the " + numClasses + " classes");
            }
        }
        return Dataset.wrap(name, img.data(), lab, numClasses, new int[] {1, img.dims()[1], img.dims()[2]});
    }

    /**
     * Writes an unsigned-byte IDX file with magic {@code 0x000008NN}, NN = {@code dims.length};
     * gzipped when the name ends in {@code .gz}.
     *
     * @throws IllegalArgumentException if {@code data} does not hold exactly the product of {@code dims} bytes
     */
    public static void write(Path file, int[] dims, byte[] data) throws IOException {
        long size = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            size *= d;
        }
        if (dims.length < 1 || dims.length > 255 || size != data.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " do not describe " + data.length
                    + " bytes");
        }
        OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), BUFFER);
        try (DataOutputStream out = new DataOutputStream(
                file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw, BUFFER) : raw)) {
            out.writeInt((UNSIGNED_BYTE << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }

    /** Opens the file buffered, behind a gunzipper when it starts with the gzip magic 1f 8b. */
    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            in.mark(2);
            boolean gz = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            return gz ? new GZIPInputStream(in, BUFFER) : in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static void readHeader(Path file, InputStream in, byte[] four, long offset, boolean gz) throws IOException {
        int got = in.readNBytes(four, 0, 4);
        if (got < 4) {
            throw TensorFormatException.atOffset(file, offset + got, where(gz) + "truncated header: expected "
                    + (offset == 0 ? "the 4-byte IDX magic" : "a 4-byte big-endian dimension") + " but the file ends");
        }
    }

    private static int bigEndian(byte[] b) {
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    private static boolean isIdxMagic(int magic) {
        return (magic >>> 16) == 0 && ((magic >>> 8) & 0xFF) >= 0x08 && (magic & 0xFF) > 0;
    }

    private static String describeMagic(int magic) {
        int type = (magic >>> 8) & 0xFF;
        return (type == UNSIGNED_BYTE ? "unsigned bytes" : "type 0x" + Integer.toHexString(type)) + ", "
                + (magic & 0xFF) + " dimension" + ((magic & 0xFF) == 1 ? "" : "s");
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }

    private static String where(boolean gz) {
        return gz ? "(decompressed) " : "";
    }
}
