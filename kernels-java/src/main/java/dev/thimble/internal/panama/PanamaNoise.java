package dev.thimble.internal.panama;

import static dev.thimble.internal.panama.PanamaSupport.BO;
import static dev.thimble.internal.panama.PanamaSupport.bitsAt;

import dev.thimble.random.NoiseMath;
import dev.thimble.random.NoiseStream;
import dev.thimble.random.Philox4x32;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API noise kernels, bit-identical to {@link NoiseStream} (the scalar reference).
 *
 * <p><b>Gaussian/uniform.</b> Philox runs on the 16 blocks of a group in the lanes of a
 * {@link LongVector} (8 lanes with AVX-512): the Vector API has no 32×32→64 high multiply, but a
 * 64-bit lane product of two zero-extended words is exact, and its two halves are the high and low
 * words. The four state words are then narrowed to an {@link IntVector} of as many lanes and
 * {@link NoiseMath}'s float steps run in a {@link FloatVector} of that width, lane j of word k being
 * element {@code 16k + j} of the group: each result vector is stored contiguously.
 *
 * <p><b>Rademacher.</b> One scalar Philox block per 128 elements; each full-width vector of floats
 * takes its sign bits from one word, shifted per lane into the float sign position and XORed onto
 * {@code scale} (so the add is {@code x ± scale}, which is what {@code fma(scale, ±1, x)} rounds to).
 *
 * <p>Chunks that stick out of the range (head and tail) or have mask bits unset go through masked
 * loads and stores; only active lanes are read or written.
 */
final class PanamaNoise {
    private PanamaNoise() {
    }

