package dev.thimble.fl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thimble.fl.cli.DemoCommandTest.Run;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code thimble run --method zerofl | swat-fedavg}: options reach the method, mistakes get one line. */
class ZeroFlCliTest {
    @TempDir
    Path tmp;

    @Test
    void zeroFlRunRecordsItsSettingsAndSendsSparseUploads() throws IOException {
        Path out = tmp.resolve("z");
        Run r = DemoCommandTest.run("run", "--method", "zerofl", "--dataset", "synthetic", "--model", "mlp",
                "--clients", "4", "--fraction", "0.5", "--rounds", "2", "--sparsity", "0.95", "--mask-ratio", "0.05",
                "--upload", "topk-weights-diff", "--zerofl-mean", "senders", "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        JsonNode c = json.path("config");
        assertEquals("zerofl", c.path("method").asText());
        assertEquals(0.95, c.path("sparsity").asDouble());
        assertEquals(0.05, c.path("mask_ratio").asDouble());
        assertEquals("topk-weights-diff", c.path("upload").asText());
        assertEquals("senders", c.path("zerofl_mean").asText());
        long up = json.path("totals").path("uplink_bytes").asLong();
        long down = json.path("totals").path("downlink_bytes").asLong();
        // density 0.1 of the weights plus the biases, as a bitmask: well under a fifth of the dense download
        assertTrue(up > 0 && up < down / 5, up + " vs " + down);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "zerofl|--sparsity=1|[0, 1)",
        "swat-fedavg|--sparsity=-0.1|[0, 1)",
        "zerofl|--mask-ratio=0.95|mask ratio",
        "zerofl|--upload=topk|unknown ZeroFL upload variant 'topk'",
        "zerofl|--zerofl-mean=median|unknown ZeroFL mean 'median'",
        "zerofl|--topk-period=0|period"})
    void badSettingsGetOneLineAndStatusTwo(String method, String option, String message) {
        Run r = DemoCommandTest.run("run", "--method", method, "--dataset", "synthetic", "--model", "mlp",
                "--clients", "4", "--rounds", "1", "--out", tmp.resolve("bad").toString(), option);
        assertEquals(2, r.status(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("thimble: ") && err.contains(message), err);
    }
}
