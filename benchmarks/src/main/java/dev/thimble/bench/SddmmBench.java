package dev.thimble.bench;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SddmmOps;
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
 * Target K7: SDDMM {@code out = (X·Yᵀ)} at a pattern P (M×M, density {@code 1 − sparsity}, 10 %
 * by default) against the CSR SpMM {@code C = P·B} with the SAME pattern as A and inner size
 * N = d: both do {@code nnz·d} multiply-adds over the same index arrays, so their time ratio is
 * the price of SDDMM's dot-product form (one reduction per output) versus SpMM's broadcast-FMA
 * form. Both kernels run in one fork per parameter set, on the same matrices.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Same settings as SpmmBench (one fork: more forks cost minutes on 2 shared cores without adding
// trust; the Java kernels are C2-compiled within the first warm-up second).
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SddmmBench {
    @Param({"native", "panama"})
    public String provider;

    /** {@code sddmm} or the reference {@code spmm} of equal nnz and inner size. */
    @Param({"sddmm", "spmm"})
    public String kernel;

    /** {@code M x d}: pattern M×M, X and Y (and B) M×d. */
    @Param({"1024x64", "4096x128"})
    public String shape;

    @Param({"0.9"})
    public double sparsity;

    @Param({"1"})
    public int threads;

    private TensorArena arena;
    private KernelContext ctx;
    private CsrF32 pattern;
    private DenseF32 x;
    private DenseF32 y;
    private DenseF32 c;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = Inputs.shape(shape);
        arena = TensorArena.open("sddmm-bench");
        ctx = KernelContext.builder().provider(provider).threads(threads).build();
        SplittableRandom rnd = new SplittableRandom(42);
        // same seed and order as SpmmBench: the pattern is SpmmBench's CSR matrix at this shape
        pattern = Inputs.csr(arena, rnd, s[0], s[0], sparsity);
        x = Inputs.dense(arena, rnd, s[0], s[1]);
        y = Inputs.dense(arena, rnd, s[0], s[1]);
        c = arena.dense(s[0], s[1]).fill(Float.NaN);
        run();
        System.out.printf("%n[SddmmBench] %s %s %s sparsity %s: %.3f GFLOP per op on %s%n", provider, kernel, shape,
                sparsity, 2.0 * pattern.nnz() * s[1] / 1e9, ctx.providerDescription());
        if (kernel.equals("spmm")) {
            Inputs.checkRows(provider + " spmm (K7 reference)", (i, value, magnitude) -> {
                for (int p = pattern.rowStart(i); p < pattern.rowStart(i + 1); p++) {
                    for (int j = 0; j < y.cols(); j++) {
                        double t = (double) pattern.value(p) * y.get(pattern.colIndex(p), j);
                        value[j] += t;
                        magnitude[j] += Math.abs(t);
                    }
                }
                return pattern.rowStart(i + 1) - pattern.rowStart(i);
            }, c, 16, 7);
        } else {
            checkSddmm();
        }
    }

    /** Every stored entry of 16 sampled rows against a double dot product. */
    private void checkSddmm() {
        SplittableRandom rnd = new SplittableRandom(7);
        int d = x.cols();
        for (int s = 0; s < 16; s++) {
            int i = rnd.nextInt(pattern.rows());
            for (int p = pattern.rowStart(i); p < pattern.rowStart(i + 1); p++) {
                int j = pattern.colIndex(p);
                double v = 0;
                double mag = 0;
                for (int t = 0; t < d; t++) {
                    double term = (double) x.get(i, t) * y.get(j, t);
                    v += term;
                    mag += Math.abs(term);
                }
                double bound = 2 * (d + 2) * 0x1p-24 * mag + Float.MIN_NORMAL;
                if (!(Math.abs(pattern.value(p) - v) <= bound)) {
                    throw new IllegalStateException(provider + " sddmm: out(" + i + ", " + j + ") = "
                            + pattern.value(p) + ", expected " + v + " ± " + bound);
                }
            }
        }
        System.out.printf("%n[check] %s sddmm: 16 sampled rows within bounds%n", provider);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    @Benchmark
    public Object run() {
        // the SDDMM overwrites the pattern's values (beta = 0); the SpMM reads them as A
        return kernel.equals("sddmm") ? SddmmOps.sample(ctx, 1f, x, y, 0f, pattern)
                : SpmmOps.csr(ctx, 1f, pattern, y, 0f, c);
    }
}
