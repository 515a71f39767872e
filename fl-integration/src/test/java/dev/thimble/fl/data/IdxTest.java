package dev.thimble.fl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.io.TensorFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {
    @TempDir
    Path dir;

    private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, (byte) 200, (byte) 255, 9, 10, 11, 12};
    private static final byte[] LABELS = {2, 0, 1};

    @ParameterizedTest
    @ValueSource(strings = {"", ".gz"})
    void roundTripsImagesAndLabels(String suffix) throws IOException {
        Path img = dir.resolve("img" + suffix);
        Path lab = dir.resolve("lab" + suffix);
        Idx.write(img, new int[] {3, 2, 2}, PIXELS);
        Idx.write(lab, new int[] {3}, LABELS);
        assertEquals(suffix.equals(".gz"), Files.readAllBytes(img)[0] == 0x1f, "gzipped exactly when named .gz");

        Idx.Contents c = Idx.readImages(img);
        assertArrayEquals(new int[] {3, 2, 2}, c.dims());
        assertArrayEquals(PIXELS, c.data());
        assertArrayEquals(LABELS, Idx.readLabels(lab));

        Dataset d = Idx.readDataset("tiny", img, lab, 3);
        assertEquals(3, d.size());
        assertArrayEquals(new int[] {1, 2, 2}, d.sampleShape());
        assertArrayEquals(new int[] {1, 1, 1}, d.classCounts());
        assertEquals(2, d.label(0));
    }

    @Test
    void headerIsBigEndianWithTheIdxMagic() throws IOException {
        Path img = dir.resolve("img");
        Idx.write(img, new int[] {3, 2, 2}, PIXELS);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(img));
        assertEquals(Idx.IMAGES_MAGIC, b.getInt());
        assertEquals(3, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(16 + PIXELS.length, b.capacity());
    }

    @Test
    void badMagicNamesFileOffsetAndBothMagics() throws IOException {
        Path lab = dir.resolve("lab");
        Idx.write(lab, new int[] {3}, LABELS);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Idx.readImages(lab));
        assertMessage(e, lab + " offset 0:", "0x00000803", "0x00000801", "1 dimension");

        Path junk = dir.resolve("junk.gz");
        Files.write(junk, gzip("PK\3\4 not an idx file".getBytes()));
        e = assertThrows(TensorFormatException.class, () -> Idx.readLabels(junk));
        assertMessage(e, junk + " offset 0:", "(decompressed)", "expected IDX magic 0x00000801", "0x504b0304");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".gz"})
    void truncatedDataGivesTheOffsetWhereItEnds(String suffix) throws IOException {
        Path full = dir.resolve("full");
        Idx.write(full, new int[] {3, 2, 2}, PIXELS);
        byte[] bytes = Arrays.copyOf(Files.readAllBytes(full), 16 + 5);
        Path cut = dir.resolve("cut" + suffix);
        Files.write(cut, suffix.isEmpty() ? bytes : gzip(bytes));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Idx.readImages(cut));
        assertMessage(e, cut + " offset 21:", "truncated", "need 12 data bytes", "ends after 5");
    }

    @Test
    void truncatedHeaderAndTrailingBytesAreErrors() throws IOException {
        Path header = dir.resolve("header");
        Files.write(header, new byte[] {0, 0, 8, 3, 0, 0, 0, 3, 0, 0});
        assertMessage(assertThrows(TensorFormatException.class, () -> Idx.readImages(header)),
                header + " offset 10:", "truncated header", "dimension");

        Path trailing = dir.resolve("trailing");
        Idx.write(trailing, new int[] {3}, LABELS);
        Files.write(trailing, new byte[] {7}, java.nio.file.StandardOpenOption.APPEND);
        assertMessage(assertThrows(TensorFormatException.class, () -> Idx.readLabels(trailing)),
                trailing + " offset 11:", "expected the end of the file");
    }

    @Test
    void corruptGzipIsAFormatError() throws IOException {
        Path bad = dir.resolve("bad.gz");
        Idx.write(bad, new int[] {1000}, new byte[1000]);
        byte[] gz = Files.readAllBytes(bad);
        gz[gz.length - 6] ^= 0x55; // inside the CRC-32 of the gzip trailer
        Files.write(bad, gz);
        assertMessage(assertThrows(TensorFormatException.class, () -> Idx.readLabels(bad)), bad.toString(), "gzip");
    }

    @Test
    void countMismatchAndOutOfRangeLabelsNameTheLabelFile() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        Idx.write(img, new int[] {3, 2, 2}, PIXELS);
        Idx.write(lab, new int[] {2}, new byte[] {0, 1});
        assertMessage(assertThrows(TensorFormatException.class, () -> Idx.readDataset("x", img, lab, 10)),
                lab + " offset 4:", "2 labels", img.toString(), "3 images");

        Idx.write(lab, new int[] {3}, new byte[] {0, 1, 10});
        assertMessage(assertThrows(TensorFormatException.class, () -> Idx.readDataset("x", img, lab, 10)),
                lab + " offset 10:", "label 10 of item 2", "10 classes");
    }

    @Test
    void writeRejectsDataThatDoesNotMatchDims() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Idx.write(dir.resolve("x"), new int[] {2, 2}, new byte[3]));
        assertMessage(e, "[2, 2]", "3 bytes");
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message lacks '" + p + "': " + e.getMessage());
        }
    }
}
