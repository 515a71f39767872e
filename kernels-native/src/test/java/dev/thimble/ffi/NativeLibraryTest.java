package dev.thimble.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader: every way libthimble can fail to load becomes one {@link UnsupportedOperationException}
 * naming the path and the problem (the reason {@code new NativeKernels()} throws and the provider
 * lookup logs), and the working paths (in place, extracted from a jar) load the library. All in
 * process: a library that loads stays loaded, but the failing ones never get that far.
 */
class NativeLibraryTest {
    @TempDir
    Path dir;

    /** The library Maven built into target/classes, as the class path sees it. */
    private static Path builtLibrary() throws Exception {
        String platform = NativeLibrary.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        URL url = NativeLibraryTest.class.getResource("/native/" + platform + "/libthimble.so");
        assertTrue(url != null, "the build did not put libthimble.so on the test class path");
        return Path.of(url.toURI());
    }

    private static UnsupportedOperationException failsFor(String override) {
        return assertThrows(UnsupportedOperationException.class, () -> NativeLibrary.locateAndLoad(override));
    }

    @Test
    void aMissingFileNamesThePathAndTheProperty() {
        Path missing = dir.resolve("nowhere/libthimble.so");
        String why = failsFor(missing.toString()).getMessage();
        assertTrue(why.contains(missing.toString()), why);
        assertTrue(why.contains("no such file"), why);
        assertTrue(why.contains("-Dthimble.native.library"), why);
    }

    @Test
    void aDirectoryIsNotALibrary() {
        String why = failsFor(dir.toString()).getMessage();
        assertTrue(why.contains(dir.toString()) && why.contains("not a readable regular file"), why);
    }

    @Test
    void aCorruptFileIsRejectedByDlopenWithItsMessage() throws IOException {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        Path corrupt = Files.write(dir.resolve("libthimble.so"), junk);
        String why = failsFor(corrupt.toString()).getMessage();
        assertTrue(why.contains(corrupt.toString()), why);
        assertTrue(why.contains("not an ELF shared library (no ELF header"), why);
    }

    @Test
    void anEmptyFileIsRejected() throws IOException {
        Path empty = Files.createFile(dir.resolve("libthimble.so"));
        String why = failsFor(empty.toString()).getMessage();
        assertTrue(why.contains(empty.toString()) && why.contains("only 0 bytes"), why);
    }

    /** An ELF header that looks right in front of a damaged body: only dlopen can tell. */
    @Test
    void aTruncatedLibraryIsRejectedByDlopen() throws Exception {
        byte[] head = Arrays.copyOf(Files.readAllBytes(builtLibrary()), 200);
        Path truncated = Files.write(dir.resolve("libthimble.so"), head);
        String why = failsFor(truncated.toString()).getMessage();
        assertTrue(why.contains(truncated.toString()) && why.contains("dlopen rejected it"), why);
    }

    /** The jar also carries the other architecture's build when a cross compiler was around. */
    @Test
    void aLibraryForAnotherArchitectureIsRejectedByDlopen() throws Exception {
        String here = NativeLibrary.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        String other = here.equals("linux-x86_64") ? "linux-arm64" : "linux-x86_64";
        URL url = NativeLibraryTest.class.getResource("/native/" + other + "/libthimble.so");
        assumeTrue(url != null, "no " + other + " build on the class path (no cross compiler)");
        Path foreign = Path.of(url.toURI());
        String why = failsFor(foreign.toString()).getMessage();
        assertTrue(why.contains(foreign.toString()), why);
        assertTrue(why.contains("it is built for " + other.substring("linux-".length()) + " but this JVM runs on "
                + here.substring("linux-".length())), why);
    }

    @Test
    void aValidLibraryWithoutTheSymbolsIsNotLibthimble() {
        String platform = NativeLibrary.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        Path libm = Path.of(platform.equals("linux-arm64") ? "/lib/aarch64-linux-gnu/libm.so.6"
                : "/lib/x86_64-linux-gnu/libm.so.6");
        assumeTrue(Files.exists(libm), "no " + libm + " on this machine");
        String why = failsFor(libm.toString()).getMessage();
        assertTrue(why.contains(libm.toString()), why);
        assertTrue(why.contains("the file is not libthimble (it does not export thimble_abi_version)"), why);
    }

    /**
     * Compiles a stand-in library with the system C compiler (the build itself needs one for
     * libthimble, so a missing compiler is a broken environment and fails the test).
     */
    private Path compile(String name, String source) throws Exception {
        Path c = Files.writeString(dir.resolve(name + ".c"), source);
        Path so = dir.resolve(name + ".so");
        Process p = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", so.toString(), c.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "cc failed: " + output);
        return so;
    }

