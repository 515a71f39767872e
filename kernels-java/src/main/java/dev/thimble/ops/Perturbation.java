package dev.thimble.ops;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A seeded perturbation {@code w ← fl(w + δ)}, {@code δ = scale·z}, that can be undone exactly,
 * from {@link NoiseOps#perturb}. Closing it restores the weights if {@link #restore()} has not run,
 * then frees its memory: {@code try (var p = NoiseOps.perturb(...)) { loss = model.loss(); }}.
 *
 * <p><b>Why not just subtract.</b> Regenerating δ and computing {@code fl(w' − δ)} is not exact:
 * {@code w' = fl(w + δ)} lost the low bits of w whenever {@code |w'|} lies in a higher binade
 * than {@code |w|} (δ pushed w across a power of two, or |w| is small next to |δ|, or w is a
 * subnormal or −0), and rounding ties can go the wrong way; at the top, {@code w + δ} may
 * overflow.
 *
 * <p><b>The exact scheme.</b> The perturbing pass computes, per active entry, {@code w' =
 * fma(scale, z, w)} and the value the restore will compute, {@code fma(−scale, z, w')}; where that
 * is not bit-identical to w (or w is NaN, whose payload need not survive arithmetic) it records
 * (index, original w) in an exception list. Restoring is one regenerate-and-subtract pass followed
 * by writing the recorded originals back. The check costs one FMA and one compare per element in
 * the pass that already has z in registers; no copy of the weights is ever made.
 *
 * <p><b>Memory.</b> 8 bytes per exception (int32 index within a block, float32 value), in blocks
 * allocated from the caller's {@link TensorArena} (so they are accounted and limited like any
 * tensor): the first block holds {@code max(256, n/512)} entries, each further one twice the
 * previous, so what is held is at most about twice what is used. Measured on 2²² weights uniform
 * in ±0.1 ({@code PerturbationTest#exceptionRates}):
 * <ul>
 * <li>Gaussian, ε = 1e-3 (MeZO's default): 1.56 % of the entries are exceptions, 0.125 bytes per
 * parameter used (3 % of the weights' own 4 bytes);
 * <li>Gaussian, σ = 1e-4 (BAFFLE's default): 0.22 %, 0.018 bytes per parameter;
 * <li>Rademacher, ε = 1e-3 / 1e-4: 2.46 % / 0.29 % (every |δ| is ε, none is small).
 * </ul>
 * The rate grows about linearly with the scale: the cause is δ carrying w across a power of two
 * (or dominating a small |w|), which happens for a fraction ≈ |δ|/|w| of the weights per binade.
 *
 * <p>Not thread-safe; the weights must not be changed between perturbing and restoring.
 */
public final class Perturbation implements AutoCloseable {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Largest range one kernel call covers: indices in the list are int32 relative to the call. */
    private static final long MAX_CALL = 1L << 30;
    /** Entries a kernel call needs free to make progress (KernelProvider.perturbNoise). */
    private static final long STEP_ROOM = 128;

    private final KernelContext ctx;
    private final DenseF32 x;
    private final BitMask mask;
    private final float scale;
    private final long seed;
    private final int tensorId;
    private final long offset;
    private final int stream;
    private final List<Block> blocks = new ArrayList<>();
    private boolean restored;
    private boolean closed;

    /** Exceptions of one kernel call: entries {@code [0, count)}, indices relative to {@code base}. */
    private record Block(DenseF32 storage, long base, long count) {
    }

    private Perturbation(KernelContext ctx, DenseF32 x, BitMask mask, float scale, long seed, int tensorId,
            long offset, int stream) {
        this.ctx = ctx;
        this.x = x;
        this.mask = mask;
        this.scale = scale;
        this.seed = seed;
        this.tensorId = tensorId;
        this.offset = offset;
        this.stream = stream;
    }

    static Perturbation apply(KernelContext ctx, TensorArena arena, DenseF32 x, BitMask mask, float scale, long seed,
            int tensorId, long offset, int stream) {
        Perturbation p = new Perturbation(ctx, x, mask, scale, seed, tensorId, offset, stream);
        long n = x.size();
        long capacity = Math.max(256, n / 512);
        long done = 0;
        try {
            while (done < n) {
                long len = Math.min(n - done, MAX_CALL);
                capacity = Math.max(capacity, STEP_ROOM);
                // entries are 8 bytes = 2 floats of storage; the arena accounts for them
                DenseF32 storage = arena.dense(Math.toIntExact(2 * capacity));
                DenseF32 xv = done == 0 && len == n ? x : x.view(done, (int) len);
                BitMask mv = mask == null ? null : done == 0 && len == n ? mask : mask.view(done, (int) len);
                long[] count = {0};
                long did = ctx.kernels().perturbNoise(xv, mv, scale, seed, tensorId, offset + done, stream,
                        storage.segment(), capacity, count);
                if (count[0] == 0) {
                    storage.close();
                } else {
                    p.blocks.add(new Block(storage, done, count[0]));
                }
                done += did;
                if (did < len) {
                    capacity = Math.min(2 * capacity, MAX_CALL);
                }
            }
        } catch (RuntimeException | Error e) {
            // leave the weights as they were: undo what was applied, then free the list
            p.undoPrefix(done);
            p.free();
            throw e;
        }
        return p;
    }

    /** Writes the original bits back: one regenerate-and-subtract pass, then the recorded exceptions. */
    public void restore() {
        if (closed) {
            throw new IllegalStateException("perturbation already closed");
        }
        if (restored) {
            throw new IllegalStateException("perturbation already restored");
        }
        undoPrefix(x.size());
        restored = true;
    }

    private void undoPrefix(long n) {
        if (n == 0) {
            return;
        }
        x.checkAlive();
        DenseF32 xv = n == x.size() ? x : x.view(0, Math.toIntExact(n));
        BitMask mv = mask == null ? null : n == x.size() ? mask : mask.view(0, Math.toIntExact(n));
        ctx.kernels().addNoise(xv, mv, -scale, seed, tensorId, offset, stream);
        MemorySegment xs = x.segment();
        for (Block b : blocks) {
            MemorySegment s = b.storage.segment();
            for (long j = 0; j < b.count; j++) {
                xs.setAtIndex(F, b.base + s.getAtIndex(I, 2 * j), s.getAtIndex(F, 2 * j + 1));
            }
        }
    }

    /** Entries whose original value had to be recorded. */
    public long exceptions() {
        long c = 0;
        for (Block b : blocks) {
            c += b.count;
        }
        return c;
    }

    /** Bytes of arena memory the exception list holds, as the arena accounts them (0 after close). */
    public long exceptionBytes() {
        long c = 0;
        for (Block b : blocks) {
            // the arena rounds every allocation up to its 64-byte alignment
            c += b.storage.isAlive() ? (b.storage.byteSize() + 63) & -64L : 0;
        }
        return c;
    }

    /** The scale the kernels applied ({@code scale / ‖g‖} for a sphere). */
    public float appliedScale() {
        return scale;
    }

    /** True once {@link #restore()} ran. */
    public boolean isRestored() {
        return restored;
    }

    /** Restores the weights unless that already happened, then frees the exception list. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (!restored && x.isAlive()) {
                restore();
            }
        } finally {
            free();
            closed = true;
        }
    }

    private void free() {
        for (Block b : blocks) {
            if (b.storage.isAlive()) {
                b.storage.close();
            }
        }
    }
}
