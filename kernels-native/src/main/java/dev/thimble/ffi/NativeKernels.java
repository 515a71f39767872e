package dev.thimble.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.thimble.spi.ForwardingKernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * The native provider: every kernel is a downcall into libthimble, the C library of this module
 * ({@code kernels-native/include/thimble.h}), which picks its own SIMD tier from a CPU probe.
 *
 * <p><b>Availability.</b> The public constructor (for {@link java.util.ServiceLoader}) loads the
 * library once per JVM ({@link NativeLibrary}); when it cannot (unknown platform, library missing
 * or unloadable, ABI mismatch) it throws {@link UnsupportedOperationException} with the reason,
 * and the provider lookup falls back to the Java providers and logs why.
 * {@code -Dthimble.native.library=/path/to/libthimble.so} loads another build.
 *
 * <p><b>Checks.</b> Unlike the Java providers, this one checks before every call what the C code
 * will touch: liveness, segment lengths against the dimensions it passes, row ranges, block sizes,
 * and that sparse structures are sealed (an unsealed one is verified, which seals it). The facades
 * already check shapes; these checks keep a direct SPI caller's mistake an exception rather than a
 * JVM crash ({@link Bounds}). They are O(1) per call.
 *
 * <p>Kernels libthimble does not have yet (the transposed dense GEMMs) are forwarded to the next
 * provider below this one, the Vector API one ({@link ForwardingKernelProvider}).
 *
 * <p>Operands must live in off-heap memory (every {@code TensorArena} tensor does) and stay alive
 * for the duration of the call, as the SPI contract says.
 */
public final class NativeKernels extends ForwardingKernelProvider {
    private final NativeLibrary library;

    /**
     * Loads libthimble (once per JVM) and links its kernels.
     *
     * @throws UnsupportedOperationException with the reason when the library cannot be used here
     */
    public NativeKernels() {
        this.library = NativeLibrary.system();
        try {
            // initializes Downcalls, which links every kernel; NativeLibrary verified the symbols,
            // so a failure here is unexpected, but it must still become a reason, not a crash
            Downcalls.activeTier();
        } catch (LinkageError | RuntimeException e) {
            throw new UnsupportedOperationException("cannot link the functions of " + library + ": " + e, e);
        }
    }

    @Override
    public String name() {
        return "native";
    }

    /** For example {@code "C kernels, avx512 tier (libthimble ABI 1)"}. */
    @Override
    public String description() {
        int active = Downcalls.activeTier();
        String cpu = active == library.cpuTier() ? "" : "CPU supports " + library.tierName(library.cpuTier()) + "; ";
        return "C kernels, " + library.tierName(active) + " tier (" + cpu + "libthimble ABI " + library.abiVersion()
                + ")";
    }

    /** Above the Vector API provider (10) and the scalar one (0). */
    @Override
    public int priority() {
        return 20;
    }

    /** The name of the tier the kernels run on now, e.g. {@code avx2}. */
    public String activeTier() {
        return library.tierName(Downcalls.activeTier());
    }

    /** The name of the best tier this CPU supports. */
    public String cpuTier() {
        return library.tierName(library.cpuTier());
    }

    /**
     * Makes the kernels of every {@code NativeKernels} in this JVM run on {@code tier} (for tests
     * and benchmarks; the environment variable {@code THIMBLE_NATIVE_TIER} does the same at start).
     * A tier this build or CPU lacks is clamped down to the best one below it.
     *
     * @param tier {@code scalar}, {@code neon}, {@code avx2} or {@code avx512}
     * @return the name of the tier in effect
     * @throws IllegalArgumentException for an unknown name
     */
    public String selectTier(String tier) {
        Objects.requireNonNull(tier, "tier");
        int t = library.tierNumber(tier.trim());
        if (t < 0) {
            throw new IllegalArgumentException("unknown native tier '" + tier + "'; tiers: scalar, neon, avx2, avx512");
        }
        return library.tierName(Downcalls.selectTier(t));
    }

    // ------------------------------------------------------------------ SpMM

    @Override
    public void spmmCsr(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        String op = "native spmmCsr";
        Bounds.csr(op, "A", a);
        int m = a.rows(), k = a.cols(), n = b.cols();
        MemorySegment bs = Bounds.floats(op, "B", b, k, n);
        MemorySegment cs = Bounds.floats(op, "C", c, m, n);
        Bounds.rowRange(op, "rows", rowStart, rowEnd, m);
        Downcalls.spmmCsr(rowStart, rowEnd, n, a.rowPtrSegment(), a.colIdxSegment(), a.valuesSegment(), bs, alpha,
                beta, cs);
    }

