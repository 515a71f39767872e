package dev.thimble.ops;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.Tensor;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Objects;

/**
 * An inspector–executor plan for {@code C = W·B} with a weight matrix W that is used many times
 * (a layer's weights during a round of training): {@link #create analyse} W and its mask once,
 * store W in the format that runs fastest, then {@link #multiply} as often as needed.
 *
 * <p><b>Choice.</b> The analysis counts the stored entries (the mask's set bits, or W's non-zeros
 * when there is no mask) and, for each BSR block size b ∈ {4, 8, 16}, the b×b tiles that hold any
 * of them. Each format's time is estimated as its stored multiply-adds divided by its measured
 * throughput ({@link Rates}): dense does m·k·n, CSR nnz·n, BSR-b (tiles·b²)·n. The cheapest wins
 * (a sparse format must beat dense by 25 %, the precision of the rates),
 * so CSR beats dense below a density of {@code csr / dense}, and BSR-b beats CSR when its tiles are
 * at least {@code csr / bsr_b} full. {@link Builder#format} overrides the choice.
 *
 * <p>The plan owns its copy of W (in the chosen format) and frees it on {@link #close()}.
 * {@link #refresh} copies new weight values into it without a new analysis (the pattern stays).
 */
public final class SpmmPlan implements AutoCloseable {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int[] BLOCK_SIZES = {4, 8, 16};
    /**
     * A sparse format replaces dense only when it is estimated at least this much faster: the rates
     * are single measurements on a shared machine, good to 15–20 %.
     */
    private static final double MARGIN = 1.25;

    /** The storage formats a plan can run. */
    public enum Format {
        /** Dense W (with masked entries zeroed), run by the provider's GEMM (OpenBLAS when present). */
        DENSE(1),
        /** Compressed sparse rows. */
        CSR(1),
        /** Block sparse rows with 4×4 tiles. */
        BSR4(4),
        /** Block sparse rows with 8×8 tiles. */
        BSR8(8),
        /** Block sparse rows with 16×16 tiles. */
        BSR16(16);

        private final int blockSize;

        Format(int blockSize) {
            this.blockSize = blockSize;
        }

        /** The tile edge of a BSR format, 1 otherwise. */
        public int blockSize() {
            return blockSize;
        }
    }

    /**
     * Throughput of each format in stored multiply-adds per nanosecond (GMAC/s, one thread); the
     * choice only depends on their ratios.
     */
    public record Rates(double dense, double csr, double bsr4, double bsr8, double bsr16) {
        /**
         * From the full run of {@code docs/PERFORMANCE.md} (2026-11-22, AMD Zen 4 VM with AVX-512,
         * 1 thread, 4096×4096 weights, N = 128, 90 % sparsity, native provider; dense: OpenBLAS
         * 0.3.31 Cooperlake kernels): dense 44, CSR 18.6, BSR4 46, BSR8 51, BSR16 54 GMAC/s of
         * stored work. So CSR beats dense below a density of about 0.4, and a BSR format beats CSR
         * once its tiles are about 40 % full.
         */
        public static final Rates MEASURED = new Rates(44, 18.6, 46, 51, 54);

        /** Validates that every rate is positive. */
        public Rates {
            for (double r : new double[] {dense, csr, bsr4, bsr8, bsr16}) {
                if (!(r > 0)) {
                    throw new IllegalArgumentException("plan rates must be positive: " + this);
                }
            }
        }

        double of(Format f) {
            return switch (f) {
                case DENSE -> dense;
                case CSR -> csr;
                case BSR4 -> bsr4;
                case BSR8 -> bsr8;
                case BSR16 -> bsr16;
            };
        }
    }

    /**
     * What the analysis found.
     *
     * @param rows rows of W
     * @param cols columns of W
     * @param nnz stored entries
     * @param tiles non-empty tiles for block sizes 4, 8, 16
     * @param chosen the format the plan runs
     * @param reason one line on why
     */
    public record Analysis(int rows, int cols, long nnz, long[] tiles, Format chosen, String reason) {
        /** Fraction of W that is stored. */
        public double density() {
            long cells = (long) rows * cols;
            return cells == 0 ? 0 : (double) nnz / cells;
        }

        /** Fraction of the entries of the non-empty b×b tiles that are stored (b = 4, 8 or 16). */
        public double blockFill(int blockSize) {
            long t = tiles[index(blockSize)];
            return t == 0 ? 1 : (double) nnz / (t * blockSize * blockSize);
        }

        /** Stored multiply-adds per column of B in a format. */
        long work(Format f) {
            return switch (f) {
                case DENSE -> (long) rows * cols;
                case CSR -> nnz;
                default -> tiles[index(f.blockSize())] * f.blockSize() * f.blockSize();
            };
        }

