package dev.thimble.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Every downcall into libthimble, in one place: the symbol table ({@link Fn}), the
 * {@code static final} method handles, and one {@code invokeExact} wrapper per C function.
 *
 * <p>The wrappers pass their arguments through untouched and check nothing: {@link NativeKernels}
 * validates every length before it calls here (thimble.h: "the Java side validates every
 * argument"). Parameter names and order follow thimble.h exactly; C {@code int32_t} is
 * {@code int}, {@code int64_t} is {@code long}, {@code uint32_t} keys travel as the same 32 bits
 * in an {@code int}, and every pointer is a {@link MemorySegment} ({@link MemorySegment#NULL} for
 * an absent mask).
 *
 * <p>The handles are bound when this class initializes, from {@link NativeLibrary#system()}; only
 * a successfully constructed {@link NativeKernels} touches this class, so the library is known to
 * load and to export every symbol of {@link Fn} by then.
 */
final class Downcalls {
    private Downcalls() {
    }

    /** How a function is linked. */
    private enum Linkage {
        /** Ordinary downcall: library information calls, where 5 ns more per call do not matter. */
        PLAIN,
        /**
         * A leaf kernel, linked with {@code Linker.Option.critical(false)}: the call skips the
         * thread-state transition (about 2.3 ns instead of 7 ns per call, toolchain.md §5.2), which
         * matters for the element-wise kernels on short vectors. The price is that the calling thread
         * stays "in Java" for the duration, so a GC safepoint waits until the kernel returns. We
         * accept that because the kernels are leaves (they never block, never call back into Java,
         * never take locks) and each call covers one row range that the facades size to at most tens
         * of milliseconds of work; a multi-second call on a huge matrix would delay GC by as much,
         * which callers avoid by letting {@code KernelContext} split rows.
         */
        LEAF,
        /**
         * A leaf kernel that may also receive heap segments ({@code critical(true)}): the JVM passes
         * the array's address directly, with no copy, and GC cannot move it during the call. Used for
         * the {@code long[]} histogram of the magnitude pass.
         */
        LEAF_HEAP;

        Linker.Option[] options() {
            return switch (this) {
                case PLAIN -> new Linker.Option[0];
                case LEAF -> new Linker.Option[] {Linker.Option.critical(false)};
                case LEAF_HEAP -> new Linker.Option[] {Linker.Option.critical(true)};
            };
        }
    }

    /**
     * The C functions of thimble.h with their exact descriptors. {@link NativeLibrary} checks that
     * a library exports all of them before it is used; a nested enum, so that the check does not
     * initialize (and link) {@link Downcalls} itself.
     */
    enum Fn {
        ABI_VERSION("thimble_abi_version", FunctionDescriptor.of(JAVA_INT), Linkage.PLAIN),
        CPU_TIER("thimble_cpu_tier", FunctionDescriptor.of(JAVA_INT), Linkage.PLAIN),
        TIER_NAME("thimble_tier_name", FunctionDescriptor.of(ADDRESS, JAVA_INT), Linkage.PLAIN),
        SELECT_TIER("thimble_select_tier", FunctionDescriptor.of(JAVA_INT, JAVA_INT), Linkage.PLAIN),
        ACTIVE_TIER("thimble_active_tier", FunctionDescriptor.of(JAVA_INT), Linkage.PLAIN),

        SPMM_CSR("thimble_f32_spmm_csr", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        SPMM_BSR("thimble_f32_spmm_bsr", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        DENSE_CSRT("thimble_f32_dense_csrt", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        DENSE_CSR("thimble_f32_dense_csr", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        SDDMM("thimble_f32_sddmm", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        SDDMM_T("thimble_f32_sddmm_t", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        MASKED_GEMM("thimble_f32_masked_gemm", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        GEMM("thimble_f32_gemm", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, ADDRESS), Linkage.LEAF),

        AXPY("thimble_f32_axpy", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_FLOAT, ADDRESS, ADDRESS), Linkage.LEAF),
        MASKED_AXPY("thimble_f32_masked_axpy", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_FLOAT, ADDRESS,
                ADDRESS, JAVA_LONG, ADDRESS), Linkage.LEAF),
        SCALE("thimble_f32_scale", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_FLOAT, ADDRESS), Linkage.LEAF),
        APPLY_MASK("thimble_f32_apply_mask", FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG),
                Linkage.LEAF),
        WEIGHTED_SUM("thimble_f32_weighted_sum", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_INT, ADDRESS,
                ADDRESS, ADDRESS), Linkage.LEAF),
        DOT("thimble_f32_dot", FunctionDescriptor.of(JAVA_DOUBLE, JAVA_LONG, ADDRESS, ADDRESS), Linkage.LEAF),
        SUM_SQUARES("thimble_f32_sum_squares", FunctionDescriptor.of(JAVA_DOUBLE, JAVA_LONG, ADDRESS, ADDRESS,
                JAVA_LONG), Linkage.LEAF),
        MAX_ABS("thimble_f32_max_abs", FunctionDescriptor.of(JAVA_FLOAT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG),
                Linkage.LEAF),

        MAGNITUDE_HISTOGRAM("thimble_f32_magnitude_histogram", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linkage.LEAF_HEAP),
        SELECT_BY_MAGNITUDE("thimble_f32_select_by_magnitude", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG), Linkage.LEAF),
        ADD_NOISE("thimble_f32_add_noise", FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_FLOAT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), Linkage.LEAF),
        FILL_NOISE("thimble_f32_fill_noise", FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_FLOAT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), Linkage.LEAF),
        /** The count travels as a {@code long[1]} on the heap, like the histogram. */
        PERTURB_NOISE("thimble_f32_perturb_noise", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS,
                JAVA_LONG, JAVA_FLOAT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS),
                Linkage.LEAF_HEAP);

        final String symbol;
        private final FunctionDescriptor descriptor;
        private final Linkage linkage;

        Fn(String symbol, FunctionDescriptor descriptor, Linkage linkage) {
            this.symbol = symbol;
            this.descriptor = descriptor;
            this.linkage = linkage;
        }

        /**
         * A downcall handle for this function in {@code library}.
         *
         * @throws LinkageError if the library does not export the symbol
         */
        @SuppressWarnings("restricted") // this package is where native access is meant to happen
        MethodHandle bind(SymbolLookup library) {
            MemorySegment address = library.find(symbol)
                    .orElseThrow(() -> new LinkageError("Native function " + symbol + " could not be found"));
            return Linker.nativeLinker().downcallHandle(address, descriptor, linkage.options());
        }
    }

    private static final SymbolLookup LIB = NativeLibrary.system().lookup();

    private static final MethodHandle SELECT_TIER = Fn.SELECT_TIER.bind(LIB);
    private static final MethodHandle ACTIVE_TIER = Fn.ACTIVE_TIER.bind(LIB);
    private static final MethodHandle SPMM_CSR = Fn.SPMM_CSR.bind(LIB);
    private static final MethodHandle SPMM_BSR = Fn.SPMM_BSR.bind(LIB);
    private static final MethodHandle DENSE_CSRT = Fn.DENSE_CSRT.bind(LIB);
    private static final MethodHandle DENSE_CSR = Fn.DENSE_CSR.bind(LIB);
    private static final MethodHandle SDDMM = Fn.SDDMM.bind(LIB);
    private static final MethodHandle SDDMM_T = Fn.SDDMM_T.bind(LIB);
    private static final MethodHandle MASKED_GEMM = Fn.MASKED_GEMM.bind(LIB);
    private static final MethodHandle GEMM = Fn.GEMM.bind(LIB);
    private static final MethodHandle AXPY = Fn.AXPY.bind(LIB);
    private static final MethodHandle MASKED_AXPY = Fn.MASKED_AXPY.bind(LIB);
    private static final MethodHandle SCALE = Fn.SCALE.bind(LIB);
    private static final MethodHandle APPLY_MASK = Fn.APPLY_MASK.bind(LIB);
    private static final MethodHandle WEIGHTED_SUM = Fn.WEIGHTED_SUM.bind(LIB);
    private static final MethodHandle DOT = Fn.DOT.bind(LIB);
    private static final MethodHandle SUM_SQUARES = Fn.SUM_SQUARES.bind(LIB);
    private static final MethodHandle MAX_ABS = Fn.MAX_ABS.bind(LIB);
    private static final MethodHandle MAGNITUDE_HISTOGRAM = Fn.MAGNITUDE_HISTOGRAM.bind(LIB);
    private static final MethodHandle SELECT_BY_MAGNITUDE = Fn.SELECT_BY_MAGNITUDE.bind(LIB);
    private static final MethodHandle ADD_NOISE = Fn.ADD_NOISE.bind(LIB);
    private static final MethodHandle FILL_NOISE = Fn.FILL_NOISE.bind(LIB);
    private static final MethodHandle PERTURB_NOISE = Fn.PERTURB_NOISE.bind(LIB);

    /**
     * What a failed {@code invokeExact} turns into. Runtime exceptions and errors pass through
     * unchanged: the linker throws {@link IllegalStateException} or {@link WrongThreadException}
     * when a segment's arena was closed or is confined to another thread (a race the Java-side
     * liveness check cannot exclude), and those must reach the caller as such. A checked
     * {@link Throwable} cannot happen (the descriptors match the wrappers exactly; C does not throw).
     */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("should not reach here", t);
    }

    // ------------------------------------------------------------------ library information

    static int selectTier(int tier) {
        try {
            return (int) SELECT_TIER.invokeExact(tier);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int activeTier() {
        try {
            return (int) ACTIVE_TIER.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ matrix kernels

    static void spmmCsr(int rowStart, int rowEnd, int n, MemorySegment rowPtr, MemorySegment colIdx,
            MemorySegment values, MemorySegment b, float alpha, float beta, MemorySegment c) {
        try {
            SPMM_CSR.invokeExact(rowStart, rowEnd, n, rowPtr, colIdx, values, b, alpha, beta, c);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void spmmBsr(int blockRowStart, int blockRowEnd, int m, int k, int n, int bs, MemorySegment blockRowPtr,
            MemorySegment blockColIdx, MemorySegment values, MemorySegment b, float alpha, float beta,
            MemorySegment c) {
        try {
            SPMM_BSR.invokeExact(blockRowStart, blockRowEnd, m, k, n, bs, blockRowPtr, blockColIdx, values, b, alpha,
                    beta, c);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void denseCsrT(int rowStart, int rowEnd, int k, int n, MemorySegment x, MemorySegment rowPtr,
            MemorySegment colIdx, MemorySegment values, float alpha, float beta, MemorySegment y) {
        try {
            DENSE_CSRT.invokeExact(rowStart, rowEnd, k, n, x, rowPtr, colIdx, values, alpha, beta, y);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void denseCsr(int rowStart, int rowEnd, int n, int k, MemorySegment g, MemorySegment rowPtr,
            MemorySegment colIdx, MemorySegment values, float alpha, float beta, MemorySegment d) {
        try {
            DENSE_CSR.invokeExact(rowStart, rowEnd, n, k, g, rowPtr, colIdx, values, alpha, beta, d);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void sddmm(int rowStart, int rowEnd, int d, MemorySegment x, MemorySegment y, MemorySegment rowPtr,
            MemorySegment colIdx, float alpha, float beta, MemorySegment out) {
        try {
            SDDMM.invokeExact(rowStart, rowEnd, d, x, y, rowPtr, colIdx, alpha, beta, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void sddmmT(int rowStart, int rowEnd, int d, int m, int n, MemorySegment x, MemorySegment y,
            MemorySegment rowPtr, MemorySegment colIdx, float alpha, float beta, MemorySegment out) {
        try {
            SDDMM_T.invokeExact(rowStart, rowEnd, d, m, n, x, y, rowPtr, colIdx, alpha, beta, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void maskedGemm(int rowStart, int rowEnd, int k, int n, MemorySegment a, MemorySegment b,
            MemorySegment maskWords, long maskBitOffset, float alpha, float beta, MemorySegment c) {
        try {
            MASKED_GEMM.invokeExact(rowStart, rowEnd, k, n, a, b, maskWords, maskBitOffset, alpha, beta, c);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void gemm(int rowStart, int rowEnd, int k, int n, MemorySegment a, MemorySegment b, float alpha,
            float beta, MemorySegment c) {
        try {
            GEMM.invokeExact(rowStart, rowEnd, k, n, a, b, alpha, beta, c);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ element-wise kernels

    static void axpy(long n, float alpha, MemorySegment x, MemorySegment y) {
        try {
            AXPY.invokeExact(n, alpha, x, y);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void addNoise(long n, MemorySegment x, MemorySegment maskWords, long maskBitOffset, float scale,
            long seed, int tensorId, long offset, int stream) {
        try {
            ADD_NOISE.invokeExact(n, x, maskWords, maskBitOffset, scale, seed, tensorId, offset, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void fillNoise(long n, MemorySegment out, MemorySegment maskWords, long maskBitOffset, float scale,
            long seed, int tensorId, long offset, int stream) {
        try {
            FILL_NOISE.invokeExact(n, out, maskWords, maskBitOffset, scale, seed, tensorId, offset, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long perturbNoise(long n, MemorySegment x, MemorySegment maskWords, long maskBitOffset, float scale,
            long seed, int tensorId, long offset, int stream, MemorySegment exceptions, long capacity,
            MemorySegment count) {
        try {
            return (long) PERTURB_NOISE.invokeExact(n, x, maskWords, maskBitOffset, scale, seed, tensorId, offset,
                    stream, exceptions, capacity, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void maskedAxpy(long n, float alpha, MemorySegment x, MemorySegment maskWords, long maskBitOffset,
            MemorySegment y) {
        try {
            MASKED_AXPY.invokeExact(n, alpha, x, maskWords, maskBitOffset, y);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void scale(long n, float alpha, MemorySegment x) {
        try {
            SCALE.invokeExact(n, alpha, x);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void applyMask(long n, MemorySegment x, MemorySegment maskWords, long maskBitOffset) {
        try {
            APPLY_MASK.invokeExact(n, x, maskWords, maskBitOffset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void weightedSum(long n, int count, MemorySegment weights, MemorySegment xs, MemorySegment out) {
        try {
            WEIGHTED_SUM.invokeExact(n, count, weights, xs, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static double dot(long n, MemorySegment x, MemorySegment y) {
        try {
            return (double) DOT.invokeExact(n, x, y);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static double sumSquares(long n, MemorySegment x, MemorySegment maskWords, long maskBitOffset) {
        try {
            return (double) SUM_SQUARES.invokeExact(n, x, maskWords, maskBitOffset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static float maxAbs(long n, MemorySegment x, MemorySegment maskWords, long maskBitOffset) {
        try {
            return (float) MAX_ABS.invokeExact(n, x, maskWords, maskBitOffset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ magnitude selection

    static long magnitudeHistogram(long n, MemorySegment x, MemorySegment maskWords, long maskBitOffset,
            int prefixShift, int prefix, int shift, int buckets, MemorySegment hist) {
        try {
            return (long) MAGNITUDE_HISTOGRAM.invokeExact(n, x, maskWords, maskBitOffset, prefixShift, prefix, shift,
                    buckets, hist);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long selectByMagnitude(long n, MemorySegment x, MemorySegment maskWords, long maskBitOffset,
            int thresholdKey, long tiesToTake, MemorySegment outWords, long outBitOffset) {
        try {
            return (long) SELECT_BY_MAGNITUDE.invokeExact(n, x, maskWords, maskBitOffset, thresholdKey, tiesToTake,
                    outWords, outBitOffset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
