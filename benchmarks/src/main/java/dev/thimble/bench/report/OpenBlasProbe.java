package dev.thimble.bench.report;

import dev.thimble.bindings.openblas.OpenBlasKernels;

/**
 * Prints which OpenBLAS core type this JVM's environment selects ({@code OpenBlasKernels.coreName()})
 * and its build configuration, as two lines; the report runs it once with the cleaned environment of
 * its baseline forks and once with the caller's environment.
 */
public final class OpenBlasProbe {
    private OpenBlasProbe() {
    }

    /** Prints {@code core=<name>} and {@code config=<openblas_get_config()>}. */
    public static void main(String[] args) {
        System.out.println("core=" + OpenBlasKernels.coreName());
        System.out.println("config=" + OpenBlasKernels.config());
    }
}
