package dev.thimble.fl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code thimble compare}: puts finished runs side by side — a Markdown table of their summaries
 * (the rows of docs/REPRODUCTION.md) and, with {@code --plot}, one PNG of test accuracy by round
 * and by cumulative uplink bytes, one series per run.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compare finished runs: a Markdown table of their summary.json files and an accuracy plot.")
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Output folders of `thimble run`.")
    List<Path> runs;

    @Option(names = "--plot", paramLabel = "FILE", description = "Write a PNG of accuracy by round and by uplink bytes.")
    Path plot;

    @Option(names = "--title", description = "Title of the plot (default: ${DEFAULT-VALUE}).")
    String title = "test accuracy";

    /** One run as its folder holds it. */
    record Run(String label, JsonNode summary, double[] rounds, double[] accuracy, double[] uplinkMiB) {
    }

    @Override
    public Integer call() throws IOException {
        List<Run> loaded = new ArrayList<>();
        for (Path dir : runs) {
            loaded.add(load(dir));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("| run | accuracy | rounds | peak client memory | uplink | downlink | FLOPs | wall time | command |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (Run r : loaded) {
            JsonNode t = r.summary().path("totals");
            JsonNode f = r.summary().path("final");
            String command = r.summary().path("config").path("command").asText("");
            out.printf(Locale.ROOT, "| %s | %.2f %% | %d | %s | %s | %s | %.3g | %.0f s | %s |%n", r.label(),
                    100 * f.path("accuracy").asDouble(), f.path("round").asInt(),
                    ByteSize.format(t.path("peak_client_bytes").asLong()), ByteSize.format(t.path("uplink_bytes").asLong()),
                    ByteSize.format(t.path("downlink_bytes").asLong()), t.path("flops").asDouble(),
                    t.path("wall_seconds").asDouble(), command.isEmpty() ? "" : "`" + command + "`");
        }
        out.flush();
        if (plot != null) {
            writePlot(loaded);
            out.println("wrote " + plot);
            out.flush();
        }
        return 0;
    }

    private void writePlot(List<Run> loaded) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart byRound = chart(title + " by round", "round");
        XYChart byBytes = chart(title + " by uplink", "cumulative uplink (MiB)");
        for (Run r : loaded) {
            double[] pct = new double[r.accuracy().length];
            for (int i = 0; i < pct.length; i++) {
                pct[i] = 100 * r.accuracy()[i];
            }
            byRound.addSeries(r.label(), r.rounds(), pct);
            byBytes.addSeries(r.label(), r.uplinkMiB(), pct);
        }
        BitmapEncoder.saveBitmap(List.of(byRound, byBytes), 2, 1, plot.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String xTitle) {
        XYChart c = new XYChartBuilder().width(900).height(320).title(title).xAxisTitle(xTitle)
                .yAxisTitle("accuracy (%)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        c.getStyler().setMarkerSize(3);
        return c;
    }

    /** Reads {@code summary.json} and the accuracy and uplink columns of {@code metrics.csv}. */
    static Run load(Path dir) throws IOException {
        Path summary = dir.resolve("summary.json");
        Path metrics = dir.resolve("metrics.csv");
        for (Path p : List.of(summary, metrics)) {
            if (!Files.isRegularFile(p)) {
                throw new IOException(p + " is missing: is " + dir + " the output folder of `thimble run`?");
            }
        }
        JsonNode json = new ObjectMapper().readTree(summary.toFile());
        List<String> lines = Files.readAllLines(metrics);
        if (lines.isEmpty() || !lines.getFirst().equals(RunOutputs.CSV_HEADER)) {
            throw new IOException(metrics + ": line 1 is not the metrics header '" + RunOutputs.CSV_HEADER + "'");
        }
        int n = lines.size() - 1;
        double[] round = new double[n];
        double[] acc = new double[n];
        double[] up = new double[n];
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            String[] cells = lines.get(i + 1).split(",");
            try {
                round[i] = Double.parseDouble(cells[0]);
                acc[i] = Double.parseDouble(cells[1]);
                cumulative += Double.parseDouble(cells[4]);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IOException(metrics + ": line " + (i + 2) + " is not a metrics row: '" + lines.get(i + 1) + "'");
            }
            up[i] = cumulative / (1024.0 * 1024.0);
        }
        return new Run(dir.getFileName().toString(), json, round, acc, up);
    }
}
