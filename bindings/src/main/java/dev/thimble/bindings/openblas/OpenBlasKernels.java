package dev.thimble.bindings.openblas;

import dev.thimble.spi.ForwardingKernelProvider;
import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;

/**
 * Runs Thimble's dense kernels on OpenBLAS and forwards the sparse ones to the best full provider.
 *
 * <p>Registered with {@link java.util.ServiceLoader} under the name {@code openblas} with priority
 * 30, so with this jar on the class path it is the automatic choice: dense GEMM runs on
 * {@code cblas_sgemm}, axpy / scale / dot / norm2 on their BLAS-1 counterparts, and every other
 * kernel (SpMM, SDDMM, masked products, masked and element-wise reductions) runs on the provider
 * the lookup attaches as the fallback (Panama or native). All calls pass the tensors' off-heap
 * memory to OpenBLAS directly, without copies.
 *
 * <p>OpenBLAS runs on one thread per call unless {@code -Dthimble.openblas.threads=N} says
 * otherwise: Thimble's {@code KernelContext} already splits rows across its own threads, and
 * nesting OpenBLAS's pool inside them oversubscribes the cores. The kernels OpenBLAS runs are the
 * ones it picks for this CPU, unless the environment variable {@code OPENBLAS_CORETYPE} forces a
 * core type; this class never changes that variable, and {@link #description()} and
 * {@link #coreName()} report which kernels actually run so that benchmark results can say so.
 *
 * <p>The static methods ({@link #isAvailable()}, {@link #coreName()}, {@link #config()},
 * {@link #version()}, {@link #threads()}, {@link #libraryPath()}) are for benchmarks and the CLI;
 * they load the library on first use.
 */
public final class OpenBlasKernels extends ForwardingKernelProvider {
    /**
     * Elements per BLAS-1 call: CBLAS takes an {@code int} count (the presets' OpenBLAS is not an
     * ILP64 build), while a {@link DenseF32} may hold more than 2³¹−1 elements.
     */
    private static final int CHUNK = 1 << 30;

    /**
     * Creates the provider; called by {@link java.util.ServiceLoader}.
     *
     * @throws UnsupportedOperationException with the reason when OpenBLAS cannot be loaded here
     *         (no natives for this platform, classifier jar missing, native access denied, an
     *         invalid {@code -Dthimble.openblas.threads}…), so that the lookup falls back
     */
    public OpenBlasKernels() {
        requireLoaded();
    }

    /** {@code "openblas"}. */
    @Override
    public String name() {
        return "openblas";
    }

    /**
     * What runs, e.g. {@code "OpenBLAS 0.3.31 (Haswell kernels, OPENBLAS_CORETYPE=Haswell, 1 thread):
     * SGEMM, SAXPY, SSCAL, DSDOT; other kernels: panama"}. Safe to call before the lookup has
     * attached the fallback.
     */
    @Override
    public String description() {
        String coreType = System.getenv("OPENBLAS_CORETYPE");
        String others;
        try {
            KernelProvider f = fallback();
            others = f.name();
        } catch (IllegalStateException notAttachedYet) {
            others = "the best full provider (not attached yet)";
        }
        int threads = OpenBlasLibrary.THREADS;
        return "OpenBLAS " + version() + " (" + coreName() + " kernels, OPENBLAS_CORETYPE="
                + (coreType == null ? "unset" : coreType) + ", " + threads + (threads == 1 ? " thread" : " threads")
                + "): SGEMM, SAXPY, SSCAL, DSDOT; other kernels: " + others;
    }

    /** 30: above the Java and native providers, so that a present OpenBLAS runs the dense kernels. */
    @Override
    public int priority() {
        return 30;
    }

    // ------------------------------------------------------------------ public info

    /** Whether the OpenBLAS library can be loaded and called on this machine. */
    public static boolean isAvailable() {
        return OpenBlasLibrary.FAILURE == null;
    }

    /**
     * The OpenBLAS core type whose kernels run, from {@code openblas_get_corename()}, e.g.
     * {@code "Haswell"} or {@code "Cooperlake"}.
     *
     * @throws UnsupportedOperationException when OpenBLAS is not available, with the reason
     */
    public static String coreName() {
        requireLoaded();
        return OpenBlasLibrary.CORE_NAME;
    }

