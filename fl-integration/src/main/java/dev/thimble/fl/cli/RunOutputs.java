package dev.thimble.fl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.thimble.fl.core.RoundMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** Writes a run's {@code metrics.csv}, {@code summary.json} and {@code plot.png}. */
final class RunOutputs {
    /** The CSV header, one column per {@link RoundMetrics} figure. */
    static final String CSV_HEADER = "round,accuracy,loss,train_loss,uplink_bytes,downlink_bytes,flops,"
            + "peak_client_bytes,failed_clients,seconds";

    private RunOutputs() {
    }

    /** One row per round. */
    static void writeCsv(Path file, List<RoundMetrics> rounds) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println(CSV_HEADER);
            for (RoundMetrics m : rounds) {
                w.printf(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%d,%d,%d,%d,%d,%.3f%n", m.round(), m.accuracy(), m.loss(),
                        m.trainLoss(), m.uplinkBytes(), m.downlinkBytes(), m.flops(), m.peakClientBytes(),
                        m.failedClients(), m.seconds());
            }
        }
    }

    /** Final figures, totals and the full configuration. */
    static void writeSummary(Path file, Map<String, Object> config, List<RoundMetrics> rounds, double wallSeconds)
            throws IOException {
        RoundMetrics last = rounds.getLast();
        Map<String, Object> fin = new LinkedHashMap<>();
        fin.put("round", last.round());
        fin.put("accuracy", last.accuracy());
        fin.put("loss", last.loss());
        fin.put("train_loss", last.trainLoss());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("uplink_bytes", rounds.stream().mapToLong(RoundMetrics::uplinkBytes).sum());
        totals.put("downlink_bytes", rounds.stream().mapToLong(RoundMetrics::downlinkBytes).sum());
        totals.put("flops", rounds.stream().mapToLong(RoundMetrics::flops).sum());
        totals.put("failed_clients", rounds.stream().mapToInt(RoundMetrics::failedClients).sum());
        totals.put("peak_client_bytes", rounds.stream().mapToLong(RoundMetrics::peakClientBytes).max().orElse(0));
        totals.put("round_seconds", rounds.stream().mapToDouble(RoundMetrics::seconds).sum());
        totals.put("wall_seconds", wallSeconds);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("final", fin);
        root.put("best_accuracy", rounds.stream().mapToDouble(RoundMetrics::accuracy).max().orElse(Double.NaN));
        root.put("totals", totals);
        root.put("config", config);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    /** Accuracy, loss and peak client memory by round, stacked in one PNG. */
    static void writePlot(Path file, String title, List<RoundMetrics> rounds) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double[] x = rounds.stream().mapToDouble(RoundMetrics::round).toArray();
        XYChart acc = chart(title + ": test accuracy", "accuracy (%)");
        acc.addSeries("accuracy", x, rounds.stream().mapToDouble(m -> 100 * m.accuracy()).toArray());
        XYChart loss = chart("loss", "loss");
        loss.addSeries("test loss", x, rounds.stream().mapToDouble(RoundMetrics::loss).toArray());
        loss.addSeries("train loss", x, rounds.stream().mapToDouble(RoundMetrics::trainLoss).toArray());
        XYChart mem = chart("peak client memory", "MiB");
        mem.addSeries("peak client arena", x,
                rounds.stream().mapToDouble(m -> m.peakClientBytes() / (1024.0 * 1024.0)).toArray());
        acc.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        mem.getStyler().setYAxisMin(0.0);
        mem.getStyler().setYAxisDecimalPattern("#,##0.00");
        BitmapEncoder.saveBitmap(List.of(acc, loss, mem), 3, 1, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(800).height(260).title(title).xAxisTitle("round").yAxisTitle(yTitle)
                .build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setMarkerSize(4);
        return c;
    }
}
