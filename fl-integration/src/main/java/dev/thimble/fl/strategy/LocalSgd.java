package dev.thimble.fl.strategy;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;

/**
 * Minimal SGD with optional heavy-ball momentum on flat vectors, for local training until the
 * shared optimizer package is available: {@code v ← m·v + g; w ← w − η·v} (PyTorch's form, so a
 * momentum of 0 is exactly {@code w ← w − η·g}). The velocity is allocated from the client's arena
 * and counts against its budget.
 */
final class LocalSgd implements AutoCloseable {
    private final KernelContext kernels;
    private final DenseF32 weights;
    private final DenseF32 grads;
    private final float lr;
    private final float momentum;
    private final DenseF32 velocity;
    private boolean first = true;

    LocalSgd(KernelContext kernels, TensorArena arena, DenseF32 weights, DenseF32 grads, double lr, double momentum) {
        this.kernels = kernels;
        this.weights = weights;
        this.grads = grads;
        this.lr = (float) lr;
        this.momentum = (float) momentum;
        this.velocity = momentum == 0 ? null : arena.dense(Math.toIntExact(weights.size()));
    }

    /** One step from the current gradients. */
    void step() {
        if (velocity == null) {
            VectorOps.axpy(kernels, -lr, grads, weights);
            return;
        }
        if (first) { // PyTorch starts the buffer at the first gradient
            velocity.copyFrom(grads);
            first = false;
        } else {
            VectorOps.scale(kernels, momentum, velocity);
            VectorOps.axpy(kernels, 1f, grads, velocity);
        }
        VectorOps.axpy(kernels, -lr, velocity, weights);
    }

    @Override
    public void close() {
        if (velocity != null) {
            velocity.close();
        }
    }
}
