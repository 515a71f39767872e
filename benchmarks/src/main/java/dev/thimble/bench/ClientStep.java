package dev.thimble.bench;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.SoftmaxCrossEntropy;
import dev.thimble.fl.optim.Sgd;
import dev.thimble.fl.zo.Objective;
import dev.thimble.fl.zo.ZoEstimator;
import dev.thimble.fl.zo.ZoReply;
import dev.thimble.fl.zo.ZoRequest;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;

/**
 * One client step of LeNet-5 on a batch of 64, with everything the step needs allocated from one
 * {@link TensorArena}, whose {@link TensorArena#peakBytes()} is then the step's peak tensor memory
 * (target M1). Two kinds:
 *
 * <ul>
 *   <li>{@link #backprop}: dense back-propagation — a network built for training (parameters,
 *       gradients, every layer's output kept for the backward pass, two gradient buffers), the
 *       batch, plain SGD (no momentum buffer: the smallest BP client);</li>
 *   <li>{@link #zerothOrder}: a 90 %-pruned model trained by MeZO/SPSA (central differences, K
 *       seeded directions, restricted to the mask): an inference network (parameters plus two
 *       ping-pong activation buffers), the mask, the batch, the perturbations' exception lists; the
 *       update {@code w −= lr·Σ c_k z_k ⊙ m} is regenerated from the seeds into w in place, so no
 *       gradient buffer exists. {@code microBatch < 64} runs the 64 samples in chunks through a
 *       network built for {@code microBatch}: the same loss, smaller activation buffers.</li>
 * </ul>
 *
 * <p>{@code main} prints the peaks as one JSON object for the performance report.
 */
public final class ClientStep implements AutoCloseable {
    static final int BATCH = 64;
    private static final int K = 2;

    private final TensorArena arena;
    private final KernelContext ctx;
    private final Network net;
    private final DenseF32 x;
    private final int[] labels = new int[BATCH];
    private final Sgd sgd;
    private final BitMask mask;
    private final int microBatch;
    private final ZoEstimator estimator = ZoEstimator.spsa(ZoEstimator.MEZO_EPSILON);
    private final SplittableRandom seeds = new SplittableRandom(5);

    private ClientStep(boolean zo, int microBatch, String provider) {
        this.microBatch = microBatch;
        arena = TensorArena.open(zo ? "client-zo" : "client-bp");
        ctx = KernelContext.builder().provider(provider).threads(1).build();
        x = arena.dense(BATCH, 1, 28, 28);
        LeNetInputs.fill(LeNetInputs.data(), 0, x, labels);
        net = Network.build(Models.lenet5(10), arena, zo ? microBatch : BATCH, !zo, ctx);
        net.parameters().initialize(42);
        if (zo) {
            mask = LeNetInputs.prune(net.parameters(), 0.9, arena);
            sgd = null;
        } else {
            mask = null;
            sgd = new Sgd(net.parameters(), arena, 0.05f, 0f, 0f);
        }
    }

    /** A dense back-propagation client. */
    public static ClientStep backprop(String provider) {
        return new ClientStep(false, BATCH, provider);
    }

    /** A zeroth-order client of a 90 %-pruned model, forwards in chunks of {@code microBatch}. */
    public static ClientStep zerothOrder(int microBatch, String provider) {
        if (BATCH % microBatch != 0) {
            throw new IllegalArgumentException("micro-batch must divide " + BATCH + ", got " + microBatch);
        }
        return new ClientStep(true, microBatch, provider);
    }

    /** One training step on the batch; returns the loss (BP) or the mean loss difference (ZO). */
    public double step() {
        if (sgd != null) {
            DenseF32 logits = net.forward(x);
            double loss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, net.outputGradient(BATCH));
            net.parameters().zeroGrads();
            net.backward();
            sgd.step();
            return loss;
        }
        DenseF32 w = net.parameters().values();
        ZoRequest request = ZoRequest.draw(seeds, K);
        Objective loss = params -> {
            double sum = 0;
            for (int s = 0; s < BATCH; s += microBatch) {
                DenseF32 chunk = x.view((long) s * 784, microBatch, 1, 28, 28);
                int[] y = java.util.Arrays.copyOfRange(labels, s, s + microBatch);
                sum += SoftmaxCrossEntropy.loss(net.forward(chunk), y) * microBatch;
            }
            return sum / BATCH;
        };
        ZoReply reply = estimator.respond(ctx, arena, loss, w, mask, request);
        double factor = estimator.factor(K, mask.cardinality());
        double[] c = new double[K];
        double mean = 0;
        for (int k = 0; k < K; k++) {
            c[k] = -1e-3 * factor * reply.difference(k);
            mean += reply.difference(k) / K;
        }
        ZoEstimator.accumulate(ctx, w, mask, request, c, estimator.noise());
        return mean;
    }

    /** Peak bytes of the arena so far (build plus every step run). */
    public long peakBytes() {
        return arena.peakBytes();
    }

    /** Pruned weights must still be exactly zero after a step (the update is restricted to the mask). */
    void checkMaskRespected() {
        if (mask == null) {
            return;
        }
        DenseF32 w = net.parameters().values();
        for (long i = 0; i < w.size(); i++) {
            if (!mask.get(i) && w.get(i) != 0f) {
                throw new IllegalStateException("ZO step changed pruned parameter " + i + " to " + w.get(i));
            }
        }
    }

    @Override
    public void close() {
        if (sgd != null) {
            sgd.close();
        }
        net.close();
        ctx.close();
        arena.close();
    }

    /** Peak tensor bytes of one step of each client, as JSON on stdout (read by the report). */
    public static void main(String[] args) {
        StringBuilder json = new StringBuilder("{");
        try (ClientStep bp = backprop("openblas")) {
            bp.step();
            json.append("\"bp\":").append(bp.peakBytes());
        }
        for (int micro : new int[] {64, 8, 1}) {
            try (ClientStep zo = zerothOrder(micro, "openblas")) {
                zo.step();
                zo.checkMaskRespected();
                json.append(",\"zo").append(micro).append("\":").append(zo.peakBytes());
            }
        }
        System.out.println(json.append('}'));
    }
}
