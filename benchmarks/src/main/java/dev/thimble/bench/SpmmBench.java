package dev.thimble.bench;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SpmmOps;
import dev.thimble.tensor.BsrF32;
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
 * Sparse × dense {@code C = A·B} (A M×K, B K×N, M = K) per provider, format, shape, sparsity and
 * thread count; the dense baseline is {@link GemmBench} at the same shapes. Useful work is
 * {@code 2·nnz·N} flops for CSR and {@code 2·tiles·b²·N} for BSR-b (printed in setup). Each trial
 * checks its result once against a double reference before measuring.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Every fork needs the incubator module (the panama provider) and native access (libthimble,
// OpenBLAS). One fork: the 2 shared cores make more forks cost time without adding trust.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
// C2 compiles the Java kernels within the first warm-up second; native kernels need no warm-up
// beyond caches. Five one-second samples give a usable error bar on a shared machine.
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpmmBench {
    @Param({"native", "panama"})
    public String provider;

    @Param({"csr", "bsr4", "bsr8", "bsr16"})
    public String format;

    /** {@code M=K x N}. */
    @Param({"1024x64", "4096x128"})
    public String shape;

    /** Fraction of entries (CSR) or tiles (BSR) not stored. */
    @Param({"0.5", "0.6", "0.7", "0.8", "0.9", "0.95", "0.99"})
    public double sparsity;

    /** 2 for K6 (the report runs 2 threads at M ≥ 1024 only). */
    @Param({"1"})
    public int threads;

    private TensorArena arena;
    private KernelContext ctx;
    private CsrF32 csr;
    private BsrF32 bsr;
    private DenseF32 b;
    private DenseF32 c;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = Inputs.shape(shape);
        int mk = s[0];
        int n = s[1];
        arena = TensorArena.open("spmm-bench");
        ctx = KernelContext.builder().provider(provider).threads(threads).build();
        SplittableRandom rnd = new SplittableRandom(42);
        if (format.equals("csr")) {
            csr = Inputs.csr(arena, rnd, mk, mk, sparsity);
        } else {
            bsr = Inputs.bsr(arena, rnd, mk, mk, Integer.parseInt(format.substring(3)), sparsity);
        }
        b = Inputs.dense(arena, rnd, mk, n);
        c = arena.dense(mk, n).fill(Float.NaN); // beta = 0: must be overwritten, never read
        run();
        long work = csr != null ? csr.nnz() : (long) bsr.nnzBlocks() * bsr.blockSize() * bsr.blockSize();
        System.out.printf("%n[SpmmBench] %s %s %s sparsity %s, %d thread(s): %.3f GFLOP per op on %s%n", provider,
                format, shape, sparsity, threads, 2.0 * work * n / 1e9, ctx.providerDescription());
        Inputs.checkRows(provider + " " + format, this::referenceRow, c, 16, 7);
    }

    private int referenceRow(int i, double[] value, double[] magnitude) {
        int n = b.cols();
        int terms = 0;
        if (csr != null) {
            for (int p = csr.rowStart(i); p < csr.rowStart(i + 1); p++, terms++) {
                accumulate(csr.value(p), csr.colIndex(p), n, value, magnitude);
            }
        } else {
            int bs = bsr.blockSize();
            int br = i / bs;
            for (int k = bsr.blockRowStart(br); k < bsr.blockRowStart(br + 1); k++) {
                for (int t = 0; t < bs; t++, terms++) {
                    accumulate(bsr.blockValue(k, i % bs, t), bsr.blockColIndex(k) * bs + t, n, value, magnitude);
                }
            }
        }
        return terms;
    }

    private void accumulate(double a, int row, int n, double[] value, double[] magnitude) {
        for (int j = 0; j < n; j++) {
            double t = a * b.get(row, j);
            value[j] += t;
            magnitude[j] += Math.abs(t);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    @Benchmark
    public DenseF32 run() {
        return csr != null ? SpmmOps.csr(ctx, 1f, csr, b, 0f, c) : SpmmOps.bsr(ctx, 1f, bsr, b, 0f, c);
    }
}
