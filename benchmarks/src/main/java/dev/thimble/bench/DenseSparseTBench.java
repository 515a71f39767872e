package dev.thimble.bench;

import dev.thimble.ops.FormatOps;
import dev.thimble.ops.GemmOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SpmmOps;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dense × sparseᵀ {@code Y = X·Wᵀ} (X M×K activations, W N×K sparse weights): the forward pass of
 * a linear layer with pruned weights. {@code variant=csr} runs {@link SpmmOps#denseTimesSparseT}
 * on the chosen provider; {@code variant=dense} runs {@link GemmOps#gemmTransB} on the SAME
 * weights stored dense (zeros included) with OpenBLAS, the baseline of the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// As SpmmBench: one fork (2 shared cores), 3 s of warm-up covers C2 and the caches.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DenseSparseTBench {
    /** Provider of the sparse variant; the dense variant always runs on openblas. */
    @Param({"native", "panama"})
    public String provider;

    @Param({"csr", "dense"})
    public String variant;

    /** {@code M x K x N}: X M×K, W N×K, Y M×N. */
    @Param({"128x4096x4096", "64x784x300"})
    public String shape;

    @Param({"0.9", "0.99"})
    public double sparsity;

    private TensorArena arena;
    private KernelContext ctx;
    private DenseF32 x;
    private CsrF32 w;
    private DenseF32 wDense;
    private DenseF32 y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        int m = Integer.parseInt(p[0]);
        int k = Integer.parseInt(p[1]);
        int n = Integer.parseInt(p[2]);
        arena = TensorArena.open("dxst-bench");
        ctx = KernelContext.builder().provider(variant.equals("dense") ? "openblas" : provider).threads(1).build();
        SplittableRandom rnd = new SplittableRandom(42);
        w = Inputs.csr(arena, rnd, n, k, sparsity);
        x = Inputs.dense(arena, rnd, m, k);
        wDense = FormatOps.toDense(arena, w);
        y = arena.dense(m, n).fill(Float.NaN);
        run();
        System.out.printf("%n[DenseSparseTBench] %s %s %s sparsity %s: %.3f GFLOP useful per op on %s%n", provider,
                variant, shape, sparsity, 2.0 * w.nnz() * m / 1e9, ctx.providerDescription());
        Inputs.checkRows(variant + " X·Wᵀ", (i, value, magnitude) -> {
            for (int j = 0; j < n; j++) {
                for (int q = w.rowStart(j); q < w.rowStart(j + 1); q++) {
                    double t = (double) x.get(i, w.colIndex(q)) * w.value(q);
                    value[j] += t;
                    magnitude[j] += Math.abs(t);
                }
            }
            return k;
        }, y, 8, 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    @Benchmark
    public DenseF32 run() {
        return variant.equals("dense") ? GemmOps.gemmTransB(ctx, 1f, x, wDense, 0f, y)
                : SpmmOps.denseTimesSparseT(ctx, 1f, x, w, 0f, y);
    }
}
