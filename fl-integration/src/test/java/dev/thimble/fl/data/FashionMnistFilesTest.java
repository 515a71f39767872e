package dev.thimble.fl.data;

import static dev.thimble.fl.data.IdxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's file handling on small hand-made files: plain or gzipped, the folder's resolution. */
class FashionMnistFilesTest {
    @TempDir
    Path dir;

    @Test
    void acceptsPlainAndGzippedFilesInTheSameFolder() throws IOException {
        Idx.write(dir.resolve("train-images-idx3-ubyte"), new int[] {2, 2, 3}, new byte[12]);
        Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), new int[] {2}, new byte[] {3, 9});
        Idx.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new int[] {1, 2, 3}, new byte[6]);
        Idx.write(dir.resolve("t10k-labels-idx1-ubyte"), new int[] {1}, new byte[] {4});
        FashionMnist.Split s = FashionMnist.load(dir);
        assertEquals(2, s.train().size());
        assertArrayEquals(new int[] {1, 2, 3}, s.train().sampleShape());
        assertEquals(9, s.train().label(1));
        assertEquals(4, s.test().label(0));
    }

    @Test
    void namesOnlyTheMissingFiles() throws IOException {
        Idx.write(dir.resolve("train-images-idx3-ubyte"), new int[] {1, 1, 1}, new byte[1]);
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(dir));
        assertMessage(e, "lacks train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (with");
    }

    @Test
    void propertyWinsOverEnvironmentWhichWinsOverDefault() {
        assertEquals(Path.of("/p"), FashionMnist.resolveDir("/p", "/e"));
        assertEquals(Path.of("/e"), FashionMnist.resolveDir(null, "/e"));
        assertEquals(Path.of("/e"), FashionMnist.resolveDir(" ", "/e"));
        assertEquals(Path.of(FashionMnist.DEFAULT_DIR), FashionMnist.resolveDir(null, null));
    }
}
