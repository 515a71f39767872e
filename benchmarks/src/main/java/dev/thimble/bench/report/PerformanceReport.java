package dev.thimble.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thimble.fl.nn.Models;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs Thimble's JMH suite and writes {@code PERFORMANCE.md} (plus a speed-up plot) with every
 * ratio against dense OpenBLAS and EJML measured in the same run, effective GFLOP/s against the
 * machine's peak, each format's crossover sparsity, and targets K1–K11 and M1 marked met or
 * missed.
 *
 * <pre>
 * mvn -q package -DskipTests exec:exec@perf-report                       # full run, writes docs/
 * mvn -q package -DskipTests exec:exec@perf-report -Dperf.args=--smoke   # CI: seconds, writes target/
 * </pre>
 *
 * <p><b>OpenBLAS core type.</b> {@code OPENBLAS_CORETYPE} is read by OpenBLAS when the library
 * loads, i.e. in the JMH fork, and JMH forks inherit the environment of the JMH host JVM. So every
 * JMH run here is a child process started through {@link ProcessBuilder} with the variable REMOVED
 * from its environment: the host and all its forks then load OpenBLAS with its own CPU detection
 * (AVX-512 "Cooperlake"/"SkylakeX" kernels on this machine kind), the fastest dense baseline. The
 * caller's shell, the tests and CI keep the variable. One extra run keeps the caller's environment
 * to show what the pinned core type would have given, and {@link OpenBlasProbe} prints which core
 * type each environment selects; both go into the report.
 *
 * <p>{@code --resume} re-reads the JSON of runs that completed in an earlier invocation (in
 * {@code benchmarks/target/perf-jmh}) and measures only the others; the report names them.
 *
 * <p>A JMH run that fails (a benchmark's self-check throws; JMH runs with {@code -foe true}) makes
 * this program exit with status 1 after writing what it has, so CI fails.
 */
public final class PerformanceReport {
    private static final String PKG = "dev.thimble.bench.";
    private static final double PEAK1 = 265;
    private static final double PEAK2 = 528;

    /** One JMH invocation: a benchmark class, its parameters, extra options, and whether to clean the env. */
    record Run(String name, String bench, List<String> params, List<String> options, boolean cleanEnv) {
    }

    /** One measured configuration. */
    record Result(String run, String bench, Map<String, String> params, double seconds, double error) {
    }

    private final boolean smoke;
    private final boolean resume;
    private final Path out;
    private final Path raw;
    private final List<String> resumed = new ArrayList<>();
    private final String java;
    private final String jar;
    private final List<Result> results = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, String> probes = new LinkedHashMap<>();

    private PerformanceReport(boolean smoke, boolean resume, Path out, Path raw, String java, String jar) {
        this.smoke = smoke;
        this.resume = resume;
        this.out = out;
        this.raw = raw;
        this.java = java;
        this.jar = jar;
    }

    /**
     * {@code [--smoke] [--out DIR]}: runs the suite (smoke: tiny shapes, one 100 ms iteration each)
     * and writes DIR/PERFORMANCE.md and DIR/perf-speedup.png (default DIR: {@code docs}, or
     * {@code benchmarks/target/perf-smoke} for a smoke run).
     */
    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        boolean resume = false;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--resume" -> resume = true;
                default -> {
                    System.err.println("usage: PerformanceReport [--smoke] [--out DIR] [--resume]");
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            out = Path.of(smoke ? "benchmarks/target/perf-smoke" : "docs");
        }
        // JMH's JSON and logs: build output, not documentation
        Path raw = Path.of("benchmarks/target", smoke ? "perf-smoke-jmh" : "perf-jmh");
        Files.createDirectories(out);
        Files.createDirectories(raw);
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        PerformanceReport r = new PerformanceReport(smoke, resume, out, raw, java, jarPath());
        Instant start = Instant.now();
        r.runAll();
        r.write(Duration.between(start, Instant.now()));
        if (!r.failures.isEmpty()) {
            System.err.println("perf-report: FAILED runs: " + r.failures + " (logs in " + raw + ")");
            System.exit(1);
        }
        System.out.println("perf-report: wrote " + out.resolve("PERFORMANCE.md") + " in "
                + Duration.between(start, Instant.now()).toSeconds() + " s");
    }

    private static String jarPath() throws URISyntaxException {
        return Path.of(PerformanceReport.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    // ------------------------------------------------------------------------------------------
    // What runs

    private List<Run> runs() {
        List<Run> r = new ArrayList<>();
        if (smoke) {
            // every benchmark class at least once, on shapes that take milliseconds
            r.add(run("gemm", "GemmBench", "provider=openblas", "shape=256x32", "threads=1"));
            r.add(run("spmm", "SpmmBench", "provider=native,panama", "format=csr,bsr8", "shape=256x32",
                    "sparsity=0.9", "threads=1"));
            r.add(run("sddmm", "SddmmBench", "provider=native", "kernel=sddmm,spmm", "shape=256x32"));
            r.add(run("dxst", "DenseSparseTBench", "provider=native", "variant=csr,dense", "shape=32x256x256",
                    "sparsity=0.9"));
            r.add(run("masked", "MaskedGemmBench", "provider=native", "variant=masked,dense", "shape=64x64x64",
                    "density=0.1"));
            r.add(run("topk", "TopKBench", "provider=native", "n=65536", "keep=0.1"));
            r.add(run("perturb", "PerturbBench", "provider=native", "noise=RADEMACHER,GAUSSIAN,UNIFORM", "n=1048576"));
            r.add(run("ejml", "EjmlBench", "variant=sparse,dense", "shape=256x32", "sparsity=0.9"));
            r.add(run("lenet", "LeNetBench",
                    "mode=train-bp,train-sparse90,forward-dense,forward-masked90,forward-sparse90", "batch=8"));
            r.add(run("client", "ClientStepBench", "client=bp,zo-64,zo-8"));
            return r;
        }
        r.add(run("gemm", "GemmBench", "provider=openblas", "shape=1024x64,4096x128", "threads=1,2"));
        r.add(new Run("gemm-env", "GemmBench", List.of("provider=openblas", "shape=1024x64,4096x128", "threads=1"),
                List.of(), false));
        r.add(run("spmm-csr", "SpmmBench", "provider=native", "format=csr", "shape=1024x64,4096x128",
                "sparsity=0.5,0.6,0.7,0.8,0.9,0.95,0.99", "threads=1"));
        r.add(run("spmm-bsr", "SpmmBench", "provider=native", "format=bsr4,bsr8,bsr16", "shape=4096x128",
                "sparsity=0.5,0.8,0.9,0.95,0.99", "threads=1"));
        r.add(run("spmm-panama-csr", "SpmmBench", "provider=panama", "format=csr", "shape=1024x64,4096x128",
                "sparsity=0.9,0.95,0.99", "threads=1"));
        r.add(run("spmm-panama-bsr", "SpmmBench", "provider=panama", "format=bsr8,bsr16", "shape=4096x128",
                "sparsity=0.9", "threads=1"));
        r.add(run("spmm-2t-csr", "SpmmBench", "provider=native", "format=csr", "shape=1024x64,4096x128",
                "sparsity=0.9", "threads=2"));
        r.add(run("spmm-2t-bsr", "SpmmBench", "provider=native", "format=bsr8", "shape=4096x128", "sparsity=0.9",
                "threads=2"));
        r.add(run("sddmm", "SddmmBench", "provider=native,panama", "kernel=sddmm,spmm", "shape=1024x64,4096x128"));
        r.add(run("dxst", "DenseSparseTBench", "provider=native", "variant=csr", "shape=128x4096x4096,64x784x300",
                "sparsity=0.9,0.99"));
        r.add(run("dxst-dense", "DenseSparseTBench", "provider=native", "variant=dense",
                "shape=128x4096x4096,64x784x300", "sparsity=0.9"));
        r.add(run("masked", "MaskedGemmBench", "provider=native", "variant=masked", "density=0.1,0.5"));
        r.add(run("masked-dense", "MaskedGemmBench", "provider=native", "variant=dense", "density=0.1"));
        r.add(run("topk", "TopKBench", "provider=native", "n=1048576,16777216", "keep=0.1,0.01"));
        // a pass is ~15–60 ms: 1 s iterations hold 15+ passes each
        r.add(new Run("perturb", "PerturbBench", List.of("provider=native,panama",
                "noise=RADEMACHER,GAUSSIAN,UNIFORM"), List.of("-wi", "2", "-w", "1s", "-i", "4", "-r", "1s"), true));
        r.add(run("ejml-1024", "EjmlBench", "variant=sparse", "shape=1024x64", "sparsity=0.9,0.95"));
        r.add(run("ejml-4096", "EjmlBench", "variant=sparse", "shape=4096x128", "sparsity=0.9,0.95,0.99"));
        r.add(run("ejml-dense", "EjmlBench", "variant=dense", "shape=1024x64,4096x128", "sparsity=0.9"));
        r.add(run("lenet", "LeNetBench", "mode=train-bp,train-sparse90,forward-dense,forward-masked90,forward-sparse90"));
        r.add(run("client", "ClientStepBench", "client=bp,zo-64,zo-8"));
        return r;
    }

    private static Run run(String name, String bench, String... params) {
        return new Run(name, bench, List.of(params), List.of(), true);
    }

    private List<String> iterationOptions() {
        // Full: 3 × 0.5 s warm-up (C2 has compiled the Java kernels well within that; the native
        // ones only need warm caches) and 5 × 0.5 s measured: ~100 configurations in ~12 minutes.
        return smoke ? List.of("-wi", "1", "-w", "100ms", "-i", "1", "-r", "100ms")
                : List.of("-wi", "3", "-w", "500ms", "-i", "5", "-r", "500ms");
    }

    private void runAll() throws IOException, InterruptedException {
        probes.put("openblas-clean", probe(true, "dev.thimble.bench.report.OpenBlasProbe"));
        probes.put("openblas-env", probe(false, "dev.thimble.bench.report.OpenBlasProbe"));
        probes.put("memory", probe(true, "dev.thimble.bench.ClientStep"));
        probes.put("methods", probe(true, "dev.thimble.bench.MethodMemory"));
        for (Run run : runs()) {
            runJmh(run);
        }
    }

    private List<String> jvmFlags() {
        return List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow");
    }

    private ProcessBuilder process(List<String> cmd, boolean cleanEnv) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (cleanEnv) {
            // read by OpenBLAS at load time in the forks, which inherit this environment
            pb.environment().remove("OPENBLAS_CORETYPE");
        }
        return pb;
    }

    private String probe(boolean cleanEnv, String mainClass) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmFlags());
        cmd.addAll(List.of("-cp", jar, mainClass));
        Path log = raw.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1)
                + (cleanEnv ? "" : "-env") + ".log");
        Process p = process(cmd, cleanEnv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        String text = Files.readString(log);
        if (rc != 0) {
            failures.add(mainClass);
            System.err.println(tail(text));
        }
        return text;
    }

    private void runJmh(Run run) throws IOException, InterruptedException {
        Path json = raw.resolve(run.name() + ".json");
        Path log = raw.resolve(run.name() + ".log");
        if (resume && Files.exists(json)) {
            // finishing an interrupted or partly failed run: keep what was measured, run the rest
            resumed.add(run.name());
            read(run, json);
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmFlags());
        cmd.addAll(List.of("-cp", jar, "org.openjdk.jmh.Main", "^" + (PKG + run.bench()).replace(".", "\\.") + "\\."));
        for (String p : run.params()) {
            cmd.add("-p");
            cmd.add(p);
        }
        // JMH rejects a repeated option, so a run's own iteration settings replace the defaults
        cmd.addAll(run.options().isEmpty() ? iterationOptions() : run.options());
        cmd.addAll(List.of("-f", "1", "-foe", "true", "-rf", "json", "-rff", json.toString()));
        System.out.printf("perf-report: %-16s %s %s%n", run.name(), run.bench(), String.join(" ", run.params()));
        Instant t0 = Instant.now();
        Files.deleteIfExists(json);
        Process p = process(cmd, run.cleanEnv()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        String text = Files.readString(log);
        System.out.printf("perf-report: %-16s %s in %d s%n", run.name(), rc == 0 ? "ok" : "FAILED (exit " + rc + ")",
                Duration.between(t0, Instant.now()).toSeconds());
        if (rc != 0 || !Files.exists(json)) {
            failures.add(run.name());
            System.err.println(tail(text));
            return;
        }
        read(run, json);
    }

    private void read(Run run, Path json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        for (JsonNode r : root) {
            String bench = r.get("benchmark").asText();
            bench = bench.substring(PKG.length(), bench.lastIndexOf('.'));
            Map<String, String> params = new LinkedHashMap<>();
            r.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            JsonNode m = r.get("primaryMetric");
            double unit = unitSeconds(m.get("scoreUnit").asText());
            // the median iteration, as performance.md asks on these shared machines: one iteration
            // that a neighbour's job (or a late compilation) slowed does not move it, as it moves a mean
            JsonNode median = m.path("scorePercentiles").path("50.0");
            double score = median.isNumber() ? median.asDouble() : m.get("score").asDouble();
            results.add(new Result(run.name(), bench, params, score * unit, m.get("scoreError").asDouble() * unit));
        }
    }

    private static double unitSeconds(String unit) {
        return switch (unit) {
            case "s/op" -> 1;
            case "ms/op" -> 1e-3;
            case "us/op" -> 1e-6;
            case "ns/op" -> 1e-9;
            default -> throw new IllegalStateException("unexpected JMH unit " + unit);
        };
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }

    // ------------------------------------------------------------------------------------------
    // Lookups

    /** Seconds per op of the result of {@code run} whose params include every {@code k=v}; NaN if none. */
    double t(String run, String... kv) {
        for (Result r : results) {
            if (!r.run().equals(run)) {
                continue;
            }
            boolean all = true;
            for (String s : kv) {
                String[] p = s.split("=", 2);
                if (!p[1].equals(r.params().get(p[0]))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return r.seconds();
            }
        }
        return Double.NaN;
    }

    private static String sp(double s) {
        return String.valueOf(s).replaceAll("\\.?0+$", "").replaceFirst("^0$", "0.0");
    }

    private static String f(String fmt, double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, fmt, v);
    }

    // ------------------------------------------------------------------------------------------
    // The report

    private void write(Duration took) throws IOException {
        Markdown md = new Markdown(this);
        String text = md.build(took, smoke, probes, failures, resumed);
        Files.writeString(out.resolve("PERFORMANCE.md"), text);
        try {
            SpeedupPlot.write(md.curves(), out.resolve("perf-speedup.png"));
        } catch (RuntimeException | Error e) {
            // a missing display or font must not lose the measurements
            System.err.println("perf-report: plot not written: " + e);
        }
    }

    List<Result> results() {
        return results;
    }

    String memoryProbe() {
        return probes.getOrDefault("memory", "");
    }

    static double lenetForwardFlops() {
        return Models.lenet5(10).forwardFlops();
    }

    static double peak(int threads) {
        return threads == 1 ? PEAK1 : PEAK2;
    }

    static String fmt(String fmt, double v) {
        return f(fmt, v);
    }

    static String sparsityLabel(double s) {
        return sp(s);
    }

    static String today() {
        return DateTimeFormatter.ISO_LOCAL_DATE.format(Instant.now().atOffset(ZoneOffset.UTC));
    }
}
