package dev.thimble.internal.scalar;

import dev.thimble.random.NoiseStream;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference noise kernels: one stream step at a time (a Rademacher block of 128 elements, or a
 * Gaussian/uniform group of 64 computed by {@link NoiseStream#group}), then element by element.
 * Public because other providers' tests and benchmarks use it as the reference; not API.
 */
public final class ScalarNoise {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LW = ValueLayout.JAVA_LONG_UNALIGNED;

    /** What a pass does with z. */
    public enum Mode { ADD, FILL, PERTURB }

    private ScalarNoise() {
    }

    /** Room a step may need in the exception list (the SPI's stopping rule). */
    public static final int STEP_ROOM = 128;

    /**
     * Runs one pass; see {@code KernelProvider.addNoise/fillNoise/perturbNoise}.
     *
     * @return elements finished (x.size() unless PERTURB ran out of room)
     */
    public static long run(Mode mode, DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset,
            int stream, MemorySegment exc, long capacity, long[] count) {
        MemorySegment xs = x.segment();
        long n = x.size();
        long end = offset + n;
        int shift = stream == NoiseStream.RADEMACHER ? 7 : 6;
        float[] z = new float[128];
        int[] words = new int[64];
        for (long e = offset; e < end;) {
            long stepStart = (e >>> shift) << shift;
            long stepEnd = Math.min(stepStart + (1L << shift), end);
            if (mode == Mode.PERTURB && capacity - count[0] < STEP_ROOM) {
                return e - offset;
            }
            if (stream == NoiseStream.RADEMACHER) {
                NoiseStream.block(seed, tensorId, stream, e >>> 7, words, 0);
                for (int t = 0; t < 128; t++) {
                    z[t] = ((words[t >>> 5] >>> (t & 31)) & 1) != 0 ? -1f : 1f;
                }
            } else {
                NoiseStream.group(stream, seed, tensorId, e >>> 6, z, words);
            }
            for (long k = e; k < stepEnd; k++) {
                long i = k - offset;
                float zv = z[(int) (k - stepStart)];
                boolean on = mask == null || bit(mask, i);
                switch (mode) {
                    case ADD -> {
                        if (on) {
                            xs.setAtIndex(F, i, Math.fma(scale, zv, xs.getAtIndex(F, i)));
                        }
                    }
                    case FILL -> xs.setAtIndex(F, i, on ? scale * zv : 0f);
                    case PERTURB -> {
                        if (on) {
                            float w = xs.getAtIndex(F, i);
                            float p = Math.fma(scale, zv, w);
                            float back = Math.fma(-scale, zv, p);
                            if (w != w || Float.floatToRawIntBits(back) != Float.floatToRawIntBits(w)) {
                                long c = count[0]++;
                                exc.setAtIndex(I, 2 * c, (int) i);
                                exc.setAtIndex(F, 2 * c + 1, w);
                            }
                            xs.setAtIndex(F, i, p);
                        }
                    }
                }
            }
            e = stepEnd;
        }
        return n;
    }

    private static boolean bit(BitMask m, long i) {
        long b = m.bitOffset() + i;
        return (m.words().getAtIndex(LW, b >>> 6) & (1L << b)) != 0;
    }
}
