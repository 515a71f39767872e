package dev.thimble.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG: speed-up over dense OpenBLAS against sparsity, one line per format, log scale. */
final class SpeedupPlot {
    private SpeedupPlot() {
    }

    /** Writes {@code curves} (label → {sparsities, speed-ups}) to {@code png}. */
    static void write(Map<String, double[][]> curves, Path png) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("Sparse × dense vs dense OpenBLAS SGEMM (1 thread, same run)")
                .xAxisTitle("sparsity (fraction of entries / tiles not stored)").yAxisTitle("speed-up (×)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        double lo = 1;
        double hi = 1;
        for (Map.Entry<String, double[][]> e : curves.entrySet()) {
            double[][] c = e.getValue();
            if (c[0].length == 0) {
                continue;
            }
            chart.addSeries(e.getKey(), c[0], c[1]);
            for (double v : c[1]) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            return;
        }
        // the break-even line: above it the sparse format beats dense
        chart.addSeries("break-even (1×)", new double[] {0.5, 0.99}, new double[] {1, 1}).setMarker(SeriesMarkers.NONE);
        chart.getStyler().setYAxisMin(lo / 1.5);
        chart.getStyler().setYAxisMax(hi * 1.5);
        try {
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