        private static int index(int blockSize) {
            return switch (blockSize) {
                case 4 -> 0;
                case 8 -> 1;
                case 16 -> 2;
                default -> throw new IllegalArgumentException("block size must be 4, 8 or 16, got " + blockSize);
            };
        }
    }

    private final Analysis analysis;
    private final Tensor stored;

    private SpmmPlan(Analysis analysis, Tensor stored) {
        this.analysis = analysis;
        this.stored = stored;
    }

    /** Starts a plan for weights W (rows×cols) and an optional mask of the entries to keep. */
    public static Builder builder(DenseF32 weights, BitMask mask) {
        return new Builder(weights, mask);
    }

    /** Analyses W and its optional mask and stores W in the fastest format by the measured rates. */
    public static SpmmPlan create(TensorArena arena, DenseF32 weights, BitMask mask) {
        return builder(weights, mask).build(arena);
    }

    /** Configures a {@link SpmmPlan}. */
    public static final class Builder {
        private final DenseF32 weights;
        private final BitMask mask;
        private Rates rates = Rates.MEASURED;
        private Format forced;

        private Builder(DenseF32 weights, BitMask mask) {
            this.weights = Objects.requireNonNull(weights, "weights");
            this.mask = mask;
        }

        /** Uses other throughputs (e.g. measured on another machine) for the choice. */
        public Builder rates(Rates rates) {
            this.rates = Objects.requireNonNull(rates, "rates");
            return this;
        }

        /** Skips the choice: stores W in this format. */
        public Builder format(Format format) {
            this.forced = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Analyses W and stores it, allocating from {@code arena}. */
        public SpmmPlan build(TensorArena arena) {
            String op = "SpMM plan";
            Checks.alive(weights);
            Checks.matrix(op, "W", weights);
            if (mask != null) {
                Checks.alive(mask);
                Checks.sameSize(op, weights, mask);
            }
            Analysis a = analyse(weights, mask, rates, forced);
            return new SpmmPlan(a, store(arena, weights, mask, a.chosen()));
        }
    }

    /** The analysis and the choice it led to. */
    public Analysis analysis() {
        return analysis;
    }

    /** The format W is stored in. */
    public Format format() {
        return analysis.chosen();
    }

    /** {@code C = W·B} on the global context. */
    public DenseF32 multiply(DenseF32 b, DenseF32 c) {
        return multiply(KernelContext.global(), 1f, b, 0f, c);
    }

    /** {@code C = α·W·B + β·C}. */
    public DenseF32 multiply(KernelContext ctx, float alpha, DenseF32 b, float beta, DenseF32 c) {
        return switch (stored) {
            case DenseF32 w -> GemmOps.gemm(ctx, alpha, w, b, beta, c);
            case CsrF32 w -> SpmmOps.csr(ctx, alpha, w, b, beta, c);
            case BsrF32 w -> SpmmOps.bsr(ctx, alpha, w, b, beta, c);
            default -> throw new IllegalStateException("unexpected stored format " + stored);
        };
    }

    /**
     * Copies new values of W into the plan, keeping its pattern: the mask (or the non-zero pattern
     * of the analysed W) must be the same as at creation.
     */
    public void refresh(DenseF32 weights, BitMask mask) {
        String op = "SpMM plan refresh";
        Checks.alive(weights);
        Checks.matrix(op, "W", weights);
        Checks.dims(op, "W rows", analysis.rows(), weights.rows(), weights);
        Checks.dims(op, "W columns", analysis.cols(), weights.cols(), weights);
        if (mask != null) {
            Checks.sameSize(op, weights, mask);
            if (mask.cardinality() != analysis.nnz()) {
                throw new IllegalArgumentException(op + ": the mask has " + mask.cardinality()
                        + " entries but the plan was made for " + analysis.nnz() + "; create a new plan");
            }
        }
        switch (stored) {
            case DenseF32 w -> {
                w.copyFrom(weights);
                if (mask != null) {
                    VectorOps.applyMask(w, mask);
                }
            }
            case CsrF32 w -> gatherCsr(weights, w);
            case BsrF32 w -> gatherBsr(weights, mask, w);
            default -> throw new IllegalStateException("unexpected stored format " + stored);
        }
    }

    /** Bytes the plan's copy of W takes. */
    public long byteSize() {
        return stored.byteSize();
    }

    @Override
    public void close() {
        stored.close();
    }

    @Override
    public String toString() {
        return "SpmmPlan[" + analysis.chosen() + ", " + analysis.reason() + "]";
    }

    // ------------------------------------------------------------------ analysis

