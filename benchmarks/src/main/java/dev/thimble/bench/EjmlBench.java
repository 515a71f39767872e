package dev.thimble.bench;

import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.FMatrixSparseCSC;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.sparse.csc.CommonOps_FSCC;
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
 * Target K9: EJML 0.44's {@code FMatrixSparseCSC} × {@code FMatrixRMaj} ({@link CommonOps_FSCC#mult})
 * on the SAME matrices as {@link SpmmBench} (same generator, seed and order), and EJML's dense
 * {@link CommonOps_FDRM#mult} for reference ({@code variant=dense}). EJML stores columns, so A is
 * converted once in setup (not timed); B and C are EJML's row-major arrays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// EJML is plain Java: 3 s of warm-up let C2 compile its loops. One fork, as SpmmBench. Calls take
// up to ~1 s at 4096²·128, so a 1 s iteration holds at least one whole call (JMH finishes it).
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EjmlBench {
    @Param({"sparse", "dense"})
    public String variant;

    /** {@code M=K x N}. */
    @Param({"1024x64", "4096x128"})
    public String shape;

    @Param({"0.9", "0.95", "0.99"})
    public double sparsity;

    private FMatrixSparseCSC a;
    private FMatrixRMaj aDense;
    private FMatrixRMaj b;
    private FMatrixRMaj c;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = Inputs.shape(shape);
        int mk = s[0];
        int n = s[1];
        CsrF32 csr;
        DenseF32 bd;
        try (TensorArena arena = TensorArena.open("ejml-bench")) {
            SplittableRandom rnd = new SplittableRandom(42);
            csr = Inputs.csr(arena, rnd, mk, mk, sparsity); // SpmmBench's A
            bd = Inputs.dense(arena, rnd, mk, n); // and its B
            a = toCsc(csr);
            b = new FMatrixRMaj(mk, n, true, bd.toArray());
            if (variant.equals("dense")) {
                aDense = new FMatrixRMaj(mk, mk);
                for (int i = 0; i < mk; i++) {
                    for (int p = csr.rowStart(i); p < csr.rowStart(i + 1); p++) {
                        aDense.set(i, csr.colIndex(p), csr.value(p));
                    }
                }
            }
            c = new FMatrixRMaj(mk, n);
            run();
            System.out.printf("%n[EjmlBench] %s %s sparsity %s: %.3f GFLOP useful per op%n", variant, shape, sparsity,
                    2.0 * csr.nnz() * n / 1e9);
            DenseF32 cd = arena.dense(c.data, mk, n);
            Inputs.checkRows("EJML " + variant, (i, value, magnitude) -> {
                for (int p = csr.rowStart(i); p < csr.rowStart(i + 1); p++) {
                    for (int j = 0; j < n; j++) {
                        double t = (double) csr.value(p) * bd.get(csr.colIndex(p), j);
                        value[j] += t;
                        magnitude[j] += Math.abs(t);
                    }
                }
                // dense EJML adds all mk terms (zeros included) in its own order
                return variant.equals("dense") ? mk : csr.rowStart(i + 1) - csr.rowStart(i);
            }, cd, 16, 7);
        }
    }

    /** CSR → CSC by a counting sort over the columns; row indices come out sorted. */
    static FMatrixSparseCSC toCsc(CsrF32 csr) {
        int rows = csr.rows();
        int cols = csr.cols();
        int nnz = Math.toIntExact(csr.nnz());
        FMatrixSparseCSC m = new FMatrixSparseCSC(rows, cols, nnz);
        int[] colIdx = new int[cols + 1];
        for (int p = 0; p < nnz; p++) {
            colIdx[csr.colIndex(p) + 1]++;
        }
        for (int j = 0; j < cols; j++) {
            colIdx[j + 1] += colIdx[j];
        }
        int[] next = colIdx.clone();
        for (int i = 0; i < rows; i++) {
            for (int p = csr.rowStart(i); p < csr.rowStart(i + 1); p++) {
                int q = next[csr.colIndex(p)]++;
                m.nz_rows[q] = i;
                m.nz_values[q] = csr.value(p);
            }
        }
        System.arraycopy(colIdx, 0, m.col_idx, 0, cols + 1);
        m.nz_length = nnz;
        m.indicesSorted = true;
        return m;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a = null;
        aDense = null;
    }

    @Benchmark
    public FMatrixRMaj run() {
        return variant.equals("dense") ? multDense() : CommonOps_FSCC.mult(a, b, c);
    }

    private FMatrixRMaj multDense() {
        CommonOps_FDRM.mult(aDense, b, c);
        return c;
    }
}
