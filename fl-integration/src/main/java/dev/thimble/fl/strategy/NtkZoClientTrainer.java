package dev.thimble.fl.strategy;

import dev.thimble.fl.data.Batches;
import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.ClientTrainer;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.pruning.NtkSap;
import dev.thimble.fl.pruning.ParamMasks;
import dev.thimble.fl.pruning.ZoNtkSap;
import dev.thimble.fl.zo.ZoEstimator;
import dev.thimble.fl.zo.ZoReply;
import dev.thimble.fl.zo.ZoRequest;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The client side of {@link NtkZo} (arXiv:2405.04765, methods.md §2.5), answering the three
 * messages of {@link NtkZoWire}:
 *
 * <ul>
 *   <li><b>pruning round</b>: NTK-SAP's saliency at the received mask on Gaussian inputs with this
 *       client's own draws (the round seed mixed with its id), by back-propagation ({@link NtkSap}
 *       on a training network of the prune batch) or forward passes only ({@link ZoNtkSap} on an
 *       inference network); the upload is the saliency at the active prunable positions. No
 *       client data is read.</li>
 *   <li><b>seed-trick step</b>: one minibatch of B samples drawn from the client's seed, the K loss
 *       differences {@code L(w + σ z_k⊙m) − L(w)} ({@link ZoEstimator#respond}, weights perturbed
 *       in place and restored bit for bit): K + 1 forward passes of the batch, upload K floats.</li>
 *   <li><b>FedZO round</b>: H steps of {@code w ← w − η ĝ} with FedZO's sphere estimator (K
 *       directions drawn from the client's seed, fresh minibatch per step), then the change of the
 *       active weights.</li>
 * </ul>
 *
 * <p><b>Memory.</b> Zeroth-order steps build the network for inference only (parameters and two
 * activation buffers, no gradients, no per-layer activations) for chunks of c samples
 * ({@link ChunkedLoss}: only the scalar loss is needed, so the batch is streamed through), with
 * the sparse kernels on the mask ({@link Network#setWeightMasks}); the client holds that network,
 * one input chunk, the mask and the perturbations' exception lists: everything in {@link ClientContext#arena()}, so its peak
 * is the device memory a BP-free client needs. The FedZO client updates its weights in place from
 * the regenerated directions and reads its starting point back from the received message, so it
 * needs no gradient or copy either. FLOPs are counted as forward passes of the sparse model
 * ({@link SparseFlops}); a back-propagated pruning draw counts 3 forwards and 2 backwards of 2
 * forwards each. Stateless and thread-safe.
 */
public final class NtkZoClientTrainer implements ClientTrainer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long CLIENT_SALT = 0xC11E_D7A5_5EED_0001L;

    private final NtkZoSettings settings;
    private final ZoEstimator estimator;

    /** A client that uses the same settings as its {@link NtkZo} server. */
    public NtkZoClientTrainer(NtkZoSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.estimator = settings.estimator();
    }

    @Override
    public FitResult fit(ClientContext ctx, FitInstructions instructions) {
        NtkZoWire.Reader in = new NtkZoWire.Reader(instructions.payload());
        int tag = in.getInt();
        return switch (tag) {
            case NtkZoWire.PRUNE -> score(ctx, in);
            case NtkZoWire.SEED -> seedStep(ctx, in, instructions.config().batchSize());
            case NtkZoWire.FEDZO -> fedZo(ctx, in, instructions.config().batchSize(),
                    (float) instructions.config().learningRate());
            default -> throw new IllegalStateException("ntk-zo client: unknown message tag " + tag);
        };
    }

    /** A pruning round: the local saliency at the active prunable positions. */
    private FitResult score(ClientContext ctx, NtkZoWire.Reader in) {
        in.getInt(); // τ: the schedule is the server's
        long seed = in.getLong() ^ (CLIENT_SALT * (ctx.clientId() + 1L)); // this client's own draws
        Model model = ctx.model();
        TensorArena arena = ctx.arena();
        int d = Math.toIntExact(model.parameterCount());
        int b = settings.pruneBatch();
        boolean bp = settings.scorer() == NtkZoSettings.Scorer.BP;
        try (Network net = Network.build(model, arena, b, bp, ctx.kernels());
                BitMask mask = arena.mask(d);
                DenseF32 scores = arena.dense(d)) {
            in.getMask(mask);
            try (BitMask prunable = ParamMasks.prunable(net.parameters(), arena);
                    BitMask active = ParamMasks.and(mask, prunable, arena)) {
                if (bp) {
                    try (NtkSap sap = new NtkSap(net, ctx.kernels(), arena, b, settings.ntkEpsilon(),
                            settings.ntkDraws())) {
                        sap.gradient(mask, seed, scores);
                    }
                } else {
                    try (ZoNtkSap sap = new ZoNtkSap(net, ctx.kernels(), arena, b, settings.ntkEpsilon(),
                            settings.ntkDraws(), settings.scoreDirections(), ZoNtkSap.defaultEstimator())) {
                        sap.gradient(mask, seed, scores);
                    }
                }
                NtkZoWire.Writer up = new NtkZoWire.Writer(ctx.uplink(), active.cardinality());
                up.putValues(scores, active);
                long perDraw = bp ? 7 : 2 * ZoNtkSap.defaultEstimator().evaluations(settings.scoreDirections());
                long flops = perDraw * settings.ntkDraws() * b * SparseFlops.forward(model, mask);
                return new FitResult(up.done(), 0, Double.NaN, flops);
            }
        }
    }

    /** A seed-trick step: K loss differences on one minibatch. */
    private FitResult seedStep(ClientContext ctx, NtkZoWire.Reader in, int batchSize) {
        int k = in.getInt();
        int tensorId = in.getInt();
        long[] seeds = new long[k];
        for (int i = 0; i < k; i++) {
            seeds[i] = in.getLong();
        }
        ZoRequest request = new ZoRequest(seeds, tensorId);
        boolean masked = in.getInt() != 0;
        Dataset data = ctx.data();
        int b = Math.max(1, Math.min(batchSize, data.size()));
        int c = Math.min(settings.chunk(), b);
        Model model = ctx.model();
        TensorArena arena = ctx.arena();
        int d = Math.toIntExact(model.parameterCount());
        try (Network net = Network.build(model, arena, c, false, ctx.kernels());
                DenseF32 x = arena.dense(Batches.shape(c, model.inputShape()));
                BitMask mask = masked ? arena.mask(d) : null) {
            load(in, net, mask); // closing the network frees the sparse layers' CSR copies too
            ChunkedLoss loss = new ChunkedLoss(net, data, sample(data.size(), b, new SplittableRandom(ctx.seed())),
                    b, x);
            ZoReply reply = estimator.respond(ctx.kernels(), arena, loss, net.parameters().values(), mask, request);
            long flops = estimator.evaluations(k) * b * SparseFlops.forward(model, mask);
            return new FitResult(NtkZoWire.seedReply(ctx.uplink(), reply.differences()), b, loss.firstLoss(), flops);
        }
    }

    /** A FedZO round: H local ZO-SGD steps, then the change of the active weights. */
    private FitResult fedZo(ClientContext ctx, NtkZoWire.Reader in, int batchSize, float lr) {
        boolean masked = in.getInt() != 0;
        int b = Math.max(1, Math.min(batchSize, ctx.data().size()));
        int c = Math.min(settings.chunk(), b);
        Model model = ctx.model();
        TensorArena arena = ctx.arena();
        int d = Math.toIntExact(model.parameterCount());
        try (Network net = Network.build(model, arena, c, false, ctx.kernels());
                DenseF32 x = arena.dense(Batches.shape(c, model.inputShape()));
                BitMask mask = masked ? arena.mask(d) : null) {
            return fedZoSteps(ctx, in, net, x, mask, load(in, net, mask), b, lr); // close frees the CSR copies
        }
    }

    private FitResult fedZoSteps(ClientContext ctx, NtkZoWire.Reader in, Network net, DenseF32 x, BitMask mask,
            long valuesAt, int b, float lr) {
        Dataset data = ctx.data();
        Model model = ctx.model();
        TensorArena arena = ctx.arena();
        int d = Math.toIntExact(model.parameterCount());
        DenseF32 w = net.parameters().values();
        SplittableRandom rng = new SplittableRandom(ctx.seed());
        long active = mask == null ? d : mask.cardinality();
        double lossSum = 0;
        for (int h = 0; h < settings.localSteps(); h++) {
            ChunkedLoss loss = new ChunkedLoss(net, data, sample(data.size(), b, rng), b, x);
            ZoRequest request = ZoRequest.draw(rng, settings.directions());
            ZoReply reply = estimator.respond(ctx.kernels(), arena, loss, w, mask, request);
            lossSum += loss.firstLoss();
            double factor = estimator.factor(request.k(), active);
            double[] c = new double[request.k()];
            for (int i = 0; i < c.length; i++) {
                if (!Float.isFinite(reply.difference(i))) {
                    throw new IllegalStateException("ntk-zo fedzo: client " + ctx.clientId() + " diverged at local step "
                            + (h + 1) + " of round " + ctx.round() + " (non-finite loss); lower --lr");
                }
                c[i] = -lr * factor * reply.difference(i); // w ← w − η ĝ, streamed from the seeds
            }
            ZoEstimator.accumulate(ctx.kernels(), w, mask, request, c, Noise.SPHERE);
        }
        // the change at the active positions: w − w_received, w_received read back from the message
        in.seek(valuesAt);
        NtkZoWire.Writer up = new NtkZoWire.Writer(ctx.uplink(), active);
        MemorySegment ws = w.segment();
        for (long i = 0; i < d; i++) {
            if (mask == null || mask.get(i)) {
                up.putFloat(ws.getAtIndex(F, i) - in.getFloat());
            }
        }
        long flops = settings.localSteps() * estimator.evaluations(settings.directions()) * b
                * SparseFlops.forward(model, mask);
        return new FitResult(up.done(), b * settings.localSteps(), lossSum / settings.localSteps(), flops);
    }

    /**
     * Reads the mask (when sent) and the weights into the network, zero at pruned positions, and
     * switches its Linear and Conv2d layers to the sparse kernels; returns the word offset of the
     * weights in the message.
     */
    private static long load(NtkZoWire.Reader in, Network net, BitMask mask) {
        DenseF32 w = net.parameters().values();
        if (mask != null) {
            in.getMask(mask);
        }
        long at = in.position();
        w.fill(0f);
        in.getValues(w, mask);
        if (in.remaining() != 0) {
            throw new IllegalStateException("ntk-zo client: " + in.remaining() + " words left after the weights");
        }
        if (mask != null) {
            net.setWeightMasks(mask);
        }
        return at;
    }

    /** b distinct indices of [0, n), a partial Fisher–Yates shuffle. */
    static int[] sample(int n, int b, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 0; i < b; i++) {
            int j = i + rng.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