    /**
     * The build configuration, from {@code openblas_get_config()}, e.g.
     * {@code "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=…"}.
     *
     * @throws UnsupportedOperationException when OpenBLAS is not available, with the reason
     */
    public static String config() {
        requireLoaded();
        return OpenBlasLibrary.CONFIG;
    }

    /**
     * The OpenBLAS version, e.g. {@code "0.3.31"} (the word after "OpenBLAS" in {@link #config()},
     * or the whole configuration if it does not have that form).
     *
     * @throws UnsupportedOperationException when OpenBLAS is not available, with the reason
     */
    public static String version() {
        String config = config();
        String[] words = config.trim().split("\\s+");
        return words.length >= 2 && words[0].equals("OpenBLAS") ? words[1] : config;
    }

    /**
     * Threads OpenBLAS uses per call, as read back from {@code openblas_get_num_threads()} after
     * applying {@code -Dthimble.openblas.threads} (default 1).
     *
     * @throws UnsupportedOperationException when OpenBLAS is not available, with the reason
     */
    public static int threads() {
        requireLoaded();
        return OpenBlasLibrary.THREADS;
    }

    /**
     * The shared library the calls go to (JavaCPP's extracted copy in its cache), to tell it apart
     * from a system OpenBLAS.
     *
     * @throws UnsupportedOperationException when OpenBLAS is not available, with the reason
     */
    public static String libraryPath() {
        requireLoaded();
        return OpenBlasLibrary.PATH;
    }

    private static void requireLoaded() {
        String failure = OpenBlasLibrary.FAILURE;
        if (failure != null) {
            throw new UnsupportedOperationException("OpenBLAS cannot be loaded: " + failure);
        }
    }

    // ------------------------------------------------------------------ level 3

