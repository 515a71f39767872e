package dev.thimble.ffi;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds, loads and identifies libthimble: the one place that turns "where is the library and can
 * it run here" into either a loaded library or a single reason string.
 *
 * <p><b>Where.</b> {@code -Dthimble.native.library=/path/to/libthimble.so} wins when set (tests,
 * users with their own build). Otherwise the class-path resource
 * {@code /native/<os>-<arch>/libthimble.so} ({@code linux-x86_64}, {@code linux-arm64}) is used in
 * place when it is a plain file (running from {@code target/classes}), or copied out of the jar to
 * a temporary file deleted when the JVM exits, because {@code dlopen} needs a file.
 *
 * <p><b>Checks.</b> The library is opened with {@code SymbolLookup.libraryLookup(path,
 * Arena.global())} (loaded libraries are never unloaded: method handles into it live in static
 * fields); then {@code thimble_abi_version()} must equal {@link #EXPECTED_ABI_VERSION} and every
 * function of {@link Downcalls.Fn} must be exported. Any failure (unknown platform, missing
 * resource or file, not an ELF file, ELF for another architecture, a file {@code dlopen} rejects,
 * missing symbol, ABI mismatch, native access denied) becomes an {@link UnsupportedOperationException}
 * whose message names the path and the problem, which {@link NativeKernels} passes on to the
 * provider lookup.
 */
final class NativeLibrary {
    /** The ABI (thimble.h {@code THIMBLE_ABI_VERSION}) these bindings were written against. */
    static final int EXPECTED_ABI_VERSION = 1;

    /** System property overriding the library location. */
    static final String PATH_PROPERTY = "thimble.native.library";

    /** The file name of the library in every platform folder. */
    private static final String LIBRARY_FILE = "libthimble.so";

    private static final Logger LOG = System.getLogger("dev.thimble.ffi");

    private final Path path;
    private final String origin;
    private final SymbolLookup lookup;
    private final int abiVersion;
    private final int cpuTier;
    private final String[] tierNames;

    private NativeLibrary(Path path, String origin, SymbolLookup lookup, int abiVersion, int cpuTier,
            String[] tierNames) {
        this.path = path;
        this.origin = origin;
        this.lookup = lookup;
        this.abiVersion = abiVersion;
        this.cpuTier = cpuTier;
        this.tierNames = tierNames;
    }

    /** The one load attempt of this JVM: a library, or why there is none. */
    private record Attempt(NativeLibrary library, String failure) {
    }

    private static final class SystemHolder {
        static final Attempt ATTEMPT = attempt();

        private static Attempt attempt() {
            try {
                NativeLibrary lib = locateAndLoad(System.getProperty(PATH_PROPERTY));
                LOG.log(Level.DEBUG, "libthimble ABI {0} loaded from {1} ({2}); CPU tier {3}", lib.abiVersion,
                        lib.path, lib.origin, lib.tierName(lib.cpuTier));
                return new Attempt(lib, null);
            } catch (UnsupportedOperationException e) {
                return new Attempt(null, e.getMessage());
            }
        }
    }

    /**
     * The library this JVM uses, located and loaded once.
     *
     * @throws UnsupportedOperationException with the reason, every time, if it could not be loaded
     */
    static NativeLibrary system() {
        Attempt a = SystemHolder.ATTEMPT;
        if (a.library() == null) {
            throw new UnsupportedOperationException(a.failure());
        }
        return a.library();
    }

    /**
     * Locates and loads the library: from {@code override} when not null (the value of
     * {@code -Dthimble.native.library}), else from the class path.
     *
     * @throws UnsupportedOperationException with one reason string on any failure
     */
    static NativeLibrary locateAndLoad(String override) {
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override.trim()).toAbsolutePath();
            return load(p, "set by -D" + PATH_PROPERTY);
        }
        String platform = platform(System.getProperty("os.name", "?"), System.getProperty("os.arch", "?"));
        String resource = "/native/" + platform + "/" + LIBRARY_FILE;
        URL url = NativeLibrary.class.getResource(resource);
        if (url == null) {
            throw new UnsupportedOperationException("libthimble is not on the class path: no resource " + resource
                    + " (the thimble-native jar has no build for " + platform + "; or set -D" + PATH_PROPERTY
                    + "=/path/to/" + LIBRARY_FILE + ")");
        }
        return fromResource(url, resource);
    }

    /**
     * Loads a class-path resource: in place when it is a plain file, else copied out (of a jar) to
     * a temporary file first, since {@code dlopen} needs a file.
     */
    static NativeLibrary fromResource(URL url, String resource) {
        Path inPlace = null;
        if ("file".equals(url.getProtocol())) {
            try {
                inPlace = Path.of(url.toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                // an unusual file URL: copy it out like a jar entry
            }
        }
        return inPlace != null ? load(inPlace, "class path resource " + resource)
                : load(extract(url), "extracted from " + url);
    }

    /**
     * Loads the library at {@code path}, for tests and {@link #locateAndLoad}.
     *
     * @throws UnsupportedOperationException naming the path and the problem
     */
    static NativeLibrary load(Path path) {
        return load(path, "given path");
    }

    // restricted: opening a library needs --enable-native-access (JDK 25 only warns without it)
    @SuppressWarnings("restricted")
    private static NativeLibrary load(Path path, String origin) {
        String where = path + " (" + origin + ")";
        if (!Files.exists(path)) {
            throw new UnsupportedOperationException("cannot load libthimble from " + where + ": no such file");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new UnsupportedOperationException("cannot load libthimble from " + where
                    + ": not a readable regular file");
        }
        String notLoadable = elfProblem(path);
        if (notLoadable != null) {
            throw new UnsupportedOperationException("cannot load libthimble from " + where + ": " + notLoadable);
        }
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
            // the JDK's message does not carry dlerror(); elfProblem() has already named the common
            // causes, so what is left is a damaged library or one whose dependencies are missing
            throw new UnsupportedOperationException("cannot load libthimble from " + where
                    + ": dlopen rejected it (truncated or damaged file, or a missing dependency): " + e.getMessage(), e);
        } catch (IllegalCallerException e) {
            throw new UnsupportedOperationException("cannot load libthimble from " + where
                    + ": native access is not enabled for this code (run with --enable-native-access=ALL-UNNAMED): "
                    + e.getMessage(), e);
        }
        if (lookup.find(Downcalls.Fn.ABI_VERSION.symbol).isEmpty()) {
            throw new UnsupportedOperationException("cannot load libthimble from " + where
                    + ": the file is not libthimble (it does not export " + Downcalls.Fn.ABI_VERSION.symbol + ")");
        }
        int abi = callInt(Downcalls.Fn.ABI_VERSION.bind(lookup));
        if (abi != EXPECTED_ABI_VERSION) {
            throw new UnsupportedOperationException("cannot load libthimble from " + where + ": it has ABI version "
                    + abi + " but these bindings need ABI " + EXPECTED_ABI_VERSION
                    + "; use the thimble-native jar of the same release");
        }
        List<String> missing = new ArrayList<>();
        for (Downcalls.Fn f : Downcalls.Fn.values()) {
            if (lookup.find(f.symbol).isEmpty()) {
                missing.add(f.symbol);
            }
        }
        if (!missing.isEmpty()) {
            throw new UnsupportedOperationException("cannot load libthimble from " + where + ": it (ABI " + abi
                    + ") lacks " + missing.size() + " of " + Downcalls.Fn.values().length + " functions: " + missing);
        }
        int cpu = callInt(Downcalls.Fn.CPU_TIER.bind(lookup));
        MethodHandle tierName = Downcalls.Fn.TIER_NAME.bind(lookup);
        // thimble.h: tiers 0..3 (scalar, neon, avx2, avx512)
        String[] names = new String[4];
        for (int t = 0; t < names.length; t++) {
            names[t] = callString(tierName, t);
        }
        return new NativeLibrary(path, origin, lookup, abi, cpu, names);
    }

    /**
     * {@code linux-x86_64} or {@code linux-arm64} for these {@code os.name}/{@code os.arch} values.
     *
     * @throws UnsupportedOperationException for any other platform
     */
    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return "linux-x86_64";
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return "linux-arm64";
            }
        }
        throw new UnsupportedOperationException("no libthimble build for this platform (os.name=" + osName
                + ", os.arch=" + osArch + "); libthimble is built for linux-x86_64 and linux-arm64");
    }

    /**
     * What makes the file unloadable before {@code dlopen} sees it: not an ELF file, or ELF for
     * another machine; null when the header looks right. Checked up front because the JDK reports
     * any {@code dlopen} failure as a bare "Cannot open library", without the loader's reason.
     */
    static String elfProblem(Path path) {
        byte[] h = new byte[20];
        int read;
        try (InputStream in = Files.newInputStream(path)) {
            read = in.readNBytes(h, 0, h.length);
        } catch (IOException e) {
            return "cannot read it: " + e;
        }
        if (read < h.length || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
            return "not an ELF shared library (" + (read < h.length ? "only " + read + " bytes" : "no ELF header")
                    + "; a corrupt or truncated file?)";
        }
        // e_ident[EI_CLASS] 2 = 64-bit, e_ident[EI_DATA] 1 = little-endian (both Linux targets are);
        // e_machine at offset 18, in the file's byte order
        int machine = h[5] == 1 ? (h[18] & 0xff) | (h[19] & 0xff) << 8 : (h[19] & 0xff) | (h[18] & 0xff) << 8;
        String fileArch = switch (machine) {
            case 0x3e -> "x86_64";
            case 0xb7 -> "arm64";
            case 0x03 -> "x86 (32-bit)";
            case 0x28 -> "arm (32-bit)";
            case 0xf3 -> "riscv";
            default -> "ELF machine 0x" + Integer.toHexString(machine);
        };
        String arch = System.getProperty("os.arch", "?");
        String jvmArch = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        if (h[4] != 2 || !fileArch.equals(jvmArch)) {
            return "it is built for " + fileArch + (h[4] != 2 ? ", 32-bit" : "") + " but this JVM runs on "
                    + jvmArch + " (os.arch=" + arch + ")";
        }
        return null;
    }

    /** Copies a class-path resource to a temporary file that is deleted when the JVM exits. */
    private static Path extract(URL url) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("libthimble-", ".so");
            tmp.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // deleteOnExit is still registered
                }
            }
            throw new UnsupportedOperationException("cannot extract libthimble from " + url
                    + " to a temporary file: " + e, e);
        }
    }

    private static int callInt(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    @SuppressWarnings("restricted") // sizing a C string the library returned
    private static String callString(MethodHandle h, int arg) {
        try {
            MemorySegment s = (MemorySegment) h.invokeExact(arg);
            // a static C string of a few letters; 64 bytes bound the read if it were ever unterminated
            return s.equals(MemorySegment.NULL) ? "?" : s.reinterpret(64).getString(0);
        } catch (IndexOutOfBoundsException e) {
            return "?";
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** The symbols of the loaded library. */
    SymbolLookup lookup() {
        return lookup;
    }

    /** The file that was loaded. */
    Path path() {
        return path;
    }

    /** Where the path came from: the system property, the class path, or a jar. */
    String origin() {
        return origin;
    }

    /** {@code thimble_abi_version()} of the loaded library. */
    int abiVersion() {
        return abiVersion;
    }

    /** {@code thimble_cpu_tier()}: the best tier this CPU supports. */
    int cpuTier() {
        return cpuTier;
    }

    /** The library's name of a tier ({@code thimble_tier_name}), e.g. {@code avx512}. */
    String tierName(int tier) {
        return tier >= 0 && tier < tierNames.length ? tierNames[tier] : "tier " + tier;
    }

    /** The tier number for a name, or -1 if the library names no tier so. */
    int tierNumber(String name) {
        for (int t = 0; t < tierNames.length; t++) {
            if (tierNames[t].equalsIgnoreCase(name)) {
                return t;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "libthimble ABI " + abiVersion + " at " + path + " (" + origin + ")";
    }
}
