package dev.thimble.fl.depth;

import dev.thimble.fl.data.Batches;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.KlDivergence;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.SoftmaxCrossEntropy;
import dev.thimble.fl.optim.Sgd;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;

/**
 * Local SGD on one network, optionally behind a frozen prefix network, with everything allocated
 * from one arena: the code FeDepth's and HeteroFL's clients train with and that memory probes run
 * to measure what training needs, so a measured budget and a real round allocate the same bytes.
 */
final class StageTraining {
    private StageTraining() {
    }

    /**
     * Local hyperparameters.
     *
     * @param epochs E, passes over the data
     * @param batch B
     * @param lr η
     * @param momentum SGD momentum
     * @param weightDecay L2 coefficient
     */
    record Hyper(int epochs, int batch, double lr, double momentum, double weightDecay) {
    }

    /**
     * Totals of a training run.
     *
     * @param lossSum sum of per-sample training losses
     * @param samples samples seen (over all epochs)
     * @param flops floating-point operations
     */
    record Totals(double lossSum, long samples, long flops) {
        Totals plus(Totals o) {
            return new Totals(lossSum + o.lossSum, samples + o.samples, flops + o.flops);
        }
    }

    /**
     * Trains a whole model: loads the download into the network (which then holds the model, so
     * the arena sees parameters, gradients, activations, momentum and one input batch — the
     * "training memory" of a model at batch B), trains, and copies the result into {@code uplink}.
     *
     * @param upload (Output) receives the trained parameters; may live outside {@code arena}
     */
    static Totals whole(Model model, Payload download, DenseF32 upload, Dataset data, Hyper h, long seed,
            TensorArena arena, KernelContext kernels) {
        int b = Math.max(1, Math.min(h.batch(), data.size()));
        try (Network net = Network.build(model, arena, b, true, kernels);
                DenseF32 x = arena.dense(Batches.shape(b, model.inputShape()));
                Sgd sgd = new Sgd(net.parameters(), arena, (float) h.lr(), (float) h.momentum(),
                        (float) h.weightDecay())) {
            if (download.dimension() != net.parameters().count()) {
                throw new IllegalArgumentException(model.name() + " has " + net.parameters().count()
                        + " parameters, the download " + download.dimension());
            }
            download.scatterInto(net.parameters().values());
            Totals t = epochs(null, net, x, sgd, data, h.epochs(), new SplittableRandom(seed));
            upload.copyFrom(net.parameters().values());
            return t;
        }
    }

    /**
     * Trains stage [from, to) of {@code layout}: builds the frozen prefix for inference (no
     * gradients, no stored activations beyond its ping-pong buffers and its blocks' scratch) and
     * the stage network for training, loads both from {@code full}, runs E epochs, and writes only
     * the stage's parameters (its blocks, the stem for the first stage, the head) back to
     * {@code full}. Frozen and skipped blocks are never written.
     */
    static Totals stage(BlockLayout layout, DepthPlan.Stage stage, DenseF32 full, Dataset data, Hyper h, long seed,
            TensorArena arena, KernelContext kernels) {
        int b = Math.max(1, Math.min(h.batch(), data.size()));
        Model stageModel = layout.stage(stage.from(), stage.to());
        try (Network prefix = stage.from() == 0 ? null
                        : Network.build(layout.prefix(stage.from()), arena, b, false, kernels);
                Network net = Network.build(stageModel, arena, b, true, kernels);
                DenseF32 x = arena.dense(Batches.shape(b, layout.model().inputShape()));
                Sgd sgd = new Sgd(net.parameters(), arena, (float) h.lr(), (float) h.momentum(),
                        (float) h.weightDecay())) {
            if (prefix != null) {
                layout.load(full, prefix);
            }
            layout.load(full, net);
            Totals t = epochs(prefix, net, x, sgd, data, h.epochs(), new SplittableRandom(seed));
            layout.store(net, full);
            return t;
        }
    }

    /**
     * Deep mutual learning of the received model with the client's private auxiliary model
     * (FeDepth's surplus-memory regime, {@code learning_light_sufficient.py}): both see each batch,
     * {@code L_g = CE(f_g) + λ·KL(p_a ‖ p_g)} and {@code L_a = CE(f_a) + λ·KL(p_g ‖ p_a)} with the
     * other model's pre-step output as a constant teacher, each model its own SGD.
     *
     * @param aux (Input/Output) the auxiliary model's parameters, kept by the client between rounds
     * @return totals of the global model's cross-entropy (FLOPs of both models)
     */
    static Totals mutual(Model model, Payload download, DenseF32 upload, float[] aux, double lambda, Dataset data,
            Hyper h, long seed, TensorArena arena, KernelContext kernels) {
        int b = Math.max(1, Math.min(h.batch(), data.size()));
        try (Network g = Network.build(model, arena, b, true, kernels);
                Network a = Network.build(model, arena, b, true, kernels);
                DenseF32 x = arena.dense(Batches.shape(b, model.inputShape()));
                Sgd sg = new Sgd(g.parameters(), arena, (float) h.lr(), (float) h.momentum(), (float) h.weightDecay());
                Sgd sa = new Sgd(a.parameters(), arena, (float) h.lr(), (float) h.momentum(),
                        (float) h.weightDecay())) {
            download.scatterInto(g.parameters().values());
            a.parameters().values().copyFrom(aux);
            SplittableRandom rng = new SplittableRandom(seed);
            Batches.Progress p = Batches.epochs(data, h.epochs(), x, rng, (in, labels, count) -> {
                DenseF32 lg = g.forward(in);
                DenseF32 la = a.forward(in);
                g.parameters().zeroGrads();
                a.parameters().zeroGrads();
                double loss = SoftmaxCrossEntropy.lossAndGradient(lg, labels, g.outputGradient(count));
                SoftmaxCrossEntropy.lossAndGradient(la, labels, a.outputGradient(count));
                KlDivergence.addGradient(lg, la, 1, (float) lambda, g.outputGradient(count));
                KlDivergence.addGradient(la, lg, 1, (float) lambda, a.outputGradient(count));
                g.backward();
                a.backward();
                sg.step();
                sa.step();
                return loss * count;
            });
            upload.copyFrom(g.parameters().values());
            float[] trained = a.parameters().values().toArray();
            System.arraycopy(trained, 0, aux, 0, aux.length);
            return new Totals(p.lossSum(), p.samples(), 2 * 3 * g.forwardFlops() * p.samples());
        }
    }

    /** E epochs of minibatch SGD with a reshuffle per epoch; the prefix, if any, runs forward only. */
    private static Totals epochs(Network prefix, Network net, DenseF32 x, Sgd sgd, Dataset data, int epochs,
            SplittableRandom rng) {
        Batches.Progress p = Batches.epochs(data, epochs, x, rng, (in, labels, count) -> {
            double loss = net.crossEntropyBackward(prefix == null ? in : prefix.forward(in), labels, count);
            sgd.step();
            return loss * count;
        });
        long perSample = 3 * net.forwardFlops() + (prefix == null ? 0 : prefix.forwardFlops());
        return new Totals(p.lossSum(), p.samples(), perSample * p.samples());
    }
}
