package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;

/**
 * Scratch buffers shared by the layers of a network built for inference. Layers run one after
 * another and keep nothing between forward passes there, so one set of buffers, each as large as
 * its largest user needs, serves them all: a frozen prefix of k residual blocks then costs the
 * scratch of one block, not k (FeDepth's frozen blocks, methods.md §5.2).
 *
 * <p>Layers {@link #reserve} slots in {@link Layer#build}; the network allocates them once every
 * layer is built ({@link #allocate}) and frees them on close; layers take views in their forward
 * pass ({@link #view}).
 */
public final class InferenceScratch implements AutoCloseable {
    /** The slot of the convolutions' im2col buffer (the residual blocks use the slots below it). */
    public static final int COL_SLOT = 3;
    /** Number of slots a network provides. */
    static final int SLOTS = 4;

    private final long[] sizes;
    private final DenseF32[] buffers;

    /** Room for {@code slots} shared buffers. */
    InferenceScratch(int slots) {
        sizes = new long[slots];
        buffers = new DenseF32[slots];
    }

    /** Asks for at least {@code floats} floats in slot {@code slot} (during build). */
    public void reserve(int slot, long floats) {
        if (buffers[slot] != null) {
            throw new IllegalStateException("inference scratch already allocated");
        }
        sizes[slot] = Math.max(sizes[slot], floats);
    }

    /** Allocates the reserved slots in {@code arena}. */
    void allocate(TensorArena arena) {
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > 0) {
                buffers[i] = arena.dense(Math.toIntExact(sizes[i]));
            }
        }
    }

    /** A view of slot {@code slot} shaped {@code shape} (valid until the next layer uses the slot). */
    public DenseF32 view(int slot, int... shape) {
        return buffers[slot].view(0, shape);
    }

    /** Frees the buffers. */
    @Override
    public void close() {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].close();
                buffers[i] = null;
            }
        }
    }
}