    @Override
    public void spmmBsr(float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c, int blockRowStart,
            int blockRowEnd) {
        String op = "native spmmBsr";
        Bounds.bsr(op, "A", a);
        int m = a.rows(), k = a.cols(), n = b.cols();
        MemorySegment bs = Bounds.floats(op, "B", b, k, n);
        MemorySegment cs = Bounds.floats(op, "C", c, m, n);
        Bounds.rowRange(op, "block rows", blockRowStart, blockRowEnd, a.blockRows());
        Downcalls.spmmBsr(blockRowStart, blockRowEnd, m, k, n, a.blockSize(), a.blockRowPtrSegment(),
                a.blockColIdxSegment(), a.valuesSegment(), bs, alpha, beta, cs);
    }

    @Override
    public void denseTimesCsrT(float alpha, DenseF32 x, CsrF32 w, float beta, DenseF32 y, int rowStart, int rowEnd) {
        String op = "native denseTimesCsrT";
        Bounds.csr(op, "W", w);
        // W is n×k: its column indices (< k) index rows of X, its rows are the columns of Y
        int m = x.rows(), k = w.cols(), n = w.rows();
        MemorySegment xs = Bounds.floats(op, "X", x, m, k);
        MemorySegment ys = Bounds.floats(op, "Y", y, m, n);
        Bounds.rowRange(op, "rows", rowStart, rowEnd, m);
        Downcalls.denseCsrT(rowStart, rowEnd, k, n, xs, w.rowPtrSegment(), w.colIdxSegment(), w.valuesSegment(),
                alpha, beta, ys);
    }

    @Override
    public void denseTimesCsr(float alpha, DenseF32 g, CsrF32 w, float beta, DenseF32 d, int rowStart, int rowEnd) {
        String op = "native denseTimesCsr";
        Bounds.csr(op, "W", w);
        int m = g.rows(), n = w.rows(), k = w.cols();
        MemorySegment gs = Bounds.floats(op, "G", g, m, n);
        MemorySegment ds = Bounds.floats(op, "D", d, m, k);
        Bounds.rowRange(op, "rows", rowStart, rowEnd, m);
        Downcalls.denseCsr(rowStart, rowEnd, n, k, gs, w.rowPtrSegment(), w.colIdxSegment(), w.valuesSegment(),
                alpha, beta, ds);
    }

    // ------------------------------------------------------------------ SDDMM and dense

    @Override
    public void sddmm(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
        String op = "native sddmm";
        Bounds.csr(op, "pattern", out);
        // the pattern's column indices (< n) pick rows of Y
        int m = out.rows(), n = out.cols(), d = x.cols();
        MemorySegment xs = Bounds.floats(op, "X", x, m, d);
        MemorySegment ys = Bounds.floats(op, "Y", y, n, d);
        Bounds.rowRange(op, "pattern rows", rowStart, rowEnd, m);
        Downcalls.sddmm(rowStart, rowEnd, d, xs, ys, out.rowPtrSegment(), out.colIdxSegment(), alpha, beta,
                out.valuesSegment());
    }

    @Override
    public void sddmmTransposed(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart,
            int rowEnd) {
        String op = "native sddmmTransposed";
        Bounds.csr(op, "pattern", out);
        int m = out.rows(), n = out.cols(), d = x.rows();
        MemorySegment xs = Bounds.floats(op, "X", x, d, m);
        MemorySegment ys = Bounds.floats(op, "Y", y, d, n);
        Bounds.rowRange(op, "pattern rows", rowStart, rowEnd, m);
        Downcalls.sddmmT(rowStart, rowEnd, d, m, n, xs, ys, out.rowPtrSegment(), out.colIdxSegment(), alpha, beta,
                out.valuesSegment());
    }

