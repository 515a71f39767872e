package dev.thimble.bindings.openblas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import java.util.NoSuchElementException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The OpenBLAS library that the JavaCPP presets ship, loaded once per JVM, and FFM downcall
 * handles into it.
 *
 * <p><b>Why JavaCPP loads and FFM calls.</b> JavaCPP is only the distribution channel: its
 * classifier jar carries a DYNAMIC_ARCH OpenBLAS build for this platform and {@link Loader#load}
 * extracts it to {@code ~/.javacpp/cache} and loads it. We then look the CBLAS symbols up in that
 * very file (not by soname: a system OpenBLAS, Debian's 0.3.21 on these machines, could answer a
 * lookup of {@code libopenblas.so.0}) and call them through the FFM linker, because a downcall
 * taking a {@link MemorySegment} (a) passes the tensor's off-heap address with no copy and no
 * wrapper object, and (b) keeps the segment's arena alive for the duration of the call, so a
 * concurrent {@code TensorArena.close()} fails instead of freeing memory under OpenBLAS, which a
 * JavaCPP {@code FloatPointer} built from a raw address could not guarantee. It also reaches
 * {@code openblas_set_num_threads}, {@code openblas_get_corename} and {@code openblas_get_config},
 * which are plain C symbols of the same library.
 *
 * <p>Everything is resolved in the static initializer; when something is missing (no classifier
 * jar for this platform, native access denied, an OpenBLAS without CBLAS…) the handles stay null
 * and {@link #FAILURE} says why, so that {@link OpenBlasKernels}' constructor can refuse with
 * that reason and the provider lookup falls back.
 */
final class OpenBlasLibrary {
    /** CBLAS enum values ({@code cblas.h}). */
    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;
    static final int TRANS = 112;

    /** System property: OpenBLAS threads per call (default 1, see {@link #configureThreads}). */
    static final String THREADS_PROPERTY = "thimble.openblas.threads";

    /** The key JavaCPP records the extracted {@code libopenblas_nolapack.so.0} under. */
    private static final String LIBRARY_KEY = "openblas_nolapack@.0";

    /** Why the library is unusable, or null when it loaded. */
    static final String FAILURE;
    /** {@code void cblas_sgemm(order, transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)}. */
    static final MethodHandle SGEMM;
    /** {@code void cblas_saxpy(n, alpha, x, incx, y, incy)}. */
    static final MethodHandle SAXPY;
    /** {@code void cblas_sscal(n, alpha, x, incx)}. */
    static final MethodHandle SSCAL;
    /** {@code double cblas_dsdot(n, x, incx, y, incy)}: float inputs, double accumulation. */
    static final MethodHandle DSDOT;
    /** Path of the shared library the handles point into. */
    static final String PATH;
    /** {@code openblas_get_corename()}: the kernels DYNAMIC_ARCH picked (or OPENBLAS_CORETYPE forced). */
    static final String CORE_NAME;
    /** {@code openblas_get_config()}: version and build options. */
    static final String CONFIG;
    /** OpenBLAS threads per call, as set (and read back) at load time. */
    static final int THREADS;

    static {
        Loaded loaded;
        String failure;
        try {
            loaded = load();
            failure = null;
        } catch (UnsatisfiedLinkError e) {
            // no natives for this platform (classifier jar missing, or another OS/arch than the
            // one the build pulled) or a broken extraction; JavaCPP's own classes did load, so
            // its platform name is available for the hint
            loaded = null;
            failure = "UnsatisfiedLinkError: " + e.getMessage() + " (is org.bytedeco:openblas:<version>:"
                    + Loader.getPlatform() + " on the class path?)";
        } catch (LinkageError e) {
            // NoClassDefFoundError: the javacpp / openblas API jars themselves are missing
            loaded = null;
            failure = e.getClass().getSimpleName() + ": " + e.getMessage() + " (platform "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ")";
        } catch (IllegalCallerException e) {
            // --enable-native-access does not cover this module and --illegal-native-access=deny
            loaded = null;
            failure = "native access denied: " + e.getMessage();
        } catch (IllegalArgumentException | NoSuchElementException | IllegalStateException e) {
            // libraryLookup could not open the file, a CBLAS symbol is missing, or our own checks
            loaded = null;
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        FAILURE = failure;
        SGEMM = loaded == null ? null : loaded.sgemm;
        SAXPY = loaded == null ? null : loaded.saxpy;
        SSCAL = loaded == null ? null : loaded.sscal;
        DSDOT = loaded == null ? null : loaded.dsdot;
        PATH = loaded == null ? null : loaded.path;
        CORE_NAME = loaded == null ? null : loaded.coreName;
        CONFIG = loaded == null ? null : loaded.config;
        THREADS = loaded == null ? 0 : loaded.threads;
    }

    private OpenBlasLibrary() {
    }

    private record Loaded(String path, MethodHandle sgemm, MethodHandle saxpy, MethodHandle sscal,
            MethodHandle dsdot, String coreName, String config, int threads) {
    }

    // binding a foreign library is what this class is for; the JVM flag that grants it
    // (--enable-native-access=ALL-UNNAMED) is part of thimble.jvm.flags, and without it JDK 25 warns
    // at run time or, with --illegal-native-access=deny, fails into the IllegalCallerException above
    @SuppressWarnings("restricted")
    private static Loaded load() {
        // parse the property first: a typo should not leave a half-configured library behind
        int threads = requestedThreads();
        // openblas_nolapack: libopenblas plus the 0.3 MB JNI library, not the 24 MB LAPACK one
        Loader.load(openblas_nolapack.class);
        Map<String, String> libs = Loader.getLoadedLibraries();
        String path = libs.get(LIBRARY_KEY);
        if (path == null) {
            // e.g. -Dorg.bytedeco.openblas.load=mkl_rt redirects the presets to another BLAS
            throw new IllegalStateException("JavaCPP loaded no " + LIBRARY_KEY + " (loaded: " + libs.keySet() + ")");
        }
        Linker linker = Linker.nativeLinker();
        // global arena: the library stays loaded for the life of the JVM, as JavaCPP keeps it anyway
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(path), Arena.global());
        // no Linker.Option.critical: an sgemm can run for milliseconds and a critical call would
        // hold off GC safepoints for that long; ~7 ns per call is negligible next to the work
        MethodHandle sgemm = linker.downcallHandle(lib.findOrThrow("cblas_sgemm"),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                        ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        MethodHandle saxpy = linker.downcallHandle(lib.findOrThrow("cblas_saxpy"),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle sscal = linker.downcallHandle(lib.findOrThrow("cblas_sscal"),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        MethodHandle dsdot = linker.downcallHandle(lib.findOrThrow("cblas_dsdot"),
                FunctionDescriptor.of(JAVA_DOUBLE, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle setThreads = linker.downcallHandle(lib.findOrThrow("openblas_set_num_threads"),
                FunctionDescriptor.ofVoid(JAVA_INT));
        MethodHandle getThreads = linker.downcallHandle(lib.findOrThrow("openblas_get_num_threads"),
                FunctionDescriptor.of(JAVA_INT));
        MethodHandle coreName = linker.downcallHandle(lib.findOrThrow("openblas_get_corename"),
                FunctionDescriptor.of(ADDRESS));
        MethodHandle config = linker.downcallHandle(lib.findOrThrow("openblas_get_config"),
                FunctionDescriptor.of(ADDRESS));
        int actualThreads;
        try {
            configureThreads(setThreads, threads);
            actualThreads = (int) getThreads.invokeExact();
            return new Loaded(path, sgemm, saxpy, sscal, dsdot, cString((MemorySegment) coreName.invokeExact()),
                    cString((MemorySegment) config.invokeExact()), actualThreads);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("OpenBLAS query failed", t); // invokeExact declares Throwable
        }
    }

    /**
     * Sets OpenBLAS's own thread count, which is global to the library.
     *
     * <p>The default is 1 because Thimble already parallelises: a {@code KernelContext} splits a
     * GEMM by output rows across its own workers (one per core) and each worker calls sgemm on its
     * share. If OpenBLAS also started its threads, each of those calls would ask for every core
     * again: on the 2-vCPU machines we run on, that oversubscribes 2 Java threads × 2 OpenBLAS
     * threads on 2 cores, and measured 2-thread sgemm then collapsed from ~250 to 11–60 GFLOP/s
     * when anything else ran (docs/toolchain.md, pitfall 9). Whoever calls OpenBLAS from a single
     * thread (a benchmark of bare sgemm, say) can raise it with {@code -Dthimble.openblas.threads=N}
     * and a one-thread {@code KernelContext}.
     */
    private static void configureThreads(MethodHandle setThreads, int threads) throws Throwable {
        setThreads.invokeExact(threads);
    }

    private static int requestedThreads() {
        String value = System.getProperty(THREADS_PROPERTY, "1").trim();
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the property's name, more useful than the parser's message
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + " must be a positive integer, got '" + value + "'");
    }

    /** Reads a NUL-terminated string that OpenBLAS owns (static storage: never freed). */
    @SuppressWarnings("restricted") // reinterpret: the size of a C string is only known from its NUL
    private static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return "";
        }
        // the returned pointer has size 0: widen it so getString can scan to the NUL
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
