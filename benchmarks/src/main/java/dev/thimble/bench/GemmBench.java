package dev.thimble.bench;

import dev.thimble.ops.GemmOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SpmmOps;
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
 * Dense {@code C = A·B} (A M×K, B K×N, M = K): the baseline of {@link SpmmBench}. With the
 * openblas provider this is OpenBLAS SGEMM; its setup prints which core type runs, since
 * {@code OPENBLAS_CORETYPE} decides between the AVX2 and AVX-512 kernels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Same fork and warm-up settings as SpmmBench so that ratios compare like with like.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBench {
    @Param({"openblas"})
    public String provider;

    /** {@code M=K x N}. */
    @Param({"1024x64", "4096x128"})
    public String shape;

    @Param({"1"})
    public int threads;

    private TensorArena arena;
    private KernelContext ctx;
    private DenseF32 a;
    private DenseF32 b;
    private DenseF32 c;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = Inputs.shape(shape);
        arena = TensorArena.open("gemm-bench");
        ctx = KernelContext.builder().provider(provider).threads(threads).build();
        SplittableRandom rnd = new SplittableRandom(42);
        a = Inputs.dense(arena, rnd, s[0], s[0]);
        b = Inputs.dense(arena, rnd, s[0], s[1]);
        c = arena.dense(s[0], s[1]).fill(Float.NaN);
        run();
        System.out.printf("%n[GemmBench] %s %s, %d thread(s): %.3f GFLOP per op on %s (OPENBLAS_CORETYPE=%s)%n",
                provider, shape, threads, 2.0 * s[0] * s[0] * s[1] / 1e9, ctx.providerDescription(),
                System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"));
        Inputs.checkRows(provider + " gemm", (i, value, magnitude) -> {
            for (int t = 0; t < a.cols(); t++) {
                for (int j = 0; j < b.cols(); j++) {
                    double p = (double) a.get(i, t) * b.get(t, j);
                    value[j] += p;
                    magnitude[j] += Math.abs(p);
                }
            }
            return a.cols();
        }, c, 8, 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    @Benchmark
    public DenseF32 run() {
        return GemmOps.gemm(ctx, 1f, a, b, 0f, c);
    }
}