    /**
     * {@code C[rowStart:rowEnd) = alpha·A[rowStart:rowEnd)·B + beta·C[rowStart:rowEnd)} with one
     * row-major {@code cblas_sgemm} on the tensors' memory. The row range becomes an m×k slice of
     * A and an m×n slice of C that start {@code rowStart} rows in (the leading dimensions stay k and
     * n, so the slices are contiguous); B is passed whole. With {@code beta == 0}, BLAS writes C
     * without reading it, so a C full of NaN is fine.
     */
    @Override
    public void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        if (alpha == 0f) {
            // BLAS skips A·B when alpha is 0, so NaN or Inf in A or B would not reach C; the other
            // providers compute 0·(A·B) literally, and a degenerate call is not worth a difference
            fallback().gemm(alpha, a, b, beta, c, rowStart, rowEnd);
            return;
        }
        int k = a.cols();
        sgemm(OpenBlasLibrary.NO_TRANS, OpenBlasLibrary.NO_TRANS, rowEnd - rowStart, b.cols(), k, alpha,
                a.segment().asSlice((long) rowStart * k * Float.BYTES), k, b.segment(), b.cols(), beta, c, rowStart);
    }

    /** {@code C = alpha·A·Bᵀ + beta·C} with B passed as is and {@code CblasTrans}. */
    @Override
    public void gemmTransB(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        if (alpha == 0f) {
            fallback().gemmTransB(alpha, a, b, beta, c, rowStart, rowEnd);
            return;
        }
        int k = a.cols();
        sgemm(OpenBlasLibrary.NO_TRANS, OpenBlasLibrary.TRANS, rowEnd - rowStart, b.rows(), k, alpha,
                a.segment().asSlice((long) rowStart * k * Float.BYTES), k, b.segment(), k, beta, c, rowStart);
    }

    /**
     * {@code C = alpha·Aᵀ·B + beta·C}: rows [rowStart, rowEnd) of C are columns of A, so A is
     * passed from column rowStart on with its leading dimension m and {@code CblasTrans}.
     */
    @Override
    public void gemmTransA(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        if (alpha == 0f) {
            fallback().gemmTransA(alpha, a, b, beta, c, rowStart, rowEnd);
            return;
        }
        int m = a.cols();
        sgemm(OpenBlasLibrary.TRANS, OpenBlasLibrary.NO_TRANS, rowEnd - rowStart, b.cols(), a.rows(), alpha,
                a.segment().asSlice((long) rowStart * Float.BYTES), m, b.segment(), b.cols(), beta, c, rowStart);
    }

    /**
     * One row-major {@code cblas_sgemm} writing rows {@code [rowStart, rowStart + m)} of C (an m×n
     * slice that starts rowStart rows in, leading dimension n). With {@code beta == 0}, BLAS writes C
     * without reading it, so a C full of NaN is fine.
     */
    private static void sgemm(int transA, int transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
            MemorySegment b, int ldb, float beta, DenseF32 c, int rowStart) {
        if (m <= 0 || n == 0) {
            return; // nothing to write
        }
        MemorySegment cRows = c.segment().asSlice((long) rowStart * n * Float.BYTES, (long) m * n * Float.BYTES);
        // CBLAS rejects a leading dimension below 1 (and then computes nothing) even when the
        // matrix is empty, e.g. lda = k = 0; with k == 0 OpenBLAS still applies beta to C
        try {
            OpenBlasLibrary.SGEMM.invokeExact(OpenBlasLibrary.ROW_MAJOR, transA, transB, m, n, k, alpha, a,
                    Math.max(1, lda), b, Math.max(1, ldb), beta, cRows, Math.max(1, n));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Forwarded. BLAS has no masked GEMM: computing the full product with sgemm and then restoring
     * {@code beta·C} at the unset positions would need the old C, i.e. a scratch copy per call,
     * and would compute the products that a sparse mask lets the fallback skip.
     */
    @Override
    public void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart,
            int rowEnd) {
        super.maskedGemm(alpha, a, b, mask, beta, c, rowStart, rowEnd);
    }

    // ------------------------------------------------------------------ level 1

    /** {@code y += alpha·x} with {@code cblas_saxpy}. */
    @Override
    public void axpy(float alpha, DenseF32 x, DenseF32 y) {
        if (alpha == 0f) {
            // OpenBLAS returns at once for alpha == 0, leaving y unchanged where x holds Inf or
            // NaN; y + 0·x is NaN there, which is what the other providers give
            fallback().axpy(alpha, x, y);
            return;
        }
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        long size = x.size();
        try {
            for (long i = 0; i < size; i += CHUNK) {
                int n = (int) Math.min(CHUNK, size - i);
                long off = i * Float.BYTES;
                OpenBlasLibrary.SAXPY.invokeExact(n, alpha, xs.asSlice(off), 1, ys.asSlice(off), 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code x *= alpha} with {@code cblas_sscal}. */
    @Override
    public void scale(float alpha, DenseF32 x) {
        if (alpha == 0f) {
            // how SCAL treats alpha == 0 (store zeros, or multiply so that NaN and Inf become NaN
            // and negatives -0) has changed between OpenBLAS releases; the fallback multiplies
            fallback().scale(alpha, x);
            return;
        }
        MemorySegment xs = x.segment();
        long size = x.size();
        try {
            for (long i = 0; i < size; i += CHUNK) {
                int n = (int) Math.min(CHUNK, size - i);
                OpenBlasLibrary.SSCAL.invokeExact(n, alpha, xs.asSlice(i * Float.BYTES), 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code Σ x[i]·y[i]} with {@code cblas_dsdot}, which accumulates in double as this method's
     * contract expects ({@code cblas_sdot} would return a float sum and lose that accuracy).
     */
    @Override
    public double dot(DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        long size = x.size();
        double sum = 0;
        try {
            for (long i = 0; i < size; i += CHUNK) {
                int n = (int) Math.min(CHUNK, size - i);
                long off = i * Float.BYTES;
                sum += (double) OpenBlasLibrary.DSDOT.invokeExact(n, xs.asSlice(off), 1, ys.asSlice(off), 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return sum;
    }

    /**
     * The Euclidean norm as the square root of {@code dsdot(x, x)}. Not {@code snrm2}: it returns
     * a float, and its overflow-avoiding scaling is not needed for float inputs summed in double.
     */
    @Override
    public double norm2(DenseF32 x) {
        return Math.sqrt(dot(x, x));
    }

    /** Lets unchecked exceptions (e.g. a closed arena) through; wraps what invokeExact declares. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException("OpenBLAS call failed", t);
    }
}
