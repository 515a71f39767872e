package dev.thimble.fl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thimble.fl.cli.DemoCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code thimble compare}: the table rows come from the runs' summaries, the plot is a PNG, bad folders are named. */
class CompareCommandTest {
    @TempDir
    Path tmp;

    private Path run(String name, String... extra) {
        Path out = tmp.resolve(name);
        String[] args = {"run", "--dataset", "synthetic", "--model", "mlp", "--clients", "4", "--fraction", "0.5",
            "--rounds", "2", "--batch-size", "32", "--out", out.toString()};
        String[] all = Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        Run r = DemoCommandTest.run(all);
        assertEquals(0, r.status(), r.out() + r.err());
        return out;
    }

    @Test
    void tableRowsMatchTheSummariesAndNameTheCommand() throws IOException {
        Path a = run("a");
        Path b = run("b", "--method", "fedprox");
        Path png = tmp.resolve("cmp.png");
        Run r = DemoCommandTest.run("compare", a.toString(), b.toString(), "--plot", png.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> rows = r.out().lines().filter(l -> l.startsWith("| a ") || l.startsWith("| b ")).toList();
        assertEquals(2, rows.size(), r.out());
        for (int i = 0; i < 2; i++) {
            JsonNode s = new ObjectMapper().readTree((i == 0 ? a : b).resolve("summary.json").toFile());
            String acc = String.format(Locale.ROOT, "%.2f %%", 100 * s.path("final").path("accuracy").asDouble());
            assertTrue(rows.get(i).contains("| " + acc + " | 2 |"), rows.get(i));
            assertTrue(rows.get(i).contains(ByteSize.format(s.path("totals").path("uplink_bytes").asLong())), rows.get(i));
            String command = s.path("config").path("command").asText();
            assertTrue(command.startsWith("bin/thimble run --dataset synthetic"), command);
            assertTrue(rows.get(i).endsWith("`" + command + "` |"), rows.get(i));
        }
        assertTrue(rows.get(1).contains("--method fedprox"), rows.get(1));
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, Arrays.copyOf(bytes, 8));
    }

    @Test
    void aFolderWithoutARunIsNamed() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Run r = DemoCommandTest.run("compare", empty.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(empty.resolve("summary.json").toString()) && r.err().contains("missing"), r.err());
    }

    @Test
    void aCorruptMetricsRowIsNamedWithItsLine() throws IOException {
        Path a = run("c");
        List<String> lines = Files.readAllLines(a.resolve("metrics.csv"));
        Files.write(a.resolve("metrics.csv"), List.of(lines.get(0), lines.get(1), "2,oops"));
        Run r = DemoCommandTest.run("compare", a.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("metrics.csv: line 3"), r.err());
    }
}
