package dev.thimble.tensor;

/** The lifecycle every tensor shares: which allocation backs it, whether it owns it, closing. */
abstract sealed class AbstractTensor implements Tensor permits DenseF32, CsrF32, BsrF32, BitMask {
    /** The allocation this tensor owns, or (for a view) the one whose memory it shares. */
    final TensorArena.Allocation memory;
    private final boolean view;

    AbstractTensor(TensorArena.Allocation memory, boolean view) {
        this.memory = memory;
        this.view = view;
    }

    @Override
    public final boolean isView() {
        return view;
    }

    @Override
    public final boolean isAlive() {
        return memory.isAlive();
    }

    @Override
    public Tensor checkAlive() {
        if (!memory.isAlive()) {
            throw memory.freed(toString());
        }
        return this;
    }

    @Override
    public final void close() {
        if (view) {
            throw new IllegalStateException(this + " is a view and owns no memory; close the tensor it came from");
        }
        memory.release();
    }
}