    @Test
    void anotherAbiVersionIsRefusedWithBothVersions() throws Exception {
        Path so = compile("abi2", "int thimble_abi_version(void) { return 2; }\n");
        String why = failsFor(so.toString()).getMessage();
        assertTrue(why.contains(so.toString()), why);
        assertTrue(why.contains("has ABI version 2 but these bindings need ABI 1"), why);
    }

    @Test
    void aPartialLibraryListsTheMissingFunctions() throws Exception {
        Path so = compile("partial", "int thimble_abi_version(void) { return 1; }\n"
                + "int thimble_cpu_tier(void) { return 0; }\n");
        String why = failsFor(so.toString()).getMessage();
        int total = Downcalls.Fn.values().length;
        assertTrue(why.contains(so.toString()), why);
        assertTrue(why.contains("lacks " + (total - 2) + " of " + total + " functions"), why);
        assertTrue(why.contains("thimble_f32_spmm_csr") && !why.contains("thimble_cpu_tier"), why);
    }

    @Test
    void platformsAreLinuxX8664AndArm64Only() {
        assertEquals("linux-x86_64", NativeLibrary.platform("Linux", "amd64"));
        assertEquals("linux-x86_64", NativeLibrary.platform("Linux", "x86_64"));
        assertEquals("linux-arm64", NativeLibrary.platform("Linux", "aarch64"));
        for (List<String> other : List.of(List.of("Mac OS X", "aarch64"), List.of("Windows 11", "amd64"),
                List.of("Linux", "riscv64"))) {
            String why = assertThrows(UnsupportedOperationException.class,
                    () -> NativeLibrary.platform(other.get(0), other.get(1))).getMessage();
            assertTrue(why.contains("os.name=" + other.get(0)) && why.contains("os.arch=" + other.get(1)), why);
            assertTrue(why.contains("linux-x86_64 and linux-arm64"), why);
        }
    }

    @Test
    void theBuiltLibraryLoadsFromAnExplicitPath() throws Exception {
        NativeLibrary lib = NativeLibrary.load(builtLibrary());
        assertEquals(NativeLibrary.EXPECTED_ABI_VERSION, lib.abiVersion());
        assertTrue(List.of("scalar", "neon", "avx2", "avx512").contains(lib.tierName(lib.cpuTier())),
                lib.tierName(lib.cpuTier()));
        assertEquals(0, lib.tierNumber("scalar"));
        assertEquals(3, lib.tierNumber("AVX512"));
        assertEquals(-1, lib.tierNumber("sse2"));
    }

    @Test
    void theSystemLibraryComesFromTheClassPathInPlace() throws Exception {
        assumeTrue(System.getProperty(NativeLibrary.PATH_PROPERTY) == null, "overridden by -Dthimble.native.library");
        NativeLibrary lib = NativeLibrary.system();
        assertEquals(builtLibrary(), lib.path());
        assertTrue(lib.origin().startsWith("class path resource /native/"), lib.origin());
    }

    @Test
    void aLibraryInsideAJarIsExtractedToATemporaryFile() throws Exception {
        Path jar = dir.resolve("thimble-native.jar");
        String entry = "native/test-platform/libthimble.so";
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os)) {
            out.putNextEntry(new JarEntry(entry));
            Files.copy(builtLibrary(), out);
            out.closeEntry();
        }
        URL url = URI.create("jar:" + jar.toUri() + "!/" + entry).toURL();
        NativeLibrary lib = NativeLibrary.fromResource(url, "/" + entry);
        assertNotEquals(jar, lib.path());
        assertTrue(lib.path().getFileName().toString().startsWith("libthimble-"), lib.path().toString());
        assertTrue(lib.origin().startsWith("extracted from jar:"), lib.origin());
        assertEquals(NativeLibrary.EXPECTED_ABI_VERSION, lib.abiVersion());
    }

    @Test
    void aMissingJarEntryCannotBeExtracted() throws Exception {
        Path jar = dir.resolve("empty.jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os)) {
            out.putNextEntry(new JarEntry("README"));
            out.closeEntry();
        }
        URL url = URI.create("jar:" + jar.toUri() + "!/native/x/libthimble.so").toURL();
        String why = assertThrows(UnsupportedOperationException.class,
                () -> NativeLibrary.fromResource(url, "/native/x/libthimble.so")).getMessage();
        assertTrue(why.contains("cannot extract libthimble from " + url), why);
    }
}
