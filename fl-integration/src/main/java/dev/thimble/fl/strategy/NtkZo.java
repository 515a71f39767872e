package dev.thimble.fl.strategy;

import dev.thimble.fl.core.ClientFailure;
import dev.thimble.fl.core.ClientResult;
import dev.thimble.fl.core.Evaluation;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.core.Strategy;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.optim.Adam;
import dev.thimble.fl.pruning.DensitySchedule;
import dev.thimble.fl.pruning.IterativePruner;
import dev.thimble.fl.pruning.ParamMasks;
import dev.thimble.fl.zo.ZoEstimator;
import dev.thimble.fl.zo.ZoReply;
import dev.thimble.fl.zo.ZoRequest;
import dev.thimble.ops.NoiseOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Federated foresight pruning with the NTK, then zeroth-order (back-propagation-free) training of
 * the sparse model: Zhang, Liu, Zhou, Du, Wei, Wang and Chen, "When Foresight Pruning Meets
 * Zeroth-Order Optimization: Efficient Federated Learning for Low-Memory Devices",
 * arXiv:2405.04765 (J. Systems Architecture 168, 2025), as reconstructed in methods.md §2.5 from
 * its building blocks NTK-SAP (Wang et al., ICLR 2023), BAFFLE (Feng et al., 2023, FedSGD with
 * Stein's identity), the MeZO seed trick (Malladi et al., NeurIPS 2023) and FedZO (Fang et al.,
 * IEEE TSP 2022). The client side is {@link NtkZoClientTrainer}; messages are in {@link NtkZoWire}.
 *
 * <p><b>Phase A, rounds 1..T_p (NTK pruning).</b> Round τ sends each sampled client the round's
 * seed and the current mask (bits); each client scores NTK-SAP's saliency ∂S/∂m on Gaussian
 * inputs with its own draws (seed mixed with its id; no client data is touched) and uploads it at
 * the active prunable positions. The server combines the scores ({@link NtkZoSettings#combination},
 * default Σ_k p_k G_k with p_k = 1/M: the federated NTK trace is the sum of the local traces;
 * the data-free scores carry no sample counts) and keeps the
 * {@link DensitySchedule#kept} best of the d prunable weights at {@code ρ_τ = ρ^(τ/T_p)}
 * ({@link IterativePruner#step}: one global top-k among the active weights, so masks only shrink).
 * After round T_p the global model is {@code w_0 ⊙ m}, the original initialisation. RANDOM and
 * MAGNITUDE prune on the server at round 1 (no communication) to the same density; NONE trains
 * densely (vanilla BAFFLE). Whether the paper's clients score by back-propagation or BP-free is
 * UNCONFIRMED (methods.md §2.5); the default is back-propagation ({@link NtkZoSettings.Scorer#BP},
 * NTK-SAP's code) because the BP-free estimate needs K of the order of the active dimension to rank
 * weights better than chance, which costs far more forwards than the pruning phase is worth;
 * {@link NtkZoSettings.Scorer#ZO} is the option.
 *
 * <p><b>Phase B, the rounds after (SEED variant, default).</b> One BAFFLE FedSGD step per round:
 * the server draws K seeds and sends them with the weights at the active positions (and the mask);
 * each client evaluates {@code ΔL_k = L(w + σ z_k⊙m) − L(w)} on one minibatch with forward passes
 * only and uploads the K floats; the server forms {@code ΔL_k = Σ_c p_c ΔL_{c,k}} (p_c by
 * examples), rebuilds {@code ĝ = (1/(Kσ)) Σ_k ΔL_k z_k⊙m} from the seeds, clips it to
 * ‖ĝ‖∞ ≤ 0.3 and takes an Adam step (β = (0.9, 0.99), L2 weight decay, learning rate from the
 * training configuration, BAFFLE: 1e-2) restricted to the mask. With an EMA decay the
 * evaluated model is the EMA of the weights (BAFFLE's {@code --ema}); what is sent stays the live
 * weights. <b>FEDZO variant:</b> the server sends the weights; each client runs H local ZO-SGD
 * steps ({@code w ← w − η ĝ}, ĝ FedZO's sphere estimator over the active coordinates with K
 * directions, its own seeds) and uploads its change at the active positions; the server adds the
 * example-weighted mean change. Either way pruned weights stay exactly zero: perturbations,
 * estimates and updates are masked.
 *
 * <p>State: the mask, the Adam moments, the EMA and the round's download live in this strategy's
 * own arena, opened at round 1 of a run and freed by {@link #close()} (the loop does not close strategies; a new run
 * frees the previous run's state).
 */
public final class NtkZo implements Strategy, AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final float ADAM_BETA1 = 0.9f;
    private static final float ADAM_BETA2 = 0.99f;
    private static final float ADAM_EPS = 1e-8f;

    private final String name;
    private final TrainConfig config;
    private final NtkZoSettings settings;
    private final ZoEstimator estimator;
    private TensorArena own;
    private BitMask mask; // null: dense (no pruning, or before pruning)
    private BitMask prunable;
    private Network optimNet; // the server's parameters + ĝ for Adam (maxBatch 1, never run)
    private Adam adam;
    private DenseF32 ema;
    private ZoRequest request;
    private Payload download;
    private final List<Long> keptHistory = new ArrayList<>();

    /**
     * @param name the registered name
     * @param config learning rate (server Adam for SEED, local ZO-SGD for FEDZO) and batch size
     * @param settings phase A and phase B settings
     */
    public NtkZo(String name, TrainConfig config, NtkZoSettings settings) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.estimator = settings.estimator();
    }

    @Override
    public String name() {
        return name;
    }

    /** The settings. */
    public NtkZoSettings settings() {
        return settings;
    }

    @Override
    public synchronized List<FitInstructions> configureFit(int round, ServerState state, int[] sampledClients) {
        closeDownload();
        if (round == 1) {
            start(state);
        }
        int tp = settings.pruningRounds();
        if (round <= tp) {
            download = NtkZoWire.pruneRequest(own, round, roundSeed(round), mask);
        } else {
            if (round == tp + 1) {
                beginTraining(state);
            }
            if (settings.variant() == NtkZoSettings.Variant.SEED) {
                request = drawRequest(round);
                download = NtkZoWire.seedRequest(own, request, mask, state.global());
            } else {
                download = NtkZoWire.fedZoRequest(own, mask, state.global());
            }
        }
        List<FitInstructions> out = new ArrayList<>(sampledClients.length);
        for (int id : sampledClients) {
            out.add(new FitInstructions(id, download, config));
        }
        return out;
    }

    @Override
    public synchronized void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures,
            ServerState state) {
        int tp = settings.pruningRounds();
        if (round <= tp) {
            pruneStep(round, results, state);
            if (round == tp) {
                VectorOps.applyMask(state.kernels(), state.global(), mask); // w_0 ⊙ m
            }
        } else if (settings.variant() == NtkZoSettings.Variant.SEED) {
            seedStep(results, state);
        } else {
            fedZoStep(results, state);
        }
        closeDownload();
    }

    @Override
    public synchronized Evaluation evaluate(int round, ServerState state) {
        closeDownload(); // also when every client failed and aggregateFit was skipped
        if (ema == null || round <= settings.pruningRounds()) {
            return state.evaluateGlobal();
        }
        DenseF32 global = state.global();
        optimNet.parameters().values().copyFrom(global);
        global.copyFrom(ema);
        try {
            return state.evaluateGlobal();
        } finally {
            global.copyFrom(optimNet.parameters().values());
        }
    }

    /**
     * After each round, the prunable weights the mask keeps (the total prunable count when there
     * is no mask), for tests and reports.
     */
    public synchronized List<Long> keptHistory() {
        return List.copyOf(keptHistory);
    }

    /** A copy of the current mask as booleans over every parameter, or null when the model is dense. */
    public synchronized boolean[] mask() {
        return mask == null ? null : mask.toArray();
    }

    /** The seed-trick request of the last training round (null before training or for FEDZO). */
    public synchronized ZoRequest lastRequest() {
        return request;
    }

    /** Frees the strategy's state (mask, Adam moments, EMA). */
    @Override
    public synchronized void close() {
        closeDownload();
        if (adam != null) {
            adam.close();
            adam = null;
        }
        for (AutoCloseable c : new AutoCloseable[] {optimNet, ema, mask, prunable}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        optimNet = null;
        ema = null;
        mask = null;
        prunable = null;
        if (own != null) {
            own.close();
            own = null;
        }
    }

    /** A new run: fresh state; RANDOM and MAGNITUDE prune now, on the server. */
    private void start(ServerState state) {
        close();
        keptHistory.clear();
        request = null;
        own = TensorArena.open(name + "-server");
        prunable = ParamMasks.prunable(optimParams(state), own);
        long d = prunable.cardinality();
        switch (settings.pruning()) {
            case NTK -> mask = own.mask(Math.toIntExact(prunable.size())).fill(true);
            case NONE -> mask = null;
            case RANDOM, MAGNITUDE -> {
                try (DenseF32 scores = own.dense(Math.toIntExact(prunable.size()));
                        BitMask dense = own.mask(Math.toIntExact(prunable.size())).fill(true)) {
                    if (settings.pruning() == NtkZoSettings.Pruning.RANDOM) {
                        NoiseOps.fillNoise(state.kernels(), scores, null, 1f, roundSeed(0), 0, 0, Noise.UNIFORM);
                    } else {
                        scores.copyFrom(state.global());
                    }
                    mask = IterativePruner.step(state.kernels(), own, scores, dense, prunable,
                            DensitySchedule.kept(d, settings.density()));
                }
                VectorOps.applyMask(state.kernels(), state.global(), mask);
                keptHistory.add(keptPrunable());
            }
            default -> throw new IllegalStateException("unknown pruning " + settings.pruning());
        }
    }

    /** The parameter layout (a network of the server's model built once for Adam). */
    private dev.thimble.fl.nn.Parameters optimParams(ServerState state) {
        if (optimNet == null) {
            optimNet = Network.build(state.model(), own, 1, true, state.kernels());
        }
        return optimNet.parameters();
    }

    private void beginTraining(ServerState state) {
        if (mask != null) { // w_0 ⊙ m again, in case every client of the last pruning round failed
            VectorOps.applyMask(state.kernels(), state.global(), mask);
        }
        if (settings.variant() == NtkZoSettings.Variant.SEED) {
            adam = new Adam(optimNet.parameters(), own, (float) config.learningRate(), ADAM_BETA1, ADAM_BETA2, ADAM_EPS,
                    settings.weightDecay());
            adam.setMask(mask);
            if (settings.emaDecay() > 0) {
                ema = own.copyOf(state.global());
            }
        }
    }

    /** Combines the uploaded saliencies and prunes to ρ^(τ/T_p). */
    private void pruneStep(int round, List<ClientResult> results, ServerState state) {
        int d = Math.toIntExact(mask.size());
        long prunableCount = prunable.cardinality();
        List<DenseF32> local = new ArrayList<>(results.size());
        double[] weights = new double[results.size()];
        try (BitMask active = ParamMasks.and(mask, prunable, own);
                DenseF32 combined = own.dense(d)) {
            for (ClientResult r : results) {
                DenseF32 g = own.dense(d);
                local.add(g);
                NtkZoWire.Reader reader = new NtkZoWire.Reader(r.fit().payload());
                if (reader.words() != active.cardinality()) {
                    throw new IllegalStateException(name + ": client " + r.clientId() + " sent " + reader.words()
                            + " scores for " + active.cardinality() + " active prunable weights");
                }
                reader.getValues(g, active);
            }
            java.util.Arrays.fill(weights, 1.0 / results.size());
            settings.combination().combine(local, weights, combined);
            double rho = DensitySchedule.density(settings.density(), round - 1, settings.pruneRounds());
            BitMask next = IterativePruner.step(state.kernels(), own, combined, mask, prunable,
                    DensitySchedule.kept(prunableCount, rho));
            mask.close();
            mask = next;
        } finally {
            for (DenseF32 g : local) {
                g.close();
            }
        }
        keptHistory.add(keptPrunable());
    }

    /** BAFFLE's server step: combine the K differences, rebuild ĝ from the seeds, clip, Adam, EMA. */
    private void seedStep(List<ClientResult> results, ServerState state) {
        List<ZoReply> replies = new ArrayList<>(results.size());
        double[] p = new double[results.size()];
        long n = 0;
        for (ClientResult r : results) {
            n += r.fit().numExamples();
        }
        for (int i = 0; i < results.size(); i++) {
            ClientResult r = results.get(i);
            float[] diffs = NtkZoWire.readSeedReply(r.fit().payload());
            if (diffs.length != request.k()) {
                throw new IllegalStateException(name + ": client " + r.clientId() + " sent " + diffs.length
                        + " differences for " + request.k() + " seeds");
            }
            replies.add(new ZoReply(diffs));
            p[i] = n == 0 ? 1.0 / results.size() : (double) r.fit().numExamples() / n;
        }
        ZoReply combined = ZoReply.weightedSum(replies, p);
        for (int k = 0; k < combined.k(); k++) {
            if (!Float.isFinite(combined.difference(k))) {
                throw new IllegalStateException(name + ": the loss differences are not finite (training diverged);"
                        + " lower --lr or --zo-sigma");
            }
        }
        DenseF32 w = optimNet.parameters().values();
        w.copyFrom(state.global());
        estimator.reconstruct(state.kernels(), request, combined, mask, optimNet.parameters().grads());
        adam.step();
        state.global().copyFrom(w);
        if (ema != null) { // ema ← decay·ema + (1 − decay)·w
            VectorOps.scale(state.kernels(), (float) settings.emaDecay(), ema);
            VectorOps.axpy(state.kernels(), (float) (1 - settings.emaDecay()), w, ema);
        }
    }

    /** FedAvg of the clients' weight changes at the active positions. */
    private void fedZoStep(List<ClientResult> results, ServerState state) {
        long n = 0;
        for (ClientResult r : results) {
            n += r.fit().numExamples();
        }
        DenseF32 global = state.global();
        int d = Math.toIntExact(global.size());
        double[] acc = new double[d];
        try (DenseF32 delta = own.dense(d)) {
            for (ClientResult r : results) {
                NtkZoWire.Reader reader = new NtkZoWire.Reader(r.fit().payload());
                long expected = mask == null ? d : mask.cardinality();
                if (reader.words() != expected) {
                    throw new IllegalStateException(name + ": client " + r.clientId() + " sent " + reader.words()
                            + " values for " + expected + " active weights");
                }
                delta.fill(0f);
                reader.getValues(delta, mask);
                double pc = n == 0 ? 1.0 / results.size() : (double) r.fit().numExamples() / n;
                MemorySegment s = delta.segment();
                for (int i = 0; i < d; i++) {
                    acc[i] += pc * s.getAtIndex(F, i);
                }
            }
        }
        MemorySegment g = global.segment();
        for (int i = 0; i < d; i++) {
            g.setAtIndex(F, i, (float) (g.getAtIndex(F, i) + acc[i]));
        }
    }

    private long keptPrunable() {
        if (mask == null) {
            return prunable.cardinality();
        }
        try (BitMask kept = ParamMasks.and(mask, prunable, own)) {
            return kept.cardinality();
        }
    }

    /** K seeds for a training round, from the run seed and the round. */
    private ZoRequest drawRequest(int round) {
        SplittableRandom rng = new SplittableRandom(roundSeed(round));
        long[] seeds = new long[settings.directions()];
        for (int k = 0; k < seeds.length; k++) {
            seeds[k] = rng.nextLong();
        }
        return new ZoRequest(seeds, ZoRequest.PARAMETERS);
    }

    private long roundSeed(int round) {
        return new SplittableRandom(settings.seed() ^ 0x4E54_4B5A_4F00_0000L).split().nextLong() + 0x9E3779B97F4A7C15L
                * round;
    }

    private void closeDownload() {
        if (download != null) {
            download.close();
            download = null;
        }
    }
}
