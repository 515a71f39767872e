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
                LongVector x0 = IOTA_L.add((b0 + j0) & MASK32);
                LongVector x1 = LongVector.broadcast(LS, (b0 >>> 32) & MASK32);
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
                IntVector w0 = narrow(x0), w1 = narrow(x1), w2 = narrow(x2), w3 = narrow(x3);
                long base = gStart + j0;
                if (stream == NoiseStream.UNIFORM) {
                    c.apply(FS, base, uniform(w0));
                    c.apply(FS, base + 16, uniform(w1));
                    c.apply(FS, base + 32, uniform(w2));
                    c.apply(FS, base + 48, uniform(w3));
                } else {
                    FloatVector ra = radius(w0), rb = radius(w2);
                    FloatVector[] cs = new FloatVector[2];
                    sinCos(w1, cs);
                    c.apply(FS, base, ra.mul(cs[0]));
                    c.apply(FS, base + 16, ra.mul(cs[1]));
                    sinCos(w3, cs);
                    c.apply(FS, base + 32, rb.mul(cs[0]));
                    c.apply(FS, base + 48, rb.mul(cs[1]));
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

    private static FloatVector uniform(IntVector w) {
        IntVector m = w.lanewise(VectorOperators.LSHR, 8).mul(2).sub(0xFFFFFF);
        return ((FloatVector) m.convert(VectorOperators.I2F, 0)).mul(NoiseMath.UNIFORM_SCALE);
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

    /** cs[0] = cos, cs[1] = sin of the 24-bit angle of b, as NoiseMath.cosTurn / sinTurn. */
    private static void sinCos(IntVector b, FloatVector[] cs) {
        IntVector k = b.lanewise(VectorOperators.LSHR, 8);
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
        FloatVector cosv = cn.blend(sn, odd);
        FloatVector sinv = sn.blend(cn, odd);
        IntVector cneg = q.add(1).and(2).lanewise(VectorOperators.LSHL, 30);
        IntVector sneg = q.and(2).lanewise(VectorOperators.LSHL, 30);
        cs[0] = cosv.reinterpretAsInts().lanewise(VectorOperators.XOR, cneg).reinterpretAsFloats();
        cs[1] = sinv.reinterpretAsInts().lanewise(VectorOperators.XOR, sneg).reinterpretAsFloats();
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

        void apply(VectorSpecies<Float> sp, long e, FloatVector z) {
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
