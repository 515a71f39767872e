package dev.thimble.fl.cli;

import dev.thimble.fl.core.ClientProbe;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.Synthetic;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.strategy.Methods;
import dev.thimble.fl.strategy.NtkZoSettings;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code thimble profile}: the memory of one client's training step for each method and model,
 * what a user checks before deploying to a small board. Arena peak is the tensor memory the
 * client needs (what {@code --client-memory} limits); heap and RSS are the whole JVM's after the
 * step, so they include the JIT, class metadata and the CLI itself.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure one client training step per method and model: tensor arena peak, JVM heap, process RSS.")
final class ProfileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--method", split = ",", description = "Methods to profile, comma-separated (default: all: ${COMPLETION-CANDIDATES}).",
            completionCandidates = RunCommand.MethodNames.class)
    List<String> methods;

    @Option(names = "--model", split = ",", description = "Models to profile, comma-separated (default: all: ${COMPLETION-CANDIDATES}).",
            completionCandidates = RunCommand.ModelNames.class)
    List<String> models;

    @Option(names = "--batch-size", description = "Batch size of the step (default: ${DEFAULT-VALUE}).")
    int batchSize = 32;

    @Option(names = "--momentum", description = "SGD momentum (a buffer of one float per parameter when > 0; default: ${DEFAULT-VALUE}).")
    double momentum = 0.9;

    @Override
    public Integer call() {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        List<String> ms = methods == null ? Methods.names() : methods;
        List<String> mods = models == null ? ModelChoice.names() : models;
        TrainConfig train = new TrainConfig(1, batchSize, 0.01, momentum);
        // Fashion-MNIST-shaped samples; the step's memory does not depend on the pixel values
        Dataset batch = Synthetic.images(batchSize, 1);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-15s %-20s %11s %6s %12s %12s %12s %9s%n", "method", "model", "parameters", "batch",
                "arena_peak", "heap_used", "rss", "step_ms");
        for (String modelName : mods) {
            Model model = ModelChoice.create(modelName, batch.sampleShape(), batch.numClasses());
            for (String methodName : ms) {
                String name = methodName.toLowerCase(Locale.ROOT);
                Method method = Methods.create(name, train, Map.of());
                if (!probe(out, method.name(), method, model, batch)) {
                    continue;
                }
                if (name.equals("ntk-zo")) { // round 1 was a pruning round; this is a zeroth-order training round
                    probe(out, ZO_ROUND, Methods.create(name, train, Map.of("pruning",
                            (double) NtkZoSettings.Pruning.NONE.ordinal())), model, batch);
                }
            }
        }
        out.println("arena_peak: tensor memory of one client (parameters, gradients, activations, batch, optimizer"
                + " state; what --client-memory limits); heap_used, rss: the whole JVM after the step");
        if (ms.stream().anyMatch(m -> m.equalsIgnoreCase("ntk-zo"))) {
            out.println("ntk-zo: its first rounds prune (back-propagated NTK scores on Gaussian inputs); '" + ZO_ROUND
                    + "' is a zeroth-order training round (measured with --pruning none)");
        }
        out.flush();
        return 0;
    }

    private static final String ZO_ROUND = "ntk-zo (zo)";

    /** One row: a client step of {@code method}; false (and a note) when the model does not suit it. */
    private boolean probe(PrintWriter out, String label, Method method, Model model, Dataset batch) {
        ClientProbe.Result r;
        try {
            ClientProbe.run(method, model, batch, 0); // warm-up: class loading and JIT out of the timing
            r = ClientProbe.run(method, model, batch, 0);
        } catch (IllegalArgumentException e) { // a method that needs another architecture (FeDepth: blocks)
            out.printf(Locale.ROOT, "%-15s %-20s not applicable: %s%n", label, model.name(), e.getMessage());
            return false;
        }
        out.printf(Locale.ROOT, "%-15s %-20s %,11d %6d %12s %12s %12s %9.1f%n", label, model.name(),
                model.parameterCount(), batchSize, ByteSize.format(r.peakBytes()),
                ByteSize.format(ProcessMemory.heapUsed()), rss(), r.seconds() * 1e3);
        out.flush();
        return true;
    }

    private static String rss() {
        long rss = ProcessMemory.rss();
        return rss < 0 ? "n/a" : ByteSize.format(rss);
    }
}
