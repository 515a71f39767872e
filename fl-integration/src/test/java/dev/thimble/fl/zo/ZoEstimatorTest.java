package dev.thimble.fl.zo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Known answers on {@code L(w) = ½‖w‖²}, whose gradient is w. One estimate with K directions is
 * the mean of K single-direction estimates, so coordinate i of it has variance {@code V_i / K},
 * with V_i the single-direction variance derived per estimator below (z ~ N(0, I_d), v uniform on
 * the unit sphere of d active coordinates, w fixed):
 *
 * <ul>
 * <li>central, Gaussian (SPSA/MeZO, BAFFLE central): the difference is exact on a quadratic,
 * {@code (L(w+sz) − L(w−sz))/(2s) = wᵀz}, so {@code ĝ_i = (wᵀz) z_i}, {@code E = w_i}, and
 * {@code V_i = E[(wᵀz)² z_i²] − w_i² = (‖w‖² + 2w_i²) − w_i² = ‖w‖² + w_i²};
 * <li>forward, Gaussian (BAFFLE): the difference is {@code wᵀz + (s/2)‖z‖²}; the extra term is
 * odd in z times z_i, so the mean stays w_i and {@code V_i = ‖w‖² + w_i² + (s²/4)(d+2)(d+4)}
 * ({@code E[‖z‖⁴ z_i²] = (d+2)(d+4)}, cross term odd);
 * <li>sphere (FedZO): {@code ĝ = d(wᵀv)v + (dμ/2)v}; with {@code E[v_i²v_j²] = 1/(d(d+2))},
 * {@code E[v_i⁴] = 3/(d(d+2))}: {@code E = w}, {@code V_i = d(‖w‖² + 2w_i²)/(d+2) − w_i² + dμ²/4}.
 * </ul>
 *
 * Float rounding of {@code w ± s z} adds a relative error of order ulp(w)/s to each difference
 * (≤ 1e-3 here), negligible against these variances. Every coordinate must be within 5 standard
 * deviations (for 24 coordinates a false failure has probability ≈ 1.4e-5).
 */
class ZoEstimatorTest {
    private static final int D = 24;
    private static final int K = 10_000;

    private static float[] weights() {
        float[] w = new float[D];
        for (int i = 0; i < D; i++) {
            w[i] = (float) (0.8 * Math.sin(1.7 * i + 0.3));
        }
        return w;
    }

    private static double halfSquaredNorm(DenseF32 p) {
        double s = 0;
        for (long i = 0; i < p.size(); i++) {
            double v = p.get(i);
            s += v * v;
        }
        return 0.5 * s;
    }

    /** Runs one estimate with K directions and checks it against w with the given variance. */
    private static void knownAnswer(ZoEstimator est, BitMask maskBits, IntToDoubleFunction variance,
            TensorArena arena, DenseF32 w) {
        float[] before = w.toArray();
        DenseF32 g = arena.dense(D);
        ZoRequest req = ZoRequest.draw(new SplittableRandom(11), K);
        Objective f = p -> {
            if (maskBits != null) {
                for (long i = 0; i < D; i++) {
                    if (!maskBits.get(i)) {
                        assertEquals(0, Float.floatToRawIntBits(p.get(i)), "pruned weight moved");
                    }
                }
            }
            return halfSquaredNorm(p);
        };
        est.estimate(KernelContext.global(), arena, f, w, maskBits, req, g);
        assertArrayEquals(bits(before), bits(w.toArray()), "weights must be bit-identical after estimating");
        double worst = 0;
        for (int i = 0; i < D; i++) {
            if (maskBits != null && !maskBits.get(i)) {
                assertEquals(0f, g.get(i), "inactive coordinate " + i);
                continue;
            }
            double sd = Math.sqrt(variance.applyAsDouble(i) / K);
            double z = (g.get(i) - before[i]) / sd;
            worst = Math.max(worst, Math.abs(z));
        }
        System.out.printf("%s: worst |ĝ_i − w_i| = %.2f standard deviations (K = %d, d = %d)%n", est.name(), worst,
                K, maskBits == null ? D : maskBits.cardinality());
        assertTrue(worst < 5, est.name() + ": worst deviation " + worst + " sd");
    }

