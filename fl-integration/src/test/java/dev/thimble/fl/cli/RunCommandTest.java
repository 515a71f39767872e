package dev.thimble.fl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thimble.fl.cli.DemoCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunCommandTest {
    @TempDir
    Path tmp;

    @Test
    void runOnSyntheticDataWritesMetricsSummaryAndPlot() throws IOException {
        Path out = tmp.resolve("run");
        Run r = DemoCommandTest.run("run", "--dataset", "synthetic", "--model", "mlp", "--clients", "6",
                "--fraction", "0.5", "--rounds", "3", "--batch-size", "32", "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("final accuracy"), r.out());

        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(RunOutputs.CSV_HEADER, csv.getFirst());
        assertEquals("round,accuracy,loss,train_loss,uplink_bytes,downlink_bytes,flops,peak_client_bytes,"
                + "failed_clients,seconds", csv.getFirst());
        assertEquals(4, csv.size());
        for (int i = 1; i <= 3; i++) {
            String[] f = csv.get(i).split(",");
            assertEquals(10, f.length, csv.get(i));
            assertEquals(String.valueOf(i), f[0]);
        }

        JsonNode json = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(3, json.path("final").path("round").asInt());
        assertTrue(json.path("final").path("accuracy").asDouble() > 0.3, json.toString()); // chance is 0.1
        assertEquals("fedavg", json.path("config").path("method").asText());
        assertEquals(6, json.path("config").path("clients").asInt());
        assertEquals(3, json.path("config").path("clients_per_round").asInt());
        assertTrue(json.path("totals").path("uplink_bytes").asLong() > 0);

        byte[] png = Files.readAllBytes(out.resolve("plot.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, Arrays.copyOf(png, 8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--method=nope", "--model=vgg", "--fraction=0", "--fraction=1.5", "--rounds=0",
            "--clients=0", "--batch-size=-1", "--client-memory=12XB", "--client-memory=1KiB", "--partition=zipf",
            "--dataset=cifar", "--data-dir=/nonexistent-thimble-dir"})
    void badInputGetsOneLineAndStatusTwo(String option) {
        Run r = DemoCommandTest.run("run", "--dataset", option.startsWith("--data-dir") ? "fashion-mnist" : "synthetic",
                "--model", "mlp", "--clients", "4", "--rounds", "1", "--out", tmp.resolve("bad").toString(), option);
        assertEquals(2, r.status(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("thimble: "), err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void ntkZoRunsFromTheCommandLineAndRecordsItsSettings() throws IOException {
        Path out = tmp.resolve("ntkzo");
        Run r = DemoCommandTest.run("run", "--method", "ntk-zo", "--dataset", "synthetic", "--model", "mlp",
                "--clients", "4", "--fraction", "0.5", "--rounds", "4", "--prune-rounds", "2", "--density", "0.3",
                "--zo-k", "5", "--lr", "0.01", "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("ntk-zo", json.path("config").path("method").asText());
        assertEquals("ntk", json.path("config").path("pruning").asText());
        assertEquals(5, json.path("config").path("zo_k").asInt());
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        long up = Long.parseLong(csv.get(3).split(",")[4]); // round 3: the first training round
        assertEquals(2 * (4 + 4 * 5), up, "two clients, K = 5 differences and the header each");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--zo-k=0", "--density=0", "--density=1.5", "--zo-sigma=0", "--prune-rounds=0",
            "--pruning=snip", "--zo-variant=mezo", "--ntk-scorer=hessian", "--zo-chunk=0", "--prune-batch=0"})
    void badNtkZoSettingsGetOneLineAndStatusTwo(String option) {
        Run r = DemoCommandTest.run("run", "--method", "ntk-zo", "--dataset", "synthetic", "--model", "mlp",
                "--clients", "4", "--rounds", "1", "--out", tmp.resolve("bad").toString(), option);
        assertEquals(2, r.status(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("thimble: "), err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void tooSmallBudgetSaysWhatOneClientNeeds() {
        Run r = DemoCommandTest.run("run", "--dataset", "synthetic", "--model", "mlp", "--clients", "4", "--rounds", "1",
                "--client-memory", "100KiB", "--out", tmp.resolve("budget").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--client-memory 100 KiB is too small") && r.err().contains("needs"), r.err());
    }

    @Test
    void byteSizesParse() {
        assertEquals(64L << 20, ByteSize.parse("64MiB"));
        assertEquals(1L << 29, ByteSize.parse("0.5GiB"));
        assertEquals(512L << 10, ByteSize.parse("512k"));
        assertEquals(2_000_000L, ByteSize.parse("2MB"));
        assertEquals(1_048_576L, ByteSize.parse("1048576"));
        assertEquals("1.50 MiB", ByteSize.format(3L << 19));
    }

    @Test
    void profilePrintsOneRowPerMethodAndModel() {
        Run r = DemoCommandTest.run("profile", "--model", "mlp", "--batch-size", "8");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("arena_peak") && r.out().contains("rss"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fedavg ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fedprox ")), r.out());
    }

    @Test
    void profileShowsNtkZosPruningRoundAndItsZerothOrderRoundApart() {
        Run r = DemoCommandTest.run("profile", "--model", "mlp", "--batch-size", "8", "--method", "ntk-zo");
        assertEquals(0, r.status(), r.err());
        long pruning = peakOf(r.out(), "ntk-zo ");
        long zo = peakOf(r.out(), "ntk-zo (zo) ");
        assertTrue(zo < pruning, "a ZO step holds no gradients: " + r.out());
        assertTrue(r.out().contains("zeroth-order training round"), r.out());
    }

    /** The arena_peak column of the row that starts with {@code prefix}, in bytes. */
    private static long peakOf(String out, String prefix) {
        String row = out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(out));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s(\\d+(?:\\.\\d+)?\\s?[KMG]?i?B)\\s").matcher(
                row.substring(prefix.length()));
        if (!m.find()) {
            throw new AssertionError("no size in: " + row);
        }
        return ByteSize.parse(m.group(1).replace(" ", ""));
    }
}
