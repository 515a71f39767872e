package dev.thimble.bench;

import java.util.concurrent.TimeUnit;
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
 * Time of one client step for target M1's two clients ({@link ClientStep}): dense
 * back-propagation vs zeroth-order (K = 2 central differences, 4 forwards) on a 90 %-pruned
 * LeNet-5, batch 64. The memory figure itself is deterministic and comes from
 * {@link ClientStep#main}; setup prints it here too, and checks that a ZO step leaves pruned
 * weights at zero.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// As LeNetBench: ms-scale steps, 3 s of warm-up for C2, one fork on 2 shared cores.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ClientStepBench {
    /** {@code bp}, or {@code zo-<micro-batch>}. */
    @Param({"bp", "zo-64", "zo-8"})
    public String client;

    private ClientStep step;

    @Setup(Level.Trial)
    public void setUp() {
        step = client.equals("bp") ? ClientStep.backprop("openblas")
                : ClientStep.zerothOrder(Integer.parseInt(client.substring(3)), "openblas");
        double r = step.step();
        if (!Double.isFinite(r)) {
            throw new IllegalStateException(client + ": step returned " + r);
        }
        step.checkMaskRespected();
        System.out.printf("%n[ClientStepBench] %s: peak tensor memory %,d bytes%n", client, step.peakBytes());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        step.close();
    }

    @Benchmark
    public double run() {
        return step.step();
    }
}