    @Override
    public void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart,
            int rowEnd) {
        String op = "native maskedGemm";
        int m = a.rows(), k = a.cols(), n = b.cols();
        MemorySegment as = Bounds.floats(op, "A", a, m, k);
        MemorySegment bs = Bounds.floats(op, "B", b, k, n);
        MemorySegment cs = Bounds.floats(op, "C", c, m, n);
        MemorySegment mw = Bounds.maskWords(op, "mask", mask, Bounds.product(m, n));
        Bounds.rowRange(op, "rows", rowStart, rowEnd, m);
        Downcalls.maskedGemm(rowStart, rowEnd, k, n, as, bs, mw, mask.bitOffset(), alpha, beta, cs);
    }

    @Override
    public void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        String op = "native gemm";
        int m = a.rows(), k = a.cols(), n = b.cols();
        MemorySegment as = Bounds.floats(op, "A", a, m, k);
        MemorySegment bs = Bounds.floats(op, "B", b, k, n);
        MemorySegment cs = Bounds.floats(op, "C", c, m, n);
        Bounds.rowRange(op, "rows", rowStart, rowEnd, m);
        Downcalls.gemm(rowStart, rowEnd, k, n, as, bs, alpha, beta, cs);
    }

    // ------------------------------------------------------------------ element-wise (n = x.size())

    @Override
    public void axpy(float alpha, DenseF32 x, DenseF32 y) {
        String op = "native axpy";
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment ys = Bounds.floats(op, "y", y, n);
        Downcalls.axpy(n, alpha, xs, ys);
    }

    @Override
    public void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
        String op = "native maskedAxpy";
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment ys = Bounds.floats(op, "y", y, n);
        MemorySegment mw = Bounds.maskWords(op, "mask", mask, n);
        Downcalls.maskedAxpy(n, alpha, xs, mw, mask.bitOffset(), ys);
    }

    @Override
    public void scale(float alpha, DenseF32 x) {
        long n = x.size();
        Downcalls.scale(n, alpha, Bounds.floats("native scale", "x", x, n));
    }

    @Override
    public void applyMask(DenseF32 x, BitMask mask) {
        String op = "native applyMask";
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment mw = Bounds.maskWords(op, "mask", mask, n);
        Downcalls.applyMask(n, xs, mw, mask.bitOffset());
    }

    /**
     * {@inheritDoc}
     *
     * <p>C takes the inputs as an array of pointers, so each call allocates {@code 12·count} bytes
     * (the pointers and a copy of the weights) from a confined arena freed on return: O(count),
     * negligible next to the O(n·count) sum, but not something to call in a tight loop on tiny
     * vectors.
     */
    @Override
    public void weightedSum(float[] weights, DenseF32[] xs, DenseF32 out) {
        String op = "native weightedSum";
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(xs, "xs");
        if (weights.length != xs.length) {
            throw new IllegalArgumentException(op + ": " + weights.length + " weights for " + xs.length + " tensors");
        }
        long n = out.size();
        MemorySegment os = Bounds.floats(op, "out", out, n);
        MemorySegment[] inputs = new MemorySegment[xs.length];
        for (int i = 0; i < xs.length; i++) {
            inputs[i] = Bounds.floats(op, "xs[" + i + "]", Objects.requireNonNull(xs[i], "xs[i]"), n);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment w = call.allocateFrom(JAVA_FLOAT, weights);
            MemorySegment pointers = call.allocate(ADDRESS, Math.max(1, inputs.length));
            for (int i = 0; i < inputs.length; i++) {
                pointers.setAtIndex(ADDRESS, i, inputs[i]);
            }
            // the linker keeps alive only the segments passed as arguments; these addresses travel
            // inside `pointers`, so the caller must not close their arenas during the call (SPI
            // contract), and the fence below keeps GC-managed ones reachable until C returns
            Downcalls.weightedSum(n, inputs.length, w, pointers, os);
        } finally {
            Reference.reachabilityFence(inputs);
        }
    }

    @Override
    public double dot(DenseF32 x, DenseF32 y) {
        String op = "native dot";
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment ys = Bounds.floats(op, "y", y, n);
        return Downcalls.dot(n, xs, ys);
    }

    @Override
    public double norm2(DenseF32 x) {
        long n = x.size();
        return Math.sqrt(Downcalls.sumSquares(n, Bounds.floats("native norm2", "x", x, n), MemorySegment.NULL, 0));
    }

    @Override
    public float normInf(DenseF32 x) {
        long n = x.size();
        return Downcalls.maxAbs(n, Bounds.floats("native normInf", "x", x, n), MemorySegment.NULL, 0);
    }

    @Override
    public double maskedNorm2(DenseF32 x, BitMask mask) {
        String op = "native maskedNorm2";
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment mw = Bounds.maskWords(op, "mask", mask, n);
        return Math.sqrt(Downcalls.sumSquares(n, xs, mw, mask.bitOffset()));
    }

    @Override
    public float maskedNormInf(DenseF32 x, BitMask mask) {
        String op = "native maskedNormInf";
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment mw = Bounds.maskWords(op, "mask", mask, n);
        return Downcalls.maxAbs(n, xs, mw, mask.bitOffset());
    }

    // ------------------------------------------------------------------ magnitude selection

    /**
     * {@inheritDoc}
     *
     * <p>The histogram is passed to C in place ({@code MemorySegment.ofArray}, allowed because
     * this one function is linked with heap access); the shifts must be in [0, 31], where Java's
     * {@code >>>} and C's {@code >>} agree.
     */
    @Override
    public long magnitudeHistogram(DenseF32 x, BitMask within, int prefixShift, int prefix, int shift,
            long[] histogram) {
        String op = "native magnitudeHistogram";
        Objects.requireNonNull(histogram, "histogram");
        if (Integer.bitCount(histogram.length) != 1) {
            throw new IllegalArgumentException(op + ": the histogram has " + histogram.length
                    + " buckets; it needs a power of two");
        }
        if (prefixShift < 0 || prefixShift > 31 || shift < 0 || shift > 31) {
            throw new IllegalArgumentException(op + ": shifts must be in [0, 31], got prefixShift=" + prefixShift
                    + ", shift=" + shift);
        }
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment mw = within == null ? MemorySegment.NULL : Bounds.maskWords(op, "within", within, n);
        long offset = within == null ? 0 : within.bitOffset();
        return Downcalls.magnitudeHistogram(n, xs, mw, offset, prefixShift, prefix, shift, histogram.length,
                MemorySegment.ofArray(histogram));
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code thresholdKey} must be a key (non-negative): C compares keys unsigned, so a negative
     * int would mean a key above every float rather than below.
     */
    @Override
    public long selectByMagnitude(DenseF32 x, BitMask within, int thresholdKey, long tiesToTake, BitMask out) {
        String op = "native selectByMagnitude";
        if (thresholdKey < 0) {
            throw new IllegalArgumentException(op + ": thresholdKey " + thresholdKey
                    + " is not a magnitude key (keys are in [0, 0x7fffffff])");
        }
        long n = x.size();
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment mw = within == null ? MemorySegment.NULL : Bounds.maskWords(op, "within", within, n);
        long offset = within == null ? 0 : within.bitOffset();
        MemorySegment ow = Bounds.maskWords(op, "out", out, n);
        return Downcalls.selectByMagnitude(n, xs, mw, offset, thresholdKey, tiesToTake, ow, out.bitOffset());
    }

    // ------------------------------------------------------------------ seeded noise

    @Override
    public void addNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        String op = "native addNoise";
        long n = x.size();
        Bounds.noiseRange(op, n, offset, stream);
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment mw = mask == null ? MemorySegment.NULL : Bounds.maskWords(op, "mask", mask, n);
        Downcalls.addNoise(n, xs, mw, mask == null ? 0 : mask.bitOffset(), scale, seed, tensorId, offset, stream);
    }

    @Override
    public void fillNoise(DenseF32 out, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        String op = "native fillNoise";
        long n = out.size();
        Bounds.noiseRange(op, n, offset, stream);
        MemorySegment os = Bounds.floats(op, "out", out, n);
        MemorySegment mw = mask == null ? MemorySegment.NULL : Bounds.maskWords(op, "mask", mask, n);
        Downcalls.fillNoise(n, os, mw, mask == null ? 0 : mask.bitOffset(), scale, seed, tensorId, offset, stream);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The count is passed to C in place ({@code MemorySegment.ofArray}, this function being
     * linked with heap access); the exception segment must be native and hold {@code capacity}
     * entries, and {@code count[0]} must be within it.
     */
    @Override
    public long perturbNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream,
            MemorySegment exceptions, long capacity, long[] count) {
        String op = "native perturbNoise";
        long n = x.size();
        Bounds.noiseRange(op, n, offset, stream);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + n + " elements; exception indices are int32, so at most "
                    + Integer.MAX_VALUE + " per call");
        }
        Objects.requireNonNull(count, "count");
        if (count.length < 1 || count[0] < 0 || capacity < 0 || count[0] > capacity) {
            throw new IllegalArgumentException(op + ": count " + (count.length < 1 ? "missing" : count[0])
                    + " is not within the capacity " + capacity);
        }
        MemorySegment xs = Bounds.floats(op, "x", x, n);
        MemorySegment mw = mask == null ? MemorySegment.NULL : Bounds.maskWords(op, "mask", mask, n);
        MemorySegment ex = Bounds.segment(op, "exceptions", exceptions, Bounds.bytes(capacity, 8), Integer.BYTES);
        return Downcalls.perturbNoise(n, xs, mw, mask == null ? 0 : mask.bitOffset(), scale, seed, tensorId, offset,
                stream, ex, capacity, MemorySegment.ofArray(count));
    }

    @Override
    public String toString() {
        return "NativeKernels[" + description() + ", " + library + "]";
    }
}
