package dev.thimble.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Owns and accounts for the off-heap memory of every tensor it allocates.
 *
 * <p>Each tensor gets its own shared {@link Arena}, so closing a tensor returns its memory at
 * once and {@link #currentBytes()} is what a device would really hold; closing the arena frees
 * whatever is still alive. The arena tracks current and peak bytes, can enforce a byte limit (to
 * emulate a device with N MiB: an allocation past it throws {@link MemoryLimitExceededException})
 * and, with leak checking on, fails {@link #close()} with the list of tensors nobody closed.
 *
 * <p>Leak checking defaults to the system property {@code thimble.arena.leakCheck}; set
 * {@code thimble.arena.recordSites=true} to add the allocating stack frame to each leak report.
 * Allocation and release are thread-safe; a tensor's memory may be used from any thread.
 */
public final class TensorArena implements AutoCloseable {
    /** Alignment of every allocation: one cache line, and a full AVX-512 vector. */
    static final long ALIGNMENT = 64;

    private final String name;
    private final long limitBytes;
    private final boolean leakCheck;
    private final boolean recordSites;
    private final Set<Allocation> live = new LinkedHashSet<>();
    private long currentBytes;
    private long peakBytes;
    private long totalAllocations;
    private boolean closed;

    private TensorArena(Builder b) {
        this.name = b.name;
        this.limitBytes = b.limitBytes;
        this.leakCheck = b.leakCheck;
        this.recordSites = b.recordSites;
    }

    /** Opens an arena with no limit and the default leak checking. */
    public static TensorArena open() {
        return builder().build();
    }

    /** Opens a named arena (the name appears in every error and leak report). */
    public static TensorArena open(String name) {
        return builder().name(name).build();
    }

    /** Starts configuring an arena. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link TensorArena}. */
    public static final class Builder {
        private String name = "arena";
        private long limitBytes = Long.MAX_VALUE;
        private boolean leakCheck = Boolean.getBoolean("thimble.arena.leakCheck");
        private boolean recordSites = Boolean.getBoolean("thimble.arena.recordSites");

        private Builder() {
        }

        /** Names the arena in messages. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Caps the bytes alive at once; allocations past it throw. */
        public Builder limitBytes(long limitBytes) {
            if (limitBytes <= 0) {
                throw new IllegalArgumentException("arena limit must be positive, got " + limitBytes);
            }
            this.limitBytes = limitBytes;
            return this;
        }

        /** Caps the memory at a number of mebibytes, like a device. */
        public Builder limitMiB(double mib) {
            return limitBytes((long) (mib * 1024 * 1024));
        }

        /** Makes {@link TensorArena#close()} throw when tensors are still alive. */
        public Builder leakCheck(boolean on) {
            this.leakCheck = on;
            return this;
        }

        /** Records where each tensor was allocated, for leak reports (costs a stack walk). */
        public Builder recordSites(boolean on) {
            this.recordSites = on;
            return this;
        }

        /** Opens the arena. */
        public TensorArena build() {
            return new TensorArena(this);
        }
    }

    // ------------------------------------------------------------------ factories

    /** Allocates a zero-filled dense tensor of the given shape (rank 1 to 4). */
    public DenseF32 dense(int... shape) {
        Shapes.check(shape);
        long n = Shapes.size(shape);
        Allocation a = allocate("dense" + Shapes.toString(shape), n * Float.BYTES);
        return new DenseF32(a.segments[0], shape.clone(), a);
    }

    /** Allocates a dense tensor holding a copy of {@code data}, whose length must match the shape. */
    public DenseF32 dense(float[] data, int... shape) {
        Shapes.check(shape);
        if (data.length != Shapes.size(shape)) {
            throw new IllegalArgumentException("data has " + data.length + " elements but shape "
                    + Shapes.toString(shape) + " needs " + Shapes.size(shape));
        }
        DenseF32 t = dense(shape);
        t.copyFrom(data);
        return t;
    }

    /** Allocates a dense tensor with the shape of {@code like} and a copy of its values. */
    public DenseF32 copyOf(DenseF32 like) {
        DenseF32 t = dense(like.shape());
        MemorySegment.copy(like.checkAlive().segment(), 0, t.segment(), 0, t.byteSize());
        return t;
    }

    /**
     * Allocates a CSR matrix with room for {@code nnz} entries and an all-zero structure, for code
     * that fills the structure itself; call {@link CsrF32#checkStructure()} when done.
     */
    public CsrF32 csr(int rows, int cols, int nnz) {
        CsrF32.checkDims(rows, cols, nnz);
        Allocation a = allocate("csr[" + rows + "x" + cols + ", nnz=" + nnz + "]",
                (long) (rows + 1) * Integer.BYTES, (long) nnz * Integer.BYTES, (long) nnz * Float.BYTES);
        return new CsrF32(rows, cols, nnz, a.segments[0], a.segments[1], a.segments[2], a);
    }

    /**
     * Copies an untrusted CSR matrix after checking every invariant.
     *
     * @throws InvalidStructureException naming the row, position, expected and actual value
     */
    public CsrF32 csr(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        CsrF32.validate(rows, cols, rowPtr, colIdx, values);
        CsrF32 m = csr(rows, cols, colIdx.length);
        MemorySegment.copy(rowPtr, 0, m.rowPtrSegment(), ValueLayout.JAVA_INT, 0, rowPtr.length);
        MemorySegment.copy(colIdx, 0, m.colIdxSegment(), ValueLayout.JAVA_INT, 0, colIdx.length);
        MemorySegment.copy(values, 0, m.valuesSegment(), ValueLayout.JAVA_FLOAT, 0, values.length);
        return m;
    }

    /** Allocates a CSR matrix with the structure of {@code pattern} and zero values. */
    public CsrF32 csrLike(CsrF32 pattern) {
        pattern.checkAlive();
        CsrF32 m = csr(pattern.rows(), pattern.cols(), pattern.nnz());
        MemorySegment.copy(pattern.rowPtrSegment(), 0, m.rowPtrSegment(), 0, pattern.rowPtrSegment().byteSize());
        MemorySegment.copy(pattern.colIdxSegment(), 0, m.colIdxSegment(), 0, pattern.colIdxSegment().byteSize());
        return m;
    }

    /**
     * Allocates a BSR matrix with square blocks of {@code blockSize} (4, 8 or 16), room for
     * {@code nnzBlocks} blocks and an all-zero structure; call {@link BsrF32#checkStructure()} when filled.
     */
    public BsrF32 bsr(int rows, int cols, int blockSize, int nnzBlocks) {
        BsrF32.checkDims(rows, cols, blockSize, nnzBlocks);
        int blockRows = BsrF32.ceilDiv(rows, blockSize);
        Allocation a = allocate("bsr" + blockSize + "[" + rows + "x" + cols + ", blocks=" + nnzBlocks + "]",
                (long) (blockRows + 1) * Integer.BYTES, (long) nnzBlocks * Integer.BYTES,
                (long) nnzBlocks * blockSize * blockSize * Float.BYTES);
        return new BsrF32(rows, cols, blockSize, nnzBlocks, a.segments[0], a.segments[1], a.segments[2], a);
    }

    /**
     * Copies an untrusted BSR matrix after checking every invariant; {@code values} holds each
     * block's {@code blockSize²} values row-major, blocks in storage order.
     */
    public BsrF32 bsr(int rows, int cols, int blockSize, int[] blockRowPtr, int[] blockColIdx, float[] values) {
        BsrF32.validate(rows, cols, blockSize, blockRowPtr, blockColIdx, values);
        BsrF32 m = bsr(rows, cols, blockSize, blockColIdx.length);
        MemorySegment.copy(blockRowPtr, 0, m.blockRowPtrSegment(), ValueLayout.JAVA_INT, 0, blockRowPtr.length);
        MemorySegment.copy(blockColIdx, 0, m.blockColIdxSegment(), ValueLayout.JAVA_INT, 0, blockColIdx.length);
        MemorySegment.copy(values, 0, m.valuesSegment(), ValueLayout.JAVA_FLOAT, 0, values.length);
        return m;
    }

    /** Allocates an all-false bit mask of the given shape (rank 1 to 4). */
    public BitMask mask(int... shape) {
        Shapes.check(shape);
        long n = Shapes.size(shape);
        long words = (n + 63) >>> 6;
        Allocation a = allocate("mask" + Shapes.toString(shape), Math.max(1, words) * Long.BYTES);
        return new BitMask(a.segments[0], 0, shape.clone(), a);
    }

    // ------------------------------------------------------------------ accounting

    /** The arena's name. */
    public String name() {
        return name;
    }

    /** Bytes held by tensors alive now. */
    public synchronized long currentBytes() {
        return currentBytes;
    }

    /** The most bytes alive at once since the arena opened or {@link #resetPeak()}. */
    public synchronized long peakBytes() {
        return peakBytes;
    }

    /** Restarts peak tracking from the current use. */
    public synchronized void resetPeak() {
        peakBytes = currentBytes;
    }

    /** The byte limit, or {@link Long#MAX_VALUE} when there is none. */
    public long limitBytes() {
        return limitBytes;
    }

    /** Number of tensors alive now. */
    public synchronized int liveTensors() {
        return live.size();
    }

    /** Number of allocations made since the arena opened. */
    public synchronized long totalAllocations() {
        return totalAllocations;
    }

    /** True once {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Frees every tensor still alive. With leak checking on, then throws an
     * {@link IllegalStateException} listing them (their memory is freed all the same).
     */
    @Override
    public void close() {
        List<Allocation> leaked;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            leaked = new ArrayList<>(live);
            live.clear();
            currentBytes = 0;
        }
        for (Allocation a : leaked) {
            a.release();
        }
        if (leakCheck && !leaked.isEmpty()) {
            long bytes = leaked.stream().mapToLong(a -> a.bytes).sum();
            throw new IllegalStateException("tensor arena '" + name + "' closed with " + leaked.size()
                    + " live tensor(s), " + Bytes.format(bytes) + " leaked (peak " + Bytes.format(peakBytes) + "): "
                    + leaked.stream().map(Allocation::describe).collect(Collectors.joining("; ")));
        }
    }

    @Override
    public synchronized String toString() {
        return "TensorArena[" + name + ", current=" + Bytes.format(currentBytes) + ", peak=" + Bytes.format(peakBytes)
                + (limitBytes == Long.MAX_VALUE ? "" : ", limit=" + Bytes.format(limitBytes))
                + ", live=" + live.size() + (closed ? ", closed" : "") + "]";
    }

    private Allocation allocate(String what, long... byteSizes) {
        long total = 0;
        for (long s : byteSizes) {
            total += alignUp(Math.max(s, 1));
        }
        String site = recordSites ? callerSite() : null;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("tensor arena '" + name + "' is closed; cannot allocate " + what);
            }
            if (total > limitBytes - currentBytes) {
                throw new MemoryLimitExceededException(name, what, limitBytes, total, currentBytes);
            }
            currentBytes += total;
            peakBytes = Math.max(peakBytes, currentBytes);
            totalAllocations++;
        }
        Arena arena = Arena.ofShared();
        MemorySegment[] segs = new MemorySegment[byteSizes.length];
        try {
            for (int i = 0; i < byteSizes.length; i++) {
                // allocate() zero-fills, so fresh tensors and structures start at zero
                segs[i] = arena.allocate(byteSizes[i], ALIGNMENT);
            }
        } catch (OutOfMemoryError | RuntimeException e) {
            arena.close();
            synchronized (this) {
                currentBytes -= total;
            }
            throw e;
        }
        Allocation a = new Allocation(this, arena, segs, total, what, site);
        synchronized (this) {
            live.add(a);
        }
        return a;
    }

    synchronized void release(Allocation a) {
        if (live.remove(a)) {
            currentBytes -= a.bytes;
        }
    }

    private static long alignUp(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The first frame outside Thimble's own allocation paths: where the user asked for the tensor. */
    private static String callerSite() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> !isLibraryFrame(f.getDeclaringClass()))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber())
                .orElse("?"));
    }

    private static boolean isLibraryFrame(Class<?> c) {
        String pkg = c.getPackageName();
        return c == TensorArena.class || Tensor.class.isAssignableFrom(c) || pkg.equals("dev.thimble.ops")
                || pkg.startsWith("dev.thimble.internal") || pkg.equals("dev.thimble.tensor.io");
    }

    /** The memory of one owning tensor: its own arena, segments and bytes. */
    static final class Allocation {
        final TensorArena owner;
        final Arena arena;
        final MemorySegment[] segments;
        final long bytes;
        final String what;
        final String site;
        private boolean released;

        Allocation(TensorArena owner, Arena arena, MemorySegment[] segments, long bytes, String what, String site) {
            this.owner = owner;
            this.arena = arena;
            this.segments = segments;
            this.bytes = bytes;
            this.what = what;
            this.site = site;
        }

        /** Frees the memory; a second call does nothing. */
        void release() {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            owner.release(this);
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }

        boolean isAlive() {
            return arena.scope().isAlive();
        }

        IllegalStateException freed(String tensor) {
            return new IllegalStateException(tensor + " was freed ("
                    + (owner.isClosed() ? "its tensor arena '" + owner.name + "' is closed" : "the tensor was closed")
                    + ")");
        }

        String describe() {
            return what + " " + Bytes.format(bytes) + (site == null ? "" : " allocated at " + site);
        }

        @Override
        public String toString() {
            return describe() + " in '" + owner.name + "'";
        }
    }

}
