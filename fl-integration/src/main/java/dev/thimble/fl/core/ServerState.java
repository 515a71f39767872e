package dev.thimble.fl.core;

import dev.thimble.fl.data.Batches;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.SoftmaxCrossEntropy;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;

/**
 * The server's side of a run: the global model (flat parameters of an inference network built
 * in the server's arena), the test set, and the arena strategies allocate their own state from.
 *
 * <p>The global weights are the parameters of the network that evaluates them, so server-side
 * evaluation copies nothing.
 */
public final class ServerState implements AutoCloseable {
    private final Model model;
    private final TensorArena arena;
    private final KernelContext kernels;
    private final Dataset test;
    private final Network network;
    private final DenseF32 batch;
    private final int[] labels;

    private ServerState(Model model, TensorArena arena, KernelContext kernels, Dataset test, int evalBatch,
            long initSeed) {
        this.model = model;
        this.arena = arena;
        this.kernels = kernels;
        this.test = test;
        int b = test == null || test.size() == 0 ? 1 : Math.min(evalBatch, test.size());
        this.network = Network.build(model, arena, b, false, kernels);
        this.batch = arena.dense(Batches.shape(b, model.inputShape()));
        this.labels = new int[b];
        network.parameters().initialize(initSeed);
    }

    /**
     * Builds the global model in {@code arena} and initialises it from {@code initSeed}.
     *
     * @param test the server's test set, or null for none
     * @param evalBatch samples per evaluation batch
     */
    public static ServerState create(Model model, TensorArena arena, KernelContext kernels, Dataset test,
            int evalBatch, long initSeed) {
        return new ServerState(model, arena, kernels, test, evalBatch, initSeed);
    }

    /** The architecture. */
    public Model model() {
        return model;
    }

    /** The global model's flat parameters; strategies aggregate into it. */
    public DenseF32 global() {
        return network.parameters().values();
    }

    /** The server's arena, for strategy state (e.g. masks, momentum). */
    public TensorArena arena() {
        return arena;
    }

    /** The kernels the server computes on. */
    public KernelContext kernels() {
        return kernels;
    }

    /** Accuracy and mean loss of the global model on the test set ({@link Evaluation#NONE} without one). */
    public Evaluation evaluateGlobal() {
        if (test == null || test.size() == 0) {
            return Evaluation.NONE;
        }
        int n = test.size();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        double lossSum = 0;
        long correct = 0;
        int b = batch.dim(0);
        for (int from = 0; from < n; from += b) {
            int count = Math.min(b, n - from);
            test.fillBatch(all, from, count, batch, labels);
            DenseF32 logits = network.forward(count == b ? batch : batch.slice(0, count));
            lossSum += SoftmaxCrossEntropy.loss(logits, labels) * count;
            correct += SoftmaxCrossEntropy.correct(logits, labels);
        }
        return new Evaluation((double) correct / n, lossSum / n, n);
    }

    /** Frees the global model and the evaluation buffers. */
    @Override
    public void close() {
        batch.close();
        network.close();
    }

    /** {@code [b, shape...]}. */
}
