package dev.thimble.fl.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The server's streamed reconstruction {@code ĝ = Σ_k c_k z_k ⊙ m} against the direct sum of K
 * materialised directions.
 *
 * <p>Bit-for-bit: {@link NoiseOps#addNoise} computes {@code fma(scale, z, x)} per element, and
 * the directions are a pure function of (seed, tensor id, index), so materialising each z_k with
 * {@link NoiseOps#fillNoise} (scale 1, which returns z exactly) and applying the same fma in the
 * same order k = 1..K gives the same bits. Against the exact (double) sum the error is float
 * rounding: one rounding for {@code (float) c_k} and one per fma, so at most {@code (K + 1)·u·Σ_k
 * |c_k z_k(i)|} with u = 2⁻²⁴.
 */
class SeedTrickTest {
    private static final int N = 1000;
    private static final int K = 16;

    @Test
    void reconstructionEqualsTheDirectSum() {
        for (Noise noise : new Noise[] {Noise.GAUSSIAN, Noise.SPHERE, Noise.RADEMACHER}) {
            try (TensorArena arena = TensorArena.builder().name("seed").leakCheck(false).build()) {
                BitMask mask = arena.mask(N);
                for (int i = 0; i < N; i++) {
                    mask.set(i, (i * 7919) % 10 < 3);
                }
                ZoRequest req = ZoRequest.draw(new SplittableRandom(3), K);
                float[] diffs = new float[K];
                SplittableRandom rng = new SplittableRandom(4);
                for (int k = 0; k < K; k++) {
                    diffs[k] = (float) rng.nextGaussian() * 1e-3f;
                }
                ZoEstimator est = new ZoEstimator("t", Difference.FORWARD, noise, 1e-4f, noise == Noise.SPHERE,
                        Float.POSITIVE_INFINITY);
                DenseF32 g = est.reconstruct(KernelContext.global(), req, new ZoReply(diffs), mask, arena.dense(N));

                double factor = est.factor(K, mask.cardinality());
                float[] direct = new float[N];
                double[] exact = new double[N];
                double[] magnitude = new double[N];
                DenseF32[] z = new DenseF32[K];
                for (int k = 0; k < K; k++) {
                    z[k] = NoiseOps.fillNoise(arena.dense(N), mask, 1f,
                            req.seed(k), req.tensorId(), 0, noise == Noise.SPHERE ? Noise.GAUSSIAN : noise);
                    float c = (float) (factor * diffs[k]);
                    // a sphere direction is the Gaussian one times 1/‖z‖ over the active entries
                    float s = noise == Noise.SPHERE
                            ? (float) (c / Math.sqrt(NoiseOps.gaussianSquaredNorm(KernelContext.global(), N, mask,
                                    req.seed(k), req.tensorId(), 0)))
                            : c;
                    for (int i = 0; i < N; i++) {
                        direct[i] = Math.fma(s, z[k].get(i), direct[i]);
                        exact[i] += (double) s * z[k].get(i);
                        magnitude[i] += Math.abs((double) s * z[k].get(i));
                    }
                }
                double u = Math.ulp(1f) / 2;
                for (int i = 0; i < N; i++) {
                    assertEquals(Float.floatToRawIntBits(direct[i]), Float.floatToRawIntBits(g.get(i)),
                            noise + ": element " + i);
                    assertTrue(Math.abs(g.get(i) - exact[i]) <= (K + 1) * u * magnitude[i] + Double.MIN_VALUE,
                            noise + ": element " + i + " off the exact sum");
                    if (!mask.get(i)) {
                        assertEquals(0f, g.get(i));
                    }
                }
            }
        }
    }

    @Test
    void messagesAndTheirSizes() {
        ZoRequest req = ZoRequest.draw(new SplittableRandom(1), 100);
        assertEquals(100, req.k());
        assertEquals(8 + 8 * 100, req.bytes());
        ZoReply a = new ZoReply(new float[] {1f, 2f, 3f});
        ZoReply b = new ZoReply(new float[] {3f, 2f, 1f});
        assertEquals(4 + 4 * 3, a.bytes());
        ZoReply sum = ZoReply.weightedSum(List.of(a, b), new double[] {0.25, 0.75});
        assertEquals(2.5f, sum.difference(0));
        assertEquals(2f, sum.difference(1));
        assertEquals(1.5f, sum.difference(2));
    }
}
