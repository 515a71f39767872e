package dev.thimble.bench;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SpmmOps;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Arrays;
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
 * CSR SpMM {@code C = A·B} (A m×k sparse, B k×n dense) on one thread, per provider.
 *
 * <p>Time per operation is reported; the work is {@code 2·nnz·n} flops, so
 * {@code GFLOP/s = 2·nnz·n / (µs·1000)} (nnz is printed in setup). Each trial checks the
 * provider's result against the scalar provider once before measuring and fails if it is wrong.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// The Vector API is an incubator module: every forked JVM must add it or the panama provider is
// unavailable (and the lookup would fail). Native access and Unsafe flags keep JDK 25 quiet about
// the native providers on the class path. One fork: the machine has 2 cores shared with other work,
// so more forks would cost time without making the numbers more trustworthy.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
// Modest: C2 compiles the kernels within the first warmup second; 5 one-second samples give a
// usable error bar without hogging the shared machine.
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpmmBench {
    @Param({"scalar", "panama"})
    public String provider;

    /** {@code M=K x N}: 1024x64 and 4096x128. */
    @Param({"1024x64", "4096x128"})
    public String shape;

    /** Fraction of A's entries that are not stored. */
    @Param({"0.9", "0.99"})
    public double sparsity;

    private TensorArena arena;
    private KernelContext ctx;
    private CsrF32 a;
    private DenseF32 b;
    private DenseF32 c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] mn = shape.split("x");
        int mk = Integer.parseInt(mn[0]);
        int n = Integer.parseInt(mn[1]);
        arena = TensorArena.builder().name("spmm-bench").build();
        ctx = KernelContext.builder().provider(provider).threads(1).build();
        SplittableRandom rnd = new SplittableRandom(42);

        // A: each entry kept with probability 1 - sparsity, values in [-1, 1)
        int[] rowPtr = new int[mk + 1];
        int[] colIdx = new int[(int) (mk * (double) mk * (1 - sparsity) * 1.1) + 16];
        float[] values = new float[colIdx.length];
        int nnz = 0;
        for (int i = 0; i < mk; i++) {
            for (int j = 0; j < mk; j++) {
                if (rnd.nextDouble() >= sparsity) {
                    if (nnz == colIdx.length) {
                        colIdx = Arrays.copyOf(colIdx, nnz * 2);
                        values = Arrays.copyOf(values, nnz * 2);
                    }
                    colIdx[nnz] = j;
                    values[nnz++] = (float) (rnd.nextDouble() * 2 - 1);
                }
            }
            rowPtr[i + 1] = nnz;
        }
        a = arena.csr(mk, mk, rowPtr, Arrays.copyOf(colIdx, nnz), Arrays.copyOf(values, nnz));

        float[] bData = new float[mk * n];
        for (int i = 0; i < bData.length; i++) {
            bData[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        b = arena.dense(bData, mk, n);
        c = arena.dense(mk, n).fill(Float.NaN); // beta = 0: must be overwritten, never read
        check(nnz, rowPtr);
    }

    /**
     * Runs the measured provider once and compares with the scalar provider. With |a|, |b| <= 1 a
     * result is a sum of at most maxRowNnz terms of magnitude <= 1, so two float summation orders
     * differ by at most about 8·ulp(1)·sqrt(r)·r for r = maxRowNnz (see the kernel tests).
     */
    private void check(int nnz, int[] rowPtr) {
        int maxRow = 0;
        for (int i = 0; i + 1 < rowPtr.length; i++) {
            maxRow = Math.max(maxRow, rowPtr[i + 1] - rowPtr[i]);
        }
        SpmmOps.csr(ctx, 1f, a, b, 0f, c);
        DenseF32 ref = arena.dense(c.rows(), c.cols());
        try (KernelContext scalar = KernelContext.builder().provider("scalar").threads(1).build()) {
            SpmmOps.csr(scalar, 1f, a, b, 0f, ref);
        }
        double maxErr = 0;
        for (long i = 0; i < ref.size(); i++) {
            double e = Math.abs(ref.get(i) - c.get(i));
            maxErr = Double.isNaN(e) ? Double.POSITIVE_INFINITY : Math.max(maxErr, e);
        }
        double tol = 8 * Math.ulp(1f) * Math.sqrt(Math.max(1, maxRow)) * Math.max(1, maxRow);
        System.out.printf("%n[SpmmBench] %s %s sparsity %s: nnz=%d (%.2f GFLOP per op), max |err| vs scalar %.3g"
                + " (tolerance %.3g), provider %s%n", provider, shape, sparsity, nnz, 2.0 * nnz * c.cols() / 1e9,
                maxErr, tol, ctx.providerDescription());
        if (!(maxErr <= tol)) {
            throw new IllegalStateException(provider + " SpMM differs from scalar by " + maxErr + " > " + tol);
        }
        ref.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    @Benchmark
    public DenseF32 spmm() {
        return SpmmOps.csr(ctx, 1f, a, b, 0f, c);
    }
}