    static final int ADD = 0, FILL = 1, PERTURB = 2;
    private static final int STEP_ROOM = 128;

    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final int LL = Math.min(LS.length(), 16);
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class,
            VectorShape.forBitSize(LS.vectorBitSize() / 2));
    private static final VectorSpecies<Float> FS = IS.withLanes(float.class);
    /** Full-width floats for Rademacher. */
    private static final VectorSpecies<Float> S = PanamaSupport.S;
    private static final VectorSpecies<Integer> SI = S.withLanes(int.class);
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final long MASK32 = 0xFFFF_FFFFL;

    /** Lane j of the LongVector: j (the block within the group, before adding the chunk start). */
    private static final LongVector IOTA_L = LongVector.zero(LS).addIndex(1);
    /** 31 − j: the left shift that brings bit (sh + j) of a word to the sign position, minus sh. */
    private static final IntVector SIGN_SHIFT = IntVector.broadcast(SI, 31).sub(IntVector.zero(SI).addIndex(1));

    static long run(int mode, DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset,
            int stream, MemorySegment exc, long capacity, long[] count) {
        if (LL < 2 || 16 % LL != 0 || FS.length() != LL || L > 32 || 128 % L != 0) {
            // an exotic shape this layout was not written for: the reference is always right
            return dev.thimble.internal.scalar.ScalarNoise.run(
                    dev.thimble.internal.scalar.ScalarNoise.Mode.values()[mode], x, mask, scale, seed, tensorId,
                    offset, stream, exc, capacity, count);
        }
        Ctx c = new Ctx(mode, x, mask, scale, offset, exc, count);
        long n = x.size();
        long end = offset + n;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        if (stream == NoiseStream.RADEMACHER) {
            int[] w = new int[4];
            for (long e = offset; e < end;) {
                if (mode == PERTURB && capacity - count[0] < STEP_ROOM) {
                    return e - offset;
                }
                long blk = e >>> 7;
                Philox4x32.block((int) blk, (int) (blk >>> 32), tensorId, stream, k0, k1, w, 0);
                long bStart = blk << 7;
                long bEnd = Math.min(bStart + 128, end);
                for (long v = bStart + ((e - bStart) / L) * L; v < bEnd; v += L) {
                    int word = w[(int) (v >>> 5) & 3];
                    int sh = (int) v & 31;
                    // per lane: bit (sh + j) to bit 31, then only the sign bit; ±scale by XOR
                    IntVector sign = IntVector.broadcast(SI, word).lanewise(VectorOperators.LSHL, SIGN_SHIFT.sub(sh))
                            .and(0x8000_0000);
                    FloatVector z = IntVector.broadcast(SI, Float.floatToRawIntBits(1f)).or(sign)
                            .reinterpretAsFloats();
                    c.apply(S, v, z);
                }
                e = bEnd;
            }
            return n;
        }
        // round keys, as longs holding 32 bits
        long[] rk0 = new long[Philox4x32.ROUNDS], rk1 = new long[Philox4x32.ROUNDS];
        for (int r = 0; r < Philox4x32.ROUNDS; r++) {
            rk0[r] = (k0 + r * Philox4x32.W0) & MASK32;
            rk1[r] = (k1 + r * Philox4x32.W1) & MASK32;
        }
        long tid = tensorId & MASK32, code = stream & MASK32;
        int[] words = new int[4 * LL]; // the four state words of LL blocks, word-major
        float[] tmp = new float[6 * LL];
        for (long e = offset; e < end;) {
            if (mode == PERTURB && capacity - count[0] < STEP_ROOM) {
                return e - offset;
            }
            long g = e >>> 6;
            long gStart = g << 6;
            long b0 = g << 4; // its low 4 bits are 0: adding the lane index never carries
            for (int j0 = 0; j0 < 16; j0 += LL) {
                // skip lanes of blocks whose four elements are all outside the range
                long lo = gStart + j0, hi = gStart + 48 + j0 + LL;
                if (hi <= e || lo >= end) {
                    continue;
                }
                philox(b0 + j0, tid, code, rk0, rk1, words);
                long base = gStart + j0;
                if (stream == NoiseStream.UNIFORM) {
                    uniform(c, words, base);
                } else {
                    boxMuller(words, tmp);
                    gaussian(c, tmp, base);
                }
            }
            e = Math.min(gStart + 64, end);
        }
        return n;
    }

    /** a·b + c with one rounding, vector·vector + scalar. */
    private static FloatVector fma(FloatVector a, FloatVector b, float c) {
        return a.fma(b, FloatVector.broadcast(a.species(), c));
    }

    /** a·b + c with one rounding, vector·scalar + vector. */
    private static FloatVector fma(FloatVector a, float b, FloatVector c) {
        return a.fma(FloatVector.broadcast(a.species(), b), c);
    }

    private static IntVector narrow(LongVector v) {
        return (IntVector) v.convertShape(VectorOperators.L2I, IS, 0);
    }

    /*
     * Compile units. A vector that crosses a call C2 does not inline is boxed (an object and an
     * array each), and C2 stops inlining within one compilation once it has parsed about 18,000
     * nodes (NodeCountInliningCutoff), which a few dozen Vector API operations reach. So the
     * stages of a group are separate methods that hand over their lanes through small arrays
     * (the words in an int array, Box–Muller's radius, cos and sin in a float array), never as
     * vectors. Philox and the uniform pass now compile without a boxed vector. Box–Muller alone
     * (the radius's logarithm and the cos/sin polynomials) still exceeds the budget, so a few of
     * its helpers stay calls: Gaussian runs at about 0.2 G params/s (native 1.4). boxMuller is
     * kept above C2's inlining size (325 bytes) on purpose, so its overflow stays inside it.
     */
    /** Philox4x32-10 of the LL blocks from counter {@code ctr}: word k of block j to {@code words[k·LL + j]}. */
    private static void philox(long ctr, long tid, long code, long[] rk0, long[] rk1, int[] words) {
        LongVector x0 = IOTA_L.add(ctr & MASK32);
        LongVector x1 = LongVector.broadcast(LS, (ctr >>> 32) & MASK32);
        LongVector x2 = LongVector.broadcast(LS, tid);
        LongVector x3 = LongVector.broadcast(LS, code);
        for (int r = 0; r < Philox4x32.ROUNDS; r++) {
            LongVector p0 = x0.mul(Philox4x32.M0 & MASK32);
            LongVector p1 = x2.mul(Philox4x32.M1 & MASK32);
            LongVector y0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x1)
                    .lanewise(VectorOperators.XOR, rk0[r]);
            LongVector y2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x3)
                    .lanewise(VectorOperators.XOR, rk1[r]);
            x1 = p1.and(MASK32);
            x3 = p0.and(MASK32);
            x0 = y0;
            x2 = y2;
        }
        narrow(x0).intoArray(words, 0);
        narrow(x1).intoArray(words, LL);
        narrow(x2).intoArray(words, 2 * LL);
        narrow(x3).intoArray(words, 3 * LL);
    }

    /** Uniform z of the four words, word k to stream elements [base + 16k, + LL). */
    private static void uniform(Ctx c, int[] words, long base) {
        for (int k = 0; k < 4; k++) {
            IntVector m = IntVector.fromArray(IS, words, k * LL).lanewise(VectorOperators.LSHR, 8).mul(2).sub(0xFFFFFF);
            c.apply(FS, base + 16L * k, ((FloatVector) m.convert(VectorOperators.I2F, 0)).mul(NoiseMath.UNIFORM_SCALE));
        }
    }

    /**
     * Box–Muller of a group's four words, NoiseMath's steps lane-wise and in the same order: the
     * radius of words 0 and 2 and the cos and sin of the 24-bit angles of words 1 and 3, each pair's
     * three vectors to {@code tmp} from 3·LL·pair (radius, cos, sin).
     */
    private static void boxMuller(int[] words, float[] tmp) {
        for (int pair = 0; pair < 2; pair++) {
            int at = 2 * LL * pair, out = 3 * LL * pair;
            radius(IntVector.fromArray(IS, words, at)).intoArray(tmp, out);
            IntVector k = IntVector.fromArray(IS, words, at + LL).lanewise(VectorOperators.LSHR, 8);
            IntVector rq = k.add(0x200000).lanewise(VectorOperators.LSHR, 22);
            IntVector q = rq.and(3);
            IntVector rem = k.sub(rq.lanewise(VectorOperators.LSHL, 22));
            FloatVector x = ((FloatVector) rem.convert(VectorOperators.I2F, 0)).mul(NoiseMath.TWO_PI_M24);
            FloatVector x2 = x.mul(x);
            FloatVector ps = fma(x2, fma(x2, x2.fma(NoiseMath.S4, NoiseMath.S3), NoiseMath.S2), NoiseMath.S1);
            FloatVector sn = x.mul(x2).fma(ps, x);
            FloatVector pc = fma(x2, fma(x2, fma(x2, x2.fma(NoiseMath.C5, NoiseMath.C4), NoiseMath.C3), NoiseMath.C2),
                    NoiseMath.C1);
            FloatVector cn = x2.fma(pc, FloatVector.broadcast(FS, 1f));
            VectorMask<Float> odd = q.and(1).compare(VectorOperators.NE, 0).cast(FS);
            IntVector cneg = q.add(1).and(2).lanewise(VectorOperators.LSHL, 30);
            IntVector sneg = q.and(2).lanewise(VectorOperators.LSHL, 30);
            cn.blend(sn, odd).reinterpretAsInts().lanewise(VectorOperators.XOR, cneg).reinterpretAsFloats().intoArray(tmp, out + LL);
            sn.blend(cn, odd).reinterpretAsInts().lanewise(VectorOperators.XOR, sneg).reinterpretAsFloats()
                    .intoArray(tmp, out + 2 * LL);
        }
    }

    /** The Gaussian z of a group from boxMuller's output: r·cos and r·sin of each pair. */
    private static void gaussian(Ctx c, float[] tmp, long base) {
        for (int pair = 0; pair < 2; pair++) {
            int out = 3 * LL * pair;
            FloatVector r = FloatVector.fromArray(FS, tmp, out);
            c.apply(FS, base + 32L * pair, r.mul(FloatVector.fromArray(FS, tmp, out + LL)));
            c.apply(FS, base + 32L * pair + 16, r.mul(FloatVector.fromArray(FS, tmp, out + 2 * LL)));
        }
    }

    /** NoiseMath.radius, lane-wise, in the same order. */
    private static FloatVector radius(IntVector a) {
        FloatVector u = ((FloatVector) a.lanewise(VectorOperators.LSHR, 8).add(1).convert(VectorOperators.I2F, 0))
                .mul(NoiseMath.TWO_M24);
        IntVector bits = u.reinterpretAsInts();
        IntVector e = bits.sub(NoiseMath.SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 23);
        FloatVector m = bits.sub(e.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
        FloatVector f = m.sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector q = fma(s2, fma(s2, s2.fma(NoiseMath.L4, NoiseMath.L3), NoiseMath.L2), NoiseMath.L1);
        FloatVector lnm = s.mul(s2).fma(q, s.mul(2f));
        FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector ln = fma(fe, NoiseMath.LN2_HI, fma(fe, NoiseMath.LN2_LO, lnm));
        return ln.mul(-2f).lanewise(VectorOperators.SQRT);
    }

    /** The tensor side of a pass: where a vector of z for stream elements [e, e + lanes) goes. */
    private static final class Ctx {
        final int mode;
        final MemorySegment xs;
        final MemorySegment words;
        final long bit0;
        final float scale;
        final long start, end;
        final MemorySegment exc;
        final long[] count;

        Ctx(int mode, DenseF32 x, BitMask mask, float scale, long offset, MemorySegment exc, long[] count) {
            this.mode = mode;
            this.xs = x.segment();
            this.words = mask == null ? null : mask.words();
            this.bit0 = mask == null ? 0 : mask.bitOffset();
            this.scale = scale;
            this.start = offset;
            this.end = offset + x.size();
            this.exc = exc;
            this.count = count;
        }

        /*
         * The hot path stays small so that C2 inlines it into every call site: a vector that crosses
         * a call C2 does not inline is boxed (an object and an array per vector), and the species
         * is then no constant, so the Vector API runs its Java fallback. Before this split the
         * whole apply (542 bytes of bytecode) was never inlined: the Rademacher pass allocated
         * ~100 bytes per 16 floats and ran at 1.05 G params/s. Edge chunks, masked passes and
         * perturbation exceptions take applyRare.
         */
        void apply(VectorSpecies<Float> sp, long e, FloatVector z) {
            if (words != null || e < start || e + sp.length() > end) {
                applyRare(sp, e, z);
                return;
            }
            long off = (e - start) * Float.BYTES;
            if (mode == FILL) {
                z.mul(scale).intoMemorySegment(xs, off, BO);
                return;
            }
            FloatVector w = FloatVector.fromMemorySegment(sp, xs, off, BO);
            FloatVector p = fma(z, scale, w);
            if (mode == PERTURB && !restores(z, w, p)) {
                applyRare(sp, e, z); // records the exceptions (x is still untouched)
                return;
            }
            p.intoMemorySegment(xs, off, BO);
        }

        /** Whether {@code p − scale·z} gives back every lane of w exactly (and w holds no NaN). */
        private boolean restores(FloatVector z, FloatVector w, FloatVector p) {
            FloatVector back = fma(z, -scale, p);
            return back.reinterpretAsInts().compare(VectorOperators.EQ, w.reinterpretAsInts()).allTrue()
                    && w.compare(VectorOperators.EQ, w).allTrue();
        }

        /** Any chunk: clipped to the range, masked, with perturbation exceptions recorded. */
        private void applyRare(VectorSpecies<Float> sp, long e, FloatVector z) {
            int lanes = sp.length();
            long lo = Math.max(e, start), hi = Math.min(e + lanes, end);
            if (lo >= hi) {
                return;
            }
            int len = (int) (hi - lo), sh = (int) (lo - e);
            long all = lanes == 64 ? -1L : (1L << lanes) - 1;
            long inRange = (len == 64 ? -1L : (1L << len) - 1) << sh;
            long active = words == null ? inRange : bitsAt(words, bit0 + (lo - start), len) << sh;
            long off = (e - start) * Float.BYTES; // negative for a head chunk: only active lanes are touched
            if (mode == FILL) {
                FloatVector v = z.mul(scale);
                if (active != all) {
                    v = v.blend(0f, VectorMask.fromLong(sp, ~active));
                }
                if (inRange == all) {
                    v.intoMemorySegment(xs, off, BO);
                } else {
                    v.intoMemorySegment(xs, off, BO, VectorMask.fromLong(sp, inRange));
                }
                return;
            }
            if (active == 0) {
                return;
            }
            boolean full = active == all;
            VectorMask<Float> m = full ? null : VectorMask.fromLong(sp, active);
            FloatVector w = full ? FloatVector.fromMemorySegment(sp, xs, off, BO)
                    : FloatVector.fromMemorySegment(sp, xs, off, BO, m);
            FloatVector p = fma(z, scale, w);
            if (mode == PERTURB) {
                FloatVector back = fma(z, -scale, p);
                VectorMask<Integer> bad = back.reinterpretAsInts().compare(VectorOperators.NE, w.reinterpretAsInts())
                        .or(w.compare(VectorOperators.NE, w).cast(sp.withLanes(int.class)));
                long badBits = bad.toLong() & active;
                while (badBits != 0) {
                    int j = Long.numberOfTrailingZeros(badBits);
                    badBits &= badBits - 1;
                    long c = count[0]++;
                    exc.setAtIndex(I, 2 * c, (int) (e + j - start));
                    exc.setAtIndex(F, 2 * c + 1, w.lane(j));
                }
            }
            if (full) {
                p.intoMemorySegment(xs, off, BO);
            } else {
                p.intoMemorySegment(xs, off, BO, m);
            }
        }
    }
}
