package dev.thimble.fl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The FL layer uses the public tensor and ops API only: never the provider SPI or internals. */
class PublicApiOnlyTest {

    @Test
    void flSourcesImportNoProviderInternals() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main), "run from the module directory");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(PublicApiOnlyTest::forbiddenLines)
                    .toList();
        }
        assertEquals(List.of(), offenders);
    }

    private static Stream<String> forbiddenLines(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream()
                    .filter(l -> l.contains("dev.thimble.internal") || l.contains("dev.thimble.spi")
                            || l.contains("jdk.incubator.vector"))
                    .map(l -> file + ": " + l.strip());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
