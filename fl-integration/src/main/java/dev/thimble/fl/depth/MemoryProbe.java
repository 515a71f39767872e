package dev.thimble.fl.depth;

import dev.thimble.fl.core.Payload;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;

/**
 * Measures training memory with the engine's own accounting: runs one SGD step of exactly the code
 * a client runs ({@link StageTraining}) on one batch of blank samples in a fresh, unlimited arena
 * and returns the arena's peak. Nothing is estimated, so a plan that fits by this measure fits in
 * the client's arena.
 */
final class MemoryProbe {
    private MemoryProbe() {
    }

    /** Peak bytes of one step of training {@code model} whole at batch {@code batch}. */
    static long whole(Model model, int batch, double momentum, KernelContext kernels) {
        Dataset data = blank(model, batch);
        StageTraining.Hyper h = new StageTraining.Hyper(1, batch, 1e-3, momentum, 0);
        try (TensorArena io = TensorArena.open("probe-io");
                DenseF32 down = io.dense(Math.toIntExact(model.parameterCount()));
                DenseF32 up = io.dense(Math.toIntExact(model.parameterCount()));
                TensorArena arena = TensorArena.open("probe-whole")) {
            StageTraining.whole(model, Payload.dense(down), up, data, h, 1, arena, kernels);
            return arena.peakBytes();
        }
    }

    /** Peak bytes of one step of deep mutual learning of two copies of {@code model} at batch {@code batch}. */
    static long mutual(Model model, int batch, double momentum, KernelContext kernels) {
        Dataset data = blank(model, batch);
        StageTraining.Hyper h = new StageTraining.Hyper(1, batch, 1e-3, momentum, 0);
        int d = Math.toIntExact(model.parameterCount());
        try (TensorArena io = TensorArena.open("probe-io");
                DenseF32 down = io.dense(d);
                DenseF32 up = io.dense(d);
                TensorArena arena = TensorArena.open("probe-mutual")) {
            StageTraining.mutual(model, Payload.dense(down), up, new float[d], 1, data, h, 1, arena, kernels);
            return arena.peakBytes();
        }
    }

    /**
     * Peak bytes of one step of training {@code stage} of a multi-stage plan at batch {@code batch}:
     * the client's copy of the full model (d floats, plus the auxiliary heads in multi-head mode; it
     * holds the model between stages) plus the
     * stage's frozen prefix, trainable network, momentum and input batch.
     */
    static long stage(BlockLayout layout, DepthPlan.Stage stage, int batch, double momentum, KernelContext kernels) {
        Dataset data = blank(layout.model(), batch);
        StageTraining.Hyper h = new StageTraining.Hyper(1, batch, 1e-3, momentum, 0);
        try (TensorArena arena = TensorArena.open("probe-stage");
                DenseF32 full = arena.dense(Math.toIntExact(layout.totalCount()))) {
            StageTraining.stage(layout, stage, full, data, h, 1, arena, kernels);
            return arena.peakBytes();
        }
    }

    /** {@code batch} all-zero samples of class 0. */
    static Dataset blank(Model model, int batch) {
        int[] shape = model.inputShape();
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        int classes = Math.min(256, model.outputShape()[0]);
        return Dataset.of("probe", new byte[batch * size], new byte[batch], classes, shape);
    }
}
