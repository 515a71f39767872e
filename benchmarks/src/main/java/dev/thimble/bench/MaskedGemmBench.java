package dev.thimble.bench;

import dev.thimble.ops.GemmOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SddmmOps;
import dev.thimble.tensor.BitMask;
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
 * Masked GEMM {@code C = (A·B) ⊙ M} (A M×K, B K×N, a uniform random bit mask of the given density)
 * against the dense OpenBLAS GEMM of the same shape ({@code variant=dense}), which computes every
 * output. A masked kernel only pays off when it skips the unmasked outputs' work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// As SpmmBench: one fork (2 shared cores), 3 s of warm-up covers C2 and the caches.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MaskedGemmBench {
    /** Provider of the masked variant; the dense variant always runs on openblas. */
    @Param({"native", "panama"})
    public String provider;

    @Param({"masked", "dense"})
    public String variant;

    /** {@code M x K x N}. */
    @Param({"1024x256x1024"})
    public String shape;

    /** Fraction of outputs the mask keeps. */
    @Param({"0.1", "0.5"})
    public double density;

    private TensorArena arena;
    private KernelContext ctx;
    private DenseF32 a;
    private DenseF32 b;
    private BitMask mask;
    private DenseF32 c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        int m = Integer.parseInt(p[0]);
        int k = Integer.parseInt(p[1]);
        int n = Integer.parseInt(p[2]);
        arena = TensorArena.open("masked-gemm-bench");
        ctx = KernelContext.builder().provider(variant.equals("dense") ? "openblas" : provider).threads(1).build();
        SplittableRandom rnd = new SplittableRandom(42);
        a = Inputs.dense(arena, rnd, m, k);
        b = Inputs.dense(arena, rnd, k, n);
        mask = arena.mask(m, n);
        for (long i = 0; i < mask.size(); i++) {
            mask.set(i, rnd.nextDouble() < density);
        }
        c = arena.dense(m, n).fill(Float.NaN);
        run();
        System.out.printf("%n[MaskedGemmBench] %s %s %s density %s: %.3f GFLOP useful per op on %s%n", provider,
                variant, shape, density, 2.0 * mask.cardinality() * k / 1e9, ctx.providerDescription());
        boolean masked = variant.equals("masked");
        Inputs.checkRows(variant + " gemm", (i, value, magnitude) -> {
            for (int t = 0; t < k; t++) {
                for (int j = 0; j < n; j++) {
                    if (!masked || mask.get((long) i * n + j)) {
                        double q = (double) a.get(i, t) * b.get(t, j);
                        value[j] += q;
                        magnitude[j] += Math.abs(q);
                    }
                }
            }
            return k;
        }, c, 8, 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    @Benchmark
    public DenseF32 run() {
        return variant.equals("dense") ? GemmOps.gemm(ctx, 1f, a, b, 0f, c)
                : SddmmOps.maskedGemm(ctx, 1f, a, b, mask, 0f, c);
    }
}
