package dev.thimble.fl.core;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.MemoryLimitExceededException;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one round loop of every federated method. Each round it samples ⌈C·N⌉ clients (seeded),
 * asks the strategy what to send them, trains them in parallel, each in its own arena, hands the
 * results to the strategy in client-id order, evaluates, and records exact {@link RoundMetrics}.
 * It knows no method by name: methods differ only in their {@link Strategy} and
 * {@link ClientTrainer}.
 *
 * <p>Determinism: sampling, initialisation and every client's seed derive from the run seed, and
 * aggregation sees results in id order, so a seed gives the same metrics and weights whatever the
 * thread count. Each client computes on a kernel context with {@code cores / poolThreads}
 * threads, so client threads do not oversubscribe the machine.
 *
 * <p>Budgets: each client's arena is limited to {@link Strategy#clientMemoryBytes} (by default the
 * run's single budget), so methods with per-device budgets need no change here.
 *
 * <p>Failures: a client whose arena exceeds its budget ({@link MemoryLimitExceededException}) is
 * recorded as failed with the arena's message and the round goes on without it; when every
 * sampled client fails the round's aggregation is skipped with a warning. Any other exception is a
 * bug and ends the run.
 */
public final class FederatedLoop {
    private static final Logger LOG = LoggerFactory.getLogger(FederatedLoop.class);

    private final Model model;
    private final Method method;
    private final List<Dataset> clientData;
    private final Dataset test;
    private final int rounds;
    private final double fraction;
    private final long seed;
    private final long clientMemoryBytes;
    private final int threads;
    private final int evalBatch;
    private final Consumer<RoundMetrics> listener;

    private FederatedLoop(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        this.method = Objects.requireNonNull(b.method, "method");
        this.clientData = List.copyOf(Objects.requireNonNull(b.clientData, "clientData"));
        this.test = b.test;
        this.rounds = b.rounds;
        this.fraction = b.fraction;
        this.seed = b.seed;
        this.clientMemoryBytes = b.clientMemoryBytes;
        this.threads = b.threads;
        this.evalBatch = b.evalBatch;
        this.listener = b.listener;
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        ClientSampler.count(clientData.size(), fraction); // validates N and C
        if (threads < 1 || evalBatch < 1) {
            throw new IllegalArgumentException("threads and evaluation batch must be at least 1, got " + threads
                    + " and " + evalBatch);
        }
        if (clientMemoryBytes < 0) {
            throw new IllegalArgumentException("client memory must be positive (or 0 for no limit), got "
                    + clientMemoryBytes);
        }
    }

    /** Starts configuring a loop. */
    public static Builder builder() {
        return new Builder();
    }