    private static Analysis analyse(DenseF32 w, BitMask mask, Rates rates, Format forced) {
        int rows = w.rows();
        int cols = w.cols();
        long nnz = 0;
        long[] tiles = new long[BLOCK_SIZES.length];
        // one pass over the pattern: a block row of 16 rows covers whole block rows of 8 and 4
        boolean[][] seen = new boolean[BLOCK_SIZES.length][];
        for (int s = 0; s < BLOCK_SIZES.length; s++) {
            seen[s] = new boolean[(cols + BLOCK_SIZES[s] - 1) / BLOCK_SIZES[s]];
        }
        MemorySegment values = w.segment();
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < BLOCK_SIZES.length; s++) {
                if (r % BLOCK_SIZES[s] == 0) {
                    java.util.Arrays.fill(seen[s], false);
                }
            }
            long rowBase = (long) r * cols;
            for (int c0 = 0; c0 < cols; c0 += 64) {
                int len = Math.min(64, cols - c0);
                long bits = mask != null ? Bits.read(mask, rowBase + c0, len) : nonZeroBits(values, rowBase + c0, len);
                nnz += Long.bitCount(bits);
                while (bits != 0) {
                    int c = c0 + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    for (int s = 0; s < BLOCK_SIZES.length; s++) {
                        int bc = c / BLOCK_SIZES[s];
                        if (!seen[s][bc]) {
                            seen[s][bc] = true;
                            tiles[s]++;
                        }
                    }
                }
            }
        }
        Analysis draft = new Analysis(rows, cols, nnz, tiles, Format.CSR, "");
        Format best = forced;
        String reason;
        if (forced != null) {
            reason = "format forced";
        } else {
            best = Format.DENSE;
            for (Format f : Format.values()) {
                if (draft.work(f) / rates.of(f) < draft.work(best) / rates.of(best)) {
                    best = f;
                }
            }
            double denseTime = draft.work(Format.DENSE) / rates.dense();
            if (best != Format.DENSE && draft.work(best) / rates.of(best) * MARGIN > denseTime) {
                best = Format.DENSE; // not clearly faster: dense needs no indices and no analysis to trust
            }
            reason = String.format(Locale.ROOT, "density %.3f, block fill 4/8/16 = %.2f/%.2f/%.2f; estimated %s",
                    draft.density(), draft.blockFill(4), draft.blockFill(8), draft.blockFill(16),
                    estimates(draft, rates));
        }
        return new Analysis(rows, cols, nnz, tiles, best, reason);
    }

    private static String estimates(Analysis a, Rates rates) {
        StringBuilder sb = new StringBuilder();
        double dense = a.work(Format.DENSE) / rates.dense();
        for (Format f : Format.values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(f).append(String.format(Locale.ROOT, " %.2fx",
                    dense / (a.work(f) / rates.of(f))));
        }
        return sb.append(" the speed of dense").toString();
    }

    private static long nonZeroBits(MemorySegment values, long from, int len) {
        long bits = 0;
        for (int j = 0; j < len; j++) {
            if (values.getAtIndex(FLOAT, from + j) != 0f) {
                bits |= 1L << j;
            }
        }
        return bits;
    }

    // ------------------------------------------------------------------ storage

    private static Tensor store(TensorArena arena, DenseF32 w, BitMask mask, Format format) {
        if (format == Format.DENSE) {
            return Outputs.filled(arena.copyOf(w), copy -> {
                if (mask != null) {
                    VectorOps.applyMask(copy, mask);
                }
            });
        }
        CsrF32 csr = mask != null ? FormatOps.toCsr(arena, w, mask) : FormatOps.toCsr(arena, w);
        if (format == Format.CSR) {
            return csr;
        }
        try (csr) {
            return FormatOps.toBsr(arena, csr, format.blockSize());
        }
    }

    private static void gatherCsr(DenseF32 w, CsrF32 out) {
        MemorySegment src = w.segment();
        int cols = w.cols();
        for (int r = 0; r < out.rows(); r++) {
            for (int p = out.rowStart(r), end = out.rowStart(r + 1); p < end; p++) {
                out.setValue(p, src.getAtIndex(FLOAT, (long) r * cols + out.colIndex(p)));
            }
        }
    }

    private static void gatherBsr(DenseF32 w, BitMask mask, BsrF32 out) {
        MemorySegment src = w.segment();
        MemorySegment dst = out.valuesSegment();
        int b = out.blockSize();
        int rows = w.rows();
        int cols = w.cols();
        for (int br = 0; br < out.blockRows(); br++) {
            for (int k = out.blockRowStart(br); k < out.blockRowStart(br + 1); k++) {
                int c0 = out.blockColIndex(k) * b;
                for (int r = 0; r < b; r++) {
                    for (int c = 0; c < b; c++) {
                        int i = br * b + r;
                        int j = c0 + c;
                        long flat = (long) i * cols + j;
                        boolean kept = i < rows && j < cols && (mask == null ? src.getAtIndex(FLOAT, flat) != 0f
                                : mask.get(flat));
                        dst.setAtIndex(FLOAT, ((long) k * b + r) * b + c, kept ? src.getAtIndex(FLOAT, flat) : 0f);
                    }
                }
            }
        }
    }
}
