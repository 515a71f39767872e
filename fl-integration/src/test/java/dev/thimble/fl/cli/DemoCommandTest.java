package dev.thimble.fl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = ThimbleCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void demoChecksEveryProviderAgainstTheReference() {
        Run r = run("demo", "--rows", "67", "--cols", "45", "--batch", "9", "--sparsity", "0.8", "--repeat", "1",
                "--warmup-ms", "0");
        assertEquals(0, r.status(), r.out() + r.err());
        for (String kernel : new String[] {"SpMM CSR", "SpMM BSR8", "SDDMM"}) {
            assertTrue(r.out().contains("scalar   " + kernel), r.out());
        }
        assertFalse(r.out().contains("MISMATCH"), r.out());
        assertTrue(r.out().contains("peak tensor memory"), r.out());
    }

    @Test
    void badOptionsGetOneLineAndANonZeroStatus() {
        Run r = run("demo", "--sparsity", "1.5");
        assertEquals(2, r.status());
        assertEquals("thimble: --sparsity must be in [0, 1], got 1.5", r.err().strip());
        Run unknown = run("demo", "--block", "5");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("--block must be 4, 8 or 16"), unknown.err());
    }
}