    /** Runs every round and returns their metrics and the final global weights. */
    public RunResult run() {
        int perRound = ClientSampler.count(clientData.size(), fraction);
        int poolThreads = Math.min(threads, perRound);
        int kernelThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / poolThreads);
        List<RoundMetrics> metrics = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(poolThreads, r -> {
            Thread t = new Thread(r, "thimble-client");
            t.setDaemon(true);
            return t;
        });
        try (pool;
                KernelContext kernels = KernelContext.builder().threads(kernelThreads).build();
                TensorArena serverArena = TensorArena.open("server");
                ServerState state = ServerState.create(model, serverArena, kernels, test, evalBatch,
                        Seeds.init(seed))) {
            for (int round = 1; round <= rounds; round++) {
                RoundMetrics m = round(round, state, pool, kernels, serverArena);
                metrics.add(m);
                if (listener != null) {
                    listener.accept(m);
                }
            }
            return new RunResult(metrics, state.global().toArray());
        }
    }

    private RoundMetrics round(int round, ServerState state, ExecutorService pool, KernelContext kernels,
            TensorArena serverArena) {
        long t0 = System.nanoTime();
        Strategy strategy = method.strategy();
        int[] sampled = ClientSampler.sample(clientData.size(), fraction, seed, round);
        List<FitInstructions> instructions = strategy.configureFit(round, state, sampled);
        if (instructions.size() != sampled.length) {
            throw new IllegalStateException(strategy.name() + ".configureFit returned " + instructions.size()
                    + " instructions for " + sampled.length + " sampled clients");
        }
        List<Future<Object>> futures = new ArrayList<>();
        for (int i = 0; i < sampled.length; i++) {
            FitInstructions ins = instructions.get(i);
            if (ins.clientId() != sampled[i]) {
                throw new IllegalStateException(strategy.name() + ".configureFit: instruction " + i + " is for client "
                        + ins.clientId() + ", expected " + sampled[i]);
            }
            long limit = strategy.clientMemoryBytes(ins.clientId(), clientData.size(), state, clientMemoryBytes);
            if (limit < 0) {
                throw new IllegalStateException(strategy.name() + ".clientMemoryBytes returned " + limit + " for client "
                        + ins.clientId());
            }
            futures.add(pool.submit(() -> runClient(round, ins, limit, kernels, serverArena)));
        }
        List<ClientResult> results = new ArrayList<>();
        List<ClientFailure> failures = new ArrayList<>();
        for (Future<Object> f : futures) { // id order, whatever order they finished in
            Object outcome = await(f);
            if (outcome instanceof ClientResult r) {
                results.add(r);
            } else {
                failures.add((ClientFailure) outcome);
            }
        }
        try {
            if (results.isEmpty()) {
                LOG.warn("round {} skipped: all {} sampled clients failed; first: client {}: {}", round,
                        failures.size(), failures.getFirst().clientId(), failures.getFirst().message());
            } else {
                for (ClientFailure f : failures) {
                    LOG.debug("round {}: client {} failed: {}", round, f.clientId(), f.message());
                }
                strategy.aggregateFit(round, results, failures, state);
            }
        } finally {
            for (ClientResult r : results) {
                r.fit().payload().close();
            }
            strategy.endRound(round, state);
        }
        Evaluation eval = strategy.evaluate(round, state);
        return metrics(round, eval, results, failures, sampled.length, (System.nanoTime() - t0) / 1e9);
    }

    /** Trains one client in its own arena; returns a {@link ClientResult} or a {@link ClientFailure}. */
    private Object runClient(int round, FitInstructions ins, long limitBytes, KernelContext kernels,
            TensorArena uplink) {
        int id = ins.clientId();
        long down = ins.payload().byteSize();
        TensorArena.Builder ab = TensorArena.builder().name("client-" + id);
        if (limitBytes > 0) {
            ab.limitBytes(limitBytes);
        }
        TensorArena arena = ab.build();
        try (arena) {
            ClientContext ctx = new ClientContext(id, round, Seeds.client(seed, round, id), clientData.get(id), model,
                    arena, uplink, kernels);
            FitResult fit = method.trainer().fit(ctx, ins);
            return new ClientResult(id, fit, arena.peakBytes(), down);
        } catch (MemoryLimitExceededException e) {
            return new ClientFailure(id, e.getMessage(), arena.peakBytes(), down);
        }
    }

    private static Object await(Future<Object> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a client", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static RoundMetrics metrics(int round, Evaluation eval, List<ClientResult> results,
            List<ClientFailure> failures, int sampled, double seconds) {
        long up = 0;
        long down = 0;
        long flops = 0;
        long peak = 0;
        double lossSum = 0;
        long examples = 0;
        for (ClientResult r : results) {
            up += r.fit().payload().byteSize();
            down += r.downlinkBytes();
            flops += r.fit().flops();
            peak = Math.max(peak, r.peakBytes());
            lossSum += r.fit().trainLoss() * r.fit().numExamples();
            examples += r.fit().numExamples();
        }
        for (ClientFailure f : failures) {
            down += f.downlinkBytes();
            peak = Math.max(peak, f.peakBytes());
        }
        double trainLoss = examples == 0 ? Double.NaN : lossSum / examples;
        return new RoundMetrics(round, eval.accuracy(), eval.loss(), trainLoss, up, down, flops, peak, sampled,
                failures.size(), seconds);
    }

    /** Configures a {@link FederatedLoop}. */
    public static final class Builder {
        private Model model;
        private Method method;
        private List<Dataset> clientData;
        private Dataset test;
        private int rounds = 1;
        private double fraction = 1.0;
        private long seed = 42;
        private long clientMemoryBytes;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int evalBatch = 500;
        private Consumer<RoundMetrics> listener;

        private Builder() {
        }

        /** The architecture every client and the server build. */
        public Builder model(Model model) {
            this.model = model;
            return this;
        }

        /** The method: strategy and client trainer. */
        public Builder method(Method method) {
            this.method = method;
            return this;
        }

        /** Each client's local data; client k gets element k. */
        public Builder clients(List<Dataset> clientData) {
            this.clientData = clientData;
            return this;
        }

        /** The server's test set (optional). */
        public Builder testData(Dataset test) {
            this.test = test;
            return this;
        }

        /** Number of rounds T (default 1). */
        public Builder rounds(int rounds) {
            this.rounds = rounds;
            return this;
        }

        /** Fraction C of clients sampled per round, in (0, 1] (default 1). */
        public Builder fraction(double fraction) {
            this.fraction = fraction;
            return this;
        }

        /** The run seed (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Per-client memory budget in bytes, enforced by each client's arena; 0 = none (default). */
        public Builder clientMemoryBytes(long bytes) {
            this.clientMemoryBytes = bytes;
            return this;
        }

        /** Upper bound on clients trained at once (default: the number of cores). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Samples per batch of server-side evaluation (default 500). */
        public Builder evalBatch(int evalBatch) {
            this.evalBatch = evalBatch;
            return this;
        }

        /** Called after every round with its metrics (e.g. a progress bar). */
        public Builder onRound(Consumer<RoundMetrics> listener) {
            this.listener = listener;
            return this;
        }

        /** Checks the configuration and makes the loop. */
        public FederatedLoop build() {
            return new FederatedLoop(this);
        }
    }
}
