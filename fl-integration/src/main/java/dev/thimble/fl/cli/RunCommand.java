package dev.thimble.fl.cli;

import dev.thimble.fl.core.ClientProbe;
import dev.thimble.fl.core.ClientSampler;
import dev.thimble.fl.core.FederatedLoop;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.RoundMetrics;
import dev.thimble.fl.core.RunResult;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.PartitionStats;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.strategy.Methods;
import dev.thimble.fl.strategy.SwatFedAvg;
import dev.thimble.fl.strategy.ZeroFl;
import dev.thimble.fl.strategy.ZeroFlUpload;
import dev.thimble.fl.strategy.NtkZoSettings;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.MemoryLimitExceededException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code thimble run}: a federated training run of a registered method, with per-round metrics,
 * a summary and a plot written to an output folder.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model federatedly and write metrics.csv, summary.json and plot.png.",
                "The defaults run FedAvg on Fashion-MNIST with LeNet-5 in about a minute on two cores."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--method", completionCandidates = MethodNames.class,
            description = "Federated method: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String method = "fedavg";

    @Option(names = "--model", completionCandidates = ModelNames.class,
            description = "Model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String model = "lenet5";

    @Option(names = "--dataset", description = "fashion-mnist or synthetic (default: ${DEFAULT-VALUE}).")
    String dataset = "fashion-mnist";

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder of the Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--clients", description = "Number of clients N (default: ${DEFAULT-VALUE}).")
    int clients = 50;

    @Option(names = "--fraction", description = "Fraction C of clients per round, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double fraction = 0.1;

    @Option(names = "--rounds", description = "Rounds T (default: ${DEFAULT-VALUE}).")
    int rounds = 25;

    @Option(names = "--local-epochs", description = "Local epochs E (default: ${DEFAULT-VALUE}).")
    int localEpochs = 1;

    @Option(names = "--batch-size", description = "Local batch size B (default: ${DEFAULT-VALUE}).")
    int batchSize = 32;

    @Option(names = "--lr", description = "Local learning rate (default: ${DEFAULT-VALUE}).")
    double lr = 0.05;

    @Option(names = "--momentum", description = "Local SGD momentum, in [0, 1) (default: ${DEFAULT-VALUE}).")
    double momentum = 0.9;

    @Option(names = "--partition", description = "iid, dirichlet or shards (default: ${DEFAULT-VALUE}).")
    String partition = "iid";

    @Option(names = "--alpha", description = "Dirichlet concentration for --partition dirichlet (default: ${DEFAULT-VALUE}).")
    double alpha = 0.5;

    @Option(names = "--shards-per-client",
            description = "Classes per client for --partition shards (default: ${DEFAULT-VALUE}).")
    int shardsPerClient = 2;

    @Option(names = "--seed", description = "Seed of the split, sampling, initialisation and training (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--client-memory", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Per-client tensor memory budget, e.g. 64MiB or 0.5GiB (default: no limit).")
    Long clientMemory;

    @Option(names = "--mu", description = "FedProx proximal weight mu (default: ${DEFAULT-VALUE}).")
    double mu = 0.01;

    @Option(names = "--sparsity", description = "FedDIP target sparsity s_T; ZeroFL/SWAT sparsity s (default: ${DEFAULT-VALUE}).")
    double sparsity = 0.9;

    @Option(names = "--init-sparsity", description = "FedDIP initial sparsity s_0 (default: ${DEFAULT-VALUE}).")
    double initSparsity = 0.5;

    @Option(names = "--reconfig-interval", description = "FedDIP pruning interval R in rounds (default: ${DEFAULT-VALUE}).")
    int reconfigInterval = 5;

    @Option(names = "--lambda-max", description = "FedDIP regularisation ceiling lambda_max (default: ${DEFAULT-VALUE}).")
    double lambdaMax = 1e-3;

    @Option(names = "--mask-ratio", description = "ZeroFL mask ratio r: uploads have density (1 - s) + r (default: ${DEFAULT-VALUE}).")
    double maskRatio = 0;

    @Option(names = "--upload", description = "ZeroFL upload: topk-weights, diff-on-topk-weights or topk-weights-diff"
            + " (default: ${DEFAULT-VALUE}).")
    String upload = "topk-weights";

    @Option(names = "--zerofl-mean", description = "ZeroFL FedAvgNZ: zero-fill (unsent entries count as 0) or senders"
            + " (mean over the clients that sent an entry) (default: ${DEFAULT-VALUE}).")
    String zeroflMean = "zero-fill";

    @Option(names = "--topk-period", description = "ZeroFL/SWAT: batches between top-k threshold refreshes (default: ${DEFAULT-VALUE}).")
    int topkPeriod = 10;

    @Option(names = "--swat-in-place", description = "ZeroFL/SWAT: zero the dropped weights in place at each forward"
            + " (the third-party re-implementation's variant).")
    boolean swatInPlace;

    @Option(names = "--final-lr", description = "ZeroFL/SWAT: last round's learning rate eta_T of eta_0·(eta_T/eta_0)^(t/T)"
            + " (default: lr/10).")
    Double finalLr;

    @Option(names = "--pruning", description = "ntk-zo: ntk (federated data-free NTK-SAP), random, magnitude or none"
            + " (dense ZO) (default: ${DEFAULT-VALUE}).")
    String pruning = "ntk";

    @Option(names = "--density", description = "ntk-zo: fraction of prunable weights kept, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double density = NtkZoSettings.DEFAULT_DENSITY;

    @Option(names = "--prune-rounds", description = "ntk-zo: federated NTK pruning rounds T_p before training; they count"
            + " in --rounds (default: ${DEFAULT-VALUE}).")
    int pruneRounds = NtkZoSettings.DEFAULT_PRUNE_ROUNDS;

    @Option(names = "--prune-batch", description = "ntk-zo: Gaussian samples per client NTK score (default: ${DEFAULT-VALUE}).")
    int pruneBatch = NtkZoSettings.DEFAULT_PRUNE_BATCH;

    @Option(names = "--ntk-scorer", description = "ntk-zo: clients score by bp (back-propagation) or zo (forward only)"
            + " (default: ${DEFAULT-VALUE}).")
    String ntkScorer = "bp";

    @Option(names = "--zo-variant", description = "ntk-zo: seed (BAFFLE FedSGD, K seeds down, K floats up, server Adam)"
            + " or fedzo (local ZO-SGD, sparse deltas up) (default: ${DEFAULT-VALUE}).")
    String zoVariant = "seed";

    @Option(names = "--zo-k", description = "ntk-zo: perturbations K per step (default: ${DEFAULT-VALUE}).")
    int zoK = NtkZoSettings.DEFAULT_DIRECTIONS;

    @Option(names = "--zo-sigma", description = "ntk-zo: perturbation scale sigma (default: ${DEFAULT-VALUE}).")
    double zoSigma = 1e-4;

    @Option(names = "--local-steps", description = "ntk-zo fedzo: local ZO-SGD steps H per round (default: ${DEFAULT-VALUE}).")
    int localSteps = 1;

    @Option(names = "--zo-chunk", description = "ntk-zo: samples per forward chunk of a ZO client (its activation"
            + " memory) (default: ${DEFAULT-VALUE}).")
    int zoChunk = NtkZoSettings.DEFAULT_CHUNK;

    @Option(names = "--ema", description = "ntk-zo seed: EMA decay of the evaluated weights, 0 = off (default: ${DEFAULT-VALUE}).")
    double ema = 0;

    @Option(names = "--budgets", split = ",", paramLabel = "F",
            description = "FeDepth/HeteroFL: budget fractions of the full model's training memory, one per client group"
                    + " (default: 1/6,1/3,1/2,1).")
    List<String> budgets;

    @Option(names = "--fedepth-split", description = "FeDepth block decomposition: measured or table (default: ${DEFAULT-VALUE}).")
    String fedepthSplit = "measured";

    @Option(names = "--fedepth-mutual", description = "FeDepth: clients whose budget holds two full models also train a"
            + " private auxiliary model by deep mutual learning (surplus memory, e.g. --budgets 1/3,1/2,1,2).")
    boolean fedepthMutual;

    @Option(names = "--fedepth-multihead", description = "FeDepth: m-FeDepth's per-stage heads (each stage trains its"
            + " own head; the server averages each head over the clients that trained it).")
    boolean fedepthMultiHead;

    @Option(names = "--widths", split = ",", paramLabel = "W",
            description = "HeteroFL: width multiplier per budget group (default: 0.165,0.33,0.5,1).")
    List<Double> widths;

    @Option(names = "--test-samples", paramLabel = "N",
            description = "Evaluate on the first N test samples only, to save time on slow models (default: all).")
    Integer testSamples;

    @Option(names = "--threads", description = "Clients trained at once (default: the number of cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<method>-<model>-<timestamp>).")
    Path out;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        validate();
        PrintWriter stdout = spec.commandLine().getOut();
        TrainConfig train = new TrainConfig(localEpochs, batchSize, lr, momentum);
        Method m = Methods.create(method.toLowerCase(Locale.ROOT), train, methodOptions());
        DataChoice.Split data = DataChoice.load(dataset, dataDir, seed);
        Model net = ModelChoice.create(model, data.train().sampleShape(), data.train().numClasses());
        List<Dataset> parts = new ArrayList<>();
        List<int[]> split = DataChoice.partitioner(partition, alpha, shardsPerClient, Math.min(batchSize, 10))
                .split(data.train(), clients, seed);
        for (int[] p : split) {
            parts.add(data.train().subset(p));
        }
        PartitionStats stats = PartitionStats.of(split, data.train());
        if (stats.minSize() == 0) {
            throw new IllegalArgumentException("--partition " + partition + " left a client without data; use fewer"
                    + " --clients or another partition");
        }
        if (clientMemory != null) {
            checkBudget(m, net, data.train());
        }
        Path dir = out != null ? out : Path.of("runs", m.name() + "-" + model + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);

        int perRound = ClientSampler.count(clients, fraction);
        stdout.printf(Locale.ROOT, "%s on %s: %s (%,d parameters), %d clients (%s; sizes %d–%d), %d per round,"
                + " %d rounds, E=%d, B=%d, lr=%s%s%n", m.name(), data.train().name(), net.name(),
                net.parameterCount(), clients, partition, stats.minSize(), stats.maxSize(), perRound, rounds,
                localEpochs, batchSize, lr, clientMemory == null ? "" : ", client budget " + ByteSize.format(clientMemory));
        stdout.flush();

        Dataset test = testSamples == null ? data.test()
                : data.test().subset(DataChoice.range(0, Math.min(testSamples, data.test().size())));
        KernelContext.global(); // the kernel choice is logged now, not over the progress bar
        RunResult result;
        try (ProgressBar bar = progressBar(m.name())) {
            result = FederatedLoop.builder().model(net).method(m).clients(parts).testData(test)
                    .rounds(rounds).fraction(fraction).seed(seed).threads(threads)
                    .clientMemoryBytes(clientMemory == null ? 0 : clientMemory)
                    .onRound(r -> {
                        if (bar != null) {
                            bar.setExtraMessage(String.format(Locale.ROOT, " acc %.2f%%", 100 * r.accuracy()));
                            bar.step();
                        }
                    })
                    .build().run();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        RunOutputs.writeCsv(dir.resolve("metrics.csv"), result.rounds());
        RunOutputs.writeSummary(dir.resolve("summary.json"), configuration(m, net, stats), result.rounds(), wall);
        RunOutputs.writePlot(dir.resolve("plot.png"), m.name() + " / " + net.name(), result.rounds());
        printSummary(stdout, result.rounds(), dir, wall);
        return 0;
    }

    /** The named numbers method factories read. */
    /** Every method-specific option as the registry's named numbers (enums by ordinal); each factory reads its own. */
    private Map<String, Double> methodOptions() {
        Map<String, Double> o = new LinkedHashMap<>(Map.of("mu", mu, "rounds", (double) rounds, "sparsity", sparsity,
                "init_sparsity", initSparsity, "reconfig_interval", (double) reconfigInterval, "lambda_max", lambdaMax,
                "clients", (double) clients, "client_memory", clientMemory == null ? 0.0 : (double) clientMemory));
        if (budgets != null) {
            o.put("budget_groups", (double) budgets.size());
            for (int g = 0; g < budgets.size(); g++) {
                o.put("budget_" + g, fraction(budgets.get(g)));
            }
        }
        if (widths != null) {
            for (int g = 0; g < widths.size(); g++) {
                o.put("width_" + g, widths.get(g));
            }
        }
        o.put("fedepth_mutual", fedepthMutual ? 1.0 : 0.0);
        o.put("fedepth_multihead", fedepthMultiHead ? 1.0 : 0.0);
        switch (fedepthSplit.toLowerCase(Locale.ROOT)) {
            case "measured" -> o.put("fedepth_split", 0.0);
            case "table" -> o.put("fedepth_split", 1.0);
            default -> throw new IllegalArgumentException("--fedepth-split must be measured or table, got " + fedepthSplit);
        }
        o.put("seed", (double) seed);
        o.putAll(Map.of("mask_ratio", maskRatio, "topk_period", (double) topkPeriod,
                "swat_in_place", swatInPlace ? 1.0 : 0.0,
                "zerofl_upload", (double) ZeroFlUpload.Variant.parse(upload).ordinal(),
                "zerofl_mean", (double) ZeroFl.Mean.parse(zeroflMean).ordinal()));
        if (finalLr != null) {
            o.put("final_lr", finalLr);
        }
        o.putAll(Map.of("pruning", (double) NtkZoSettings.Pruning.parse(pruning).ordinal(),
                "ntk_scorer", (double) NtkZoSettings.Scorer.parse(ntkScorer).ordinal(),
                "zo_variant", (double) NtkZoSettings.Variant.parse(zoVariant).ordinal(), "density", density,
                "prune_rounds", (double) pruneRounds, "zo_k", (double) zoK, "zo_sigma", zoSigma,
                "local_steps", (double) localSteps, "zo_chunk", (double) zoChunk, "ema", ema));
        o.put("prune_batch", (double) pruneBatch);
        return o;
    }

    /** "1/6" or "0.25". */
    private static double fraction(String s) {
        try {
            int slash = s.indexOf('/');
            return slash < 0 ? Double.parseDouble(s.trim())
                    : Double.parseDouble(s.substring(0, slash).trim()) / Double.parseDouble(s.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--budgets: '" + s + "' is not a fraction like 1/6 or 0.25", e);
        }
    }

    private void validate() {
        if (clients < 1 || rounds < 1 || batchSize < 1 || localEpochs < 1) {
            throw new IllegalArgumentException("--clients, --rounds, --batch-size and --local-epochs must be at least 1");
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--fraction must be in (0, 1], got " + fraction);
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("--lr must be positive, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        }
        if (!(mu >= 0) || !Double.isFinite(mu)) {
            throw new IllegalArgumentException("--mu must be >= 0, got " + mu);
        }
        if (testSamples != null && testSamples < 1) {
            throw new IllegalArgumentException("--test-samples must be at least 1, got " + testSamples);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (!Methods.names().contains(method.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown method '" + method + "'; known: "
                    + String.join(", ", Methods.names()));
        }
        if (!ModelChoice.names().contains(model.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown model '" + model + "'; known: "
                    + String.join(", ", ModelChoice.names()));
        }
        DataChoice.partitioner(partition, alpha, shardsPerClient, 0); // validates the name and its parameters
        if (!DataChoice.DATASETS.contains(dataset.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown dataset '" + dataset + "'; known: "
                    + String.join(", ", DataChoice.DATASETS));
        }
    }

    /** Fails up front, with the figure needed, when one client's training step cannot fit the budget. */
    private void checkBudget(Method m, Model net, Dataset train) {
        Dataset oneBatch = train.subset(DataChoice.range(0, Math.min(batchSize, train.size())));
        try {
            ClientProbe.run(m, net, oneBatch, clientMemory);
        } catch (MemoryLimitExceededException e) {
            long needed = ClientProbe.run(m, net, oneBatch, 0).peakBytes();
            throw new IllegalArgumentException("--client-memory " + ByteSize.format(clientMemory) + " is too small: one "
                    + m.name() + " client training " + net.name() + " with batch size " + batchSize + " needs "
                    + ByteSize.format(needed), e);
        }
    }

    private ProgressBar progressBar(String task) {
        if (!Terminal.stderrIsTerminal()) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(rounds).setUnit(" rounds", 1)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(250).showSpeed().build();
    }

    private Map<String, Object> configuration(Method m, Model net, PartitionStats stats) {
        Map<String, Object> c = new LinkedHashMap<>();
        // the command line as typed, so a table row can say exactly what produced it
        c.put("command", "bin/thimble " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
        c.put("method", m.name());
        c.put("model", net.name());
        c.put("parameters", net.parameterCount());
        c.put("forward_flops_per_sample", net.forwardFlops());
        c.put("dataset", dataset);
        c.put("data_dir", dataDir == null ? null : dataDir.toString());
        c.put("clients", clients);
        c.put("fraction", fraction);
        c.put("clients_per_round", ClientSampler.count(clients, fraction));
        c.put("rounds", rounds);
        c.put("local_epochs", localEpochs);
        c.put("batch_size", batchSize);
        c.put("lr", lr);
        c.put("momentum", momentum);
        c.put("partition", partition);
        c.put("alpha", alpha);
        c.put("shards_per_client", shardsPerClient);
        c.put("mu", mu);
        String lower = method.toLowerCase(Locale.ROOT);
        if (lower.startsWith("feddip") || "prune-once".equals(lower)) {
            c.put("sparsity", sparsity);
            c.put("init_sparsity", initSparsity);
            c.put("reconfig_interval", reconfigInterval);
            c.put("lambda_max", lambdaMax);
        }
        if (List.of("zerofl", "swat-fedavg").contains(method.toLowerCase(Locale.ROOT))) {
            c.put("sparsity", sparsity);
            c.put("topk_period", topkPeriod);
            c.put("swat_in_place", swatInPlace);
            c.put("final_lr", finalLr == null ? lr * SwatFedAvg.DEFAULT_FINAL_LR_RATIO : finalLr);
            if (method.equalsIgnoreCase("zerofl")) {
                c.put("mask_ratio", maskRatio);
                c.put("upload", upload);
                c.put("zerofl_mean", zeroflMean);
            }
        }
        if ("ntk-zo".equals(method.toLowerCase(Locale.ROOT))) {
            c.put("pruning", pruning);
            c.put("density", density);
            c.put("prune_rounds", pruneRounds);
            c.put("prune_batch", pruneBatch);
            c.put("ntk_scorer", ntkScorer);
            c.put("zo_variant", zoVariant);
            c.put("zo_k", zoK);
            c.put("zo_sigma", zoSigma);
            c.put("local_steps", localSteps);
            c.put("zo_chunk", zoChunk);
            c.put("ema", ema);
        }
        if (List.of("fedepth", "heterofl").contains(method.toLowerCase(Locale.ROOT))) {
            c.put("budgets", budgets == null ? "1/6,1/3,1/2,1" : String.join(",", budgets));
            c.put("fedepth_split", fedepthSplit);
            c.put("fedepth_mutual", fedepthMutual);
            c.put("fedepth_multihead", fedepthMultiHead);
            c.put("widths", widths == null ? "0.165,0.33,0.5,1" : widths.toString());
        }
        c.put("test_samples", testSamples);
        c.put("seed", seed);
        c.put("client_memory_bytes", clientMemory);
        c.put("threads", threads);
        c.put("client_sizes_min", stats.minSize());
        c.put("client_sizes_max", stats.maxSize());
        return c;
    }

    private static void printSummary(PrintWriter w, List<RoundMetrics> rounds, Path dir, double wall) {
        w.printf(Locale.ROOT, "%6s %9s %8s %10s %11s %11s %12s %11s %6s %8s%n", "round", "accuracy", "loss", "train_loss",
                "uplink", "downlink", "GFLOP", "peak_client", "failed", "seconds");
        int step = Math.max(1, rounds.size() / 10);
        for (Iterator<RoundMetrics> it = rounds.iterator(); it.hasNext();) {
            RoundMetrics m = it.next();
            if (m.round() % step != 0 && m.round() != 1 && it.hasNext()) {
                continue;
            }
            w.printf(Locale.ROOT, "%6d %8.2f%% %8.4f %10.4f %11s %11s %12.2f %11s %6d %8.2f%n", m.round(),
                    100 * m.accuracy(), m.loss(), m.trainLoss(), ByteSize.format(m.uplinkBytes()),
                    ByteSize.format(m.downlinkBytes()), m.flops() / 1e9, ByteSize.format(m.peakClientBytes()),
                    m.failedClients(), m.seconds());
        }
        RoundMetrics last = rounds.getLast();
        w.printf(Locale.ROOT, "final accuracy %.2f%% after %d rounds; uplink %s, downlink %s, %.1f GFLOP; %.1f s;"
                + " wrote %s%n", 100 * last.accuracy(), last.round(),
                ByteSize.format(rounds.stream().mapToLong(RoundMetrics::uplinkBytes).sum()),
                ByteSize.format(rounds.stream().mapToLong(RoundMetrics::downlinkBytes).sum()),
                rounds.stream().mapToLong(RoundMetrics::flops).sum() / 1e9, wall, dir);
        w.flush();
    }

    /** Candidates for {@code --method}, from the registry. */
    static final class MethodNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Methods.names().iterator();
        }
    }

    /** Candidates for {@code --model}. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ModelChoice.names().iterator();
        }
    }
}
