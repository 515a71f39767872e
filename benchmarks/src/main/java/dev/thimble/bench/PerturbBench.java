package dev.thimble.bench;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.random.Noise;
import dev.thimble.random.NoiseStream;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
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
 * Target K8: in-place seeded perturbation {@code w += ε·z} over 64 M parameters (a 256 MiB
 * tensor, far beyond the caches), z regenerated from the seed, on one thread. G params/s =
 * 64·2²⁰ / (ms per op · 10⁶); the setup prints the factor. The result is checked once against the
 * scalar reference generator ({@link NoiseStream#value}) on a few elements spread over the tensor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// A pass over 256 MiB takes ~50 ms: 2 s iterations average ~40 passes each; 3 warm-up iterations
// let C2 compile the Panama generator. One fork: the 2 shared cores make more forks cost time.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PerturbBench {
    @Param({"panama", "native"})
    public String provider;

    /** UNIFORM is Philox and one multiply per value: with GAUSSIAN it separates generator and Box–Muller cost. */
    @Param({"RADEMACHER", "GAUSSIAN", "UNIFORM"})
    public Noise noise;

    /** Parameters: 64 M for K8; the report's smoke mode passes a small n so CI runs in seconds. */
    @Param({"67108864"})
    public int n;

    private TensorArena arena;
    private KernelContext ctx;
    private DenseF32 w;
    private long seed = 1;

    @Setup(Level.Trial)
    public void setUp() {
        arena = TensorArena.open("perturb-bench");
        ctx = KernelContext.builder().provider(provider).threads(1).build();
        w = arena.dense(n);
        // from zeros, w[i] = fl(1e-3·z): checkable element by element against the reference
        NoiseOps.addNoise(ctx, w, null, 1e-3f, 12345, 7, 0, noise);
        for (long i = 0; i < n; i += n / 61 + 17) {
            float want = 1e-3f * NoiseStream.value(noise, 12345, 7, i);
            if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(w.get(i))) {
                throw new IllegalStateException(provider + " " + noise + ": element " + i + " is " + w.get(i)
                        + ", the reference generator says " + want);
            }
        }
        System.out.printf("%n[PerturbBench] %s %s on %s: %d params; G params/s = %.2f / (ms per op)%n", provider,
                noise, ctx.providerDescription(), n, n / 1e6);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    /** One perturbation pass; a new seed each time, as a zeroth-order step would use. */
    @Benchmark
    public void addNoise() {
        NoiseOps.addNoise(ctx, w, null, 1e-3f, seed++, 7, 0, noise);
    }
}
