package dev.thimble.bench;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.MaskOps;
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
 * Magnitude top-k masks ({@link MaskOps#topK}): the k largest |x| of n values, as magnitude
 * pruning and top-k sparsification of updates need. Reported as G elements/s (n / time); the
 * floor is one read of x (4n bytes) plus the mask (n/8 bytes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// One fork (2 shared cores); the selection is plain Java, so 3 s of warm-up lets C2 finish.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TopKBench {
    @Param({"panama", "native"})
    public String provider;

    /** Elements. */
    @Param({"1048576", "16777216"})
    public int n;

    /** Fraction kept. */
    @Param({"0.1", "0.01"})
    public double keep;

    private TensorArena arena;
    private KernelContext ctx;
    private DenseF32 x;
    private long k;

    @Setup(Level.Trial)
    public void setUp() {
        arena = TensorArena.open("topk-bench");
        ctx = KernelContext.builder().provider(provider).threads(1).build();
        x = Inputs.dense(arena, new SplittableRandom(42), 1, n).reshape(n);
        k = Math.max(1, Math.round(n * keep));
        try (BitMask m = MaskOps.topK(ctx, arena, x, k, null)) {
            // exact count, and no dropped |x| above a kept one
            double minKept = Double.POSITIVE_INFINITY;
            double maxDropped = 0;
            for (long i = 0; i < n; i++) {
                double v = Math.abs(x.get(i));
                if (m.get(i)) {
                    minKept = Math.min(minKept, v);
                } else {
                    maxDropped = Math.max(maxDropped, v);
                }
            }
            if (m.cardinality() != k || maxDropped > minKept) {
                throw new IllegalStateException(provider + " topK: kept " + m.cardinality() + " of " + k
                        + ", smallest kept " + minKept + ", largest dropped " + maxDropped);
            }
        }
        System.out.printf("%n[check] %s topK n=%d k=%d: exact count, order respected%n", provider, n, k);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    @Benchmark
    public long run() {
        try (BitMask m = MaskOps.topK(ctx, arena, x, k, null)) {
            return m.words().byteSize();
        }
    }
}
