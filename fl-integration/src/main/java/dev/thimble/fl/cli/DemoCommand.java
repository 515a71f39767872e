package dev.thimble.fl.cli;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SddmmOps;
import dev.thimble.ops.SpmmOps;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.Bytes;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds a random sparse weight matrix and runs SpMM (CSR and BSR) and SDDMM with every kernel
 * provider that can run here, checking each result against a double-precision reference.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run SpMM and SDDMM with every available kernel provider and check them against a reference.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rows", description = "Rows of the sparse weight matrix A (default: ${DEFAULT-VALUE}).")
    int rows = 1024;

    @Option(names = "--cols", description = "Columns of A (default: ${DEFAULT-VALUE}).")
    int cols = 1024;

    @Option(names = "--batch", description = "Columns of the dense operand B (default: ${DEFAULT-VALUE}).")
    int batch = 64;

    @Option(names = "--sparsity", description = "Fraction of zero weights, in [0, 1] (default: ${DEFAULT-VALUE}).")
    double sparsity = 0.9;

    @Option(names = "--block", description = "BSR block size: 4, 8 or 16 (default: ${DEFAULT-VALUE}).")
    int block = 8;

    @Option(names = "--repeat", description = "Timed runs per kernel; the median is shown (default: ${DEFAULT-VALUE}).")
    int repeat = 15;

    /** Vector API code runs interpreted until C2 compiles it, which takes longer on a busy machine. */
    @Option(names = "--warmup-ms", description = "Warm-up time per kernel before timing, for the JIT (default: ${DEFAULT-VALUE}).")
    long warmupMillis = 1500;

    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Override
    public Integer call() {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        SplittableRandom rng = new SplittableRandom(seed);
        try (TensorArena arena = TensorArena.open("demo");
                CsrF32 a = randomCsr(arena, rng);
                BsrF32 ab = randomBsr(arena, rng);
                DenseF32 b = randomDense(arena, rng, cols, batch);
                DenseF32 x = randomDense(arena, rng, rows, batch);
                DenseF32 y = randomDense(arena, rng, cols, batch);
                DenseF32 c = arena.dense(rows, batch);
                CsrF32 sampled = arena.csrLike(a)) {

            double[] spmmRef = referenceSpmm(a, b);
            double[] bsrRef = referenceSpmm(ab, b);
            double[] sddmmRef = referenceSddmm(x, y, a);

            out.printf(Locale.ROOT, "A: %d x %d, %.1f%% sparse (CSR nnz=%d; BSR%d with %d blocks), B: %d x %d%n",
                    rows, cols, 100 * a.sparsity(), a.nnz(), block, ab.nnzBlocks(), cols, batch);
            out.printf(Locale.ROOT, "providers: %s%s%n", KernelContext.availableProviders(),
                    KernelContext.unavailableProviders().isEmpty() ? ""
                            : "; unavailable: " + KernelContext.unavailableProviders());
            out.printf(Locale.ROOT, "%-8s %-10s %-22s %10s %10s %10s%n", "provider", "kernel", "shape", "max err",
                    "median ms", "GFLOP/s");
            String spmmShape = rows + "x" + cols + " * " + cols + "x" + batch;
            String sddmmShape = rows + "x" + batch + " * (" + cols + "x" + batch + ")T";
            boolean allOk = true;
            for (String provider : KernelContext.availableProviders()) {
                try (KernelContext ctx = KernelContext.builder().provider(provider).build()) {
                    c.fill(Float.NaN);
                    double t = time(() -> SpmmOps.csr(ctx, 1f, a, b, 0f, c));
                    allOk &= row(out, provider, "SpMM CSR", spmmShape, maxError(c.toArray(), spmmRef), t,
                            2.0 * a.nnz() * batch);
                    c.fill(Float.NaN);
                    t = time(() -> SpmmOps.bsr(ctx, 1f, ab, b, 0f, c));
                    allOk &= row(out, provider, "SpMM BSR" + block, spmmShape, maxError(c.toArray(), bsrRef), t,
                            2.0 * ab.nnzBlocks() * block * block * batch);
                    sampled.values().fill(Float.NaN);
                    t = time(() -> SddmmOps.sample(ctx, 1f, x, y, 0f, sampled));
                    allOk &= row(out, provider, "SDDMM", sddmmShape, maxError(sampled.valuesArray(), sddmmRef), t,
                            2.0 * a.nnz() * batch);
                }
            }
            out.printf(Locale.ROOT, "peak tensor memory: %s%n", Bytes.format(arena.peakBytes()));
            out.flush();
            if (!allOk) {
                spec.commandLine().getErr().println("thimble: a provider disagreed with the reference (see above)");
                return 1;
            }
            return 0;
        }
    }

    private void validate() {
        if (rows < 1 || cols < 1 || batch < 1) {
            throw new IllegalArgumentException("--rows, --cols and --batch must be at least 1");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("--sparsity must be in [0, 1], got " + sparsity);
        }
        if (block != 4 && block != 8 && block != 16) {
            throw new IllegalArgumentException("--block must be 4, 8 or 16, got " + block);
        }
        if (warmupMillis < 0) {
            throw new IllegalArgumentException("--warmup-ms must be >= 0, got " + warmupMillis);
        }
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        }
    }

    /** Prints one result line; a result is accepted within 1e-4 relative to the largest reference value. */
    private static boolean row(PrintWriter out, String provider, String kernel, String shape, double[] err,
            double seconds, double flops) {
        boolean ok = err[0] <= 1e-4 * Math.max(err[1], 1);
        out.printf(Locale.ROOT, "%-8s %-10s %-22s %10.2e %10.3f %10.2f%s%n", provider, kernel, shape, err[0],
                seconds * 1e3, flops / seconds / 1e9, ok ? "" : "  MISMATCH");
        return ok;
    }

    /** Median of {@code repeat} timed runs, after warm-up runs long enough for C2 to compile the kernel. */
    private double time(Runnable kernel) {
        long warmUntil = System.nanoTime() + warmupMillis * 1_000_000L;
        for (int i = 0; i < 5 || (System.nanoTime() < warmUntil && i < 10_000); i++) {
            kernel.run();
        }
        double[] t = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            kernel.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[repeat / 2];
    }

    /** {max |actual − reference|, max |reference|}. */
    private static double[] maxError(float[] actual, double[] reference) {
        double err = 0;
        double scale = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - reference[i]);
            err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return new double[] {err, scale};
    }

    private CsrF32 randomCsr(TensorArena arena, SplittableRandom rng) {
        int[] rowPtr = new int[rows + 1];
        int[] idx = new int[(int) Math.min((long) rows * cols, Integer.MAX_VALUE - 8)];
        float[] val = new float[idx.length];
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (rng.nextDouble() >= sparsity) {
                    idx[nnz] = c;
                    val[nnz++] = (float) rng.nextGaussian();
                }
            }
            rowPtr[r + 1] = nnz;
        }
        return arena.csr(rows, cols, rowPtr, Arrays.copyOf(idx, nnz), Arrays.copyOf(val, nnz));
    }

    private BsrF32 randomBsr(TensorArena arena, SplittableRandom rng) {
        int br = (rows + block - 1) / block;
        int bc = (cols + block - 1) / block;
        int[] ptr = new int[br + 1];
        int[] idx = new int[br * bc];
        float[] val = new float[br * bc * block * block];
        int n = 0;
        for (int i = 0; i < br; i++) {
            for (int j = 0; j < bc; j++) {
                if (rng.nextDouble() >= sparsity) {
                    idx[n] = j;
                    for (int r = 0; r < block; r++) {
                        for (int s = 0; s < block; s++) {
                            boolean inside = i * block + r < rows && j * block + s < cols;
                            val[(n * block + r) * block + s] = inside ? (float) rng.nextGaussian() : 0f;
                        }
                    }
                    n++;
                }
            }
            ptr[i + 1] = n;
        }
        return arena.bsr(rows, cols, block, ptr, Arrays.copyOf(idx, n), Arrays.copyOf(val, n * block * block));
    }

    private static DenseF32 randomDense(TensorArena arena, SplittableRandom rng, int r, int c) {
        float[] v = new float[r * c];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return arena.dense(v, r, c);
    }

    private static double[] referenceSpmm(CsrF32 a, DenseF32 b) {
        int n = b.cols();
        float[] bv = b.toArray();
        double[] ref = new double[a.rows() * n];
        for (int i = 0; i < a.rows(); i++) {
            for (int p = a.rowStart(i); p < a.rowStart(i + 1); p++) {
                double v = a.value(p);
                int k = a.colIndex(p);
                for (int j = 0; j < n; j++) {
                    ref[i * n + j] += v * bv[k * n + j];
                }
            }
        }
        return ref;
    }

    private static double[] referenceSpmm(BsrF32 a, DenseF32 b) {
        int n = b.cols();
        int bs = a.blockSize();
        float[] bv = b.toArray();
        double[] ref = new double[a.rows() * n];
        for (int br = 0; br < a.blockRows(); br++) {
            for (int k = a.blockRowStart(br); k < a.blockRowStart(br + 1); k++) {
                for (int r = 0; r < bs && br * bs + r < a.rows(); r++) {
                    for (int s = 0; s < bs && a.blockColIndex(k) * bs + s < a.cols(); s++) {
                        double v = a.blockValue(k, r, s);
                        int row = a.blockColIndex(k) * bs + s;
                        for (int j = 0; j < n; j++) {
                            ref[(br * bs + r) * n + j] += v * bv[row * n + j];
                        }
                    }
                }
            }
        }
        return ref;
    }

    private static double[] referenceSddmm(DenseF32 x, DenseF32 y, CsrF32 pattern) {
        int d = x.cols();
        float[] xv = x.toArray();
        float[] yv = y.toArray();
        double[] ref = new double[pattern.nnz()];
        for (int i = 0; i < pattern.rows(); i++) {
            for (int p = pattern.rowStart(i); p < pattern.rowStart(i + 1); p++) {
                int j = pattern.colIndex(p);
                double s = 0;
                for (int t = 0; t < d; t++) {
                    s += (double) xv[i * d + t] * yv[j * d + t];
                }
                ref[p] = s;
            }
        }
        return ref;
    }
}