    private static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = Float.floatToRawIntBits(x[i]);
        }
        return b;
    }

    private static double sq(float[] w, BitMask m) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            if (m == null || m.get(i)) {
                s += (double) w[i] * w[i];
            }
        }
        return s;
    }

    @Test
    void centralGaussianEstimatorsAreUnbiased() {
        try (TensorArena arena = TensorArena.builder().name("zo").leakCheck(false).build()) {
            float[] w0 = weights();
            double n2 = sq(w0, null);
            DenseF32 w = arena.dense(w0, D);
            knownAnswer(ZoEstimator.spsa(ZoEstimator.MEZO_EPSILON), null, i -> n2 + w0[i] * w0[i], arena, w);
            knownAnswer(ZoEstimator.baffleCentral(1e-3f).withClip(Float.POSITIVE_INFINITY), null,
                    i -> n2 + w0[i] * w0[i], arena, w);
        }
    }

    @Test
    void forwardGaussianEstimatorIsUnbiased() {
        try (TensorArena arena = TensorArena.builder().name("zo").leakCheck(false).build()) {
            float[] w0 = weights();
            double n2 = sq(w0, null);
            float s = 1e-3f;
            DenseF32 w = arena.dense(w0, D);
            knownAnswer(ZoEstimator.baffleForward(s).withClip(Float.POSITIVE_INFINITY), null,
                    i -> n2 + w0[i] * w0[i] + s * s / 4.0 * (D + 2) * (D + 4), arena, w);
        }
    }

    @Test
    void sphereEstimatorScalesByTheActiveDimension() {
        try (TensorArena arena = TensorArena.builder().name("zo").leakCheck(false).build()) {
            float[] w0 = weights();
            BitMask m = arena.mask(D);
            for (int i = 0; i < D; i++) {
                m.set(i, i % 3 != 0); // 16 of 24 active
                if (i % 3 == 0) {
                    w0[i] = 0f; // pruned weights are zero and must stay so
                }
            }
            long d = m.cardinality();
            double n2 = sq(w0, m);
            float mu = 1e-3f;
            DenseF32 w = arena.dense(w0, D);
            // with d = 24 instead of nnz = 16 the mean would be 1.5·w, tens of sd away
            knownAnswer(ZoEstimator.fedZo(mu), m,
                    i -> d * (n2 + 2.0 * w0[i] * w0[i]) / (d + 2) - w0[i] * w0[i] + d * mu * mu / 4.0, arena, w);
            knownAnswer(ZoEstimator.spsa(1e-3f), m, i -> n2 + w0[i] * w0[i], arena, w);
        }
    }

    @Test
    void baffleClipBoundsTheInfinityNorm() {
        try (TensorArena arena = TensorArena.builder().name("zo").leakCheck(false).build()) {
            float[] w0 = weights();
            DenseF32 w = arena.dense(w0, D);
            ZoRequest req = ZoRequest.draw(new SplittableRandom(5), 50);
            DenseF32 raw = arena.dense(D);
            DenseF32 clipped = arena.dense(D);
            Objective f = ZoEstimatorTest::halfSquaredNorm;
            ZoEstimator est = ZoEstimator.baffleForward(ZoEstimator.BAFFLE_SIGMA);
            ZoReply reply = est.withClip(Float.POSITIVE_INFINITY).estimate(KernelContext.global(), arena, f, w, null,
                    req, raw);
            est.reconstruct(KernelContext.global(), req, reply, null, clipped);
            float rawMax = VectorOps.normInf(raw);
            assertTrue(rawMax > 0.3f, "test needs a gradient above the clip, got " + rawMax);
            assertEquals(0.3f, VectorOps.normInf(clipped), 1e-6f);
            for (int i = 0; i < D; i++) {
                assertEquals(raw.get(i) * (0.3f / rawMax), clipped.get(i), 1e-6f);
            }
            assertEquals(51, est.evaluations(50));
            assertEquals(100, ZoEstimator.spsa(1e-3f).evaluations(50));
        }
    }
}
