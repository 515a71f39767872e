package dev.thimble.fl.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.nn.Linear;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Param;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Known answers on a linear model {@code f(x) = W x + b}, W of shape [out, in], n inputs x_i.
 *
 * <p>{@code ∂f_o(x_i)/∂W_{o'j} = δ_{oo'} x_ij} and {@code ∂f_o/∂b_{o'} = δ_{oo'}}, so the NTK
 * trace is {@code Tr Θ = out·Σ_i ‖x_i‖²} for the weight block and {@code out·n} more with the
 * bias. With {@code A = JJᵀ}, {@code A_{(i,o),(j,o')} = δ_{oo'} (x_i·x_j + [bias])}.
 */
class LinearNtkTest {
    private static final int IN = 6;
    private static final int OUT = 3;
    private static final int N = 8;

    private static Model linear() {
        return new Model("linear", new int[] {IN}, () -> List.of(new Linear("fc", IN, OUT)));
    }

    private static double[][] gram(DenseF32 x, double extra) {
        double[][] g = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double s = extra;
                for (int k = 0; k < IN; k++) {
                    s += (double) x.get(i, k) * x.get(j, k);
                }
                g[i][j] = s;
            }
        }
        return g;
    }

    /**
     * Hutchinson with P Rademacher probes: mean → Tr A, variance of one probe
     * {@code 2(‖A‖²_F − Σ A_aa²) = 2·out·(Σ_ij K_ij² − Σ_i K_ii²)} with K the per-output kernel
     * (x_i·x_j, plus 1 with the bias); 5 standard deviations of the mean.
     */
    @Test
    void hutchinsonConvergesToTheAnalyticTrace() {
        try (TensorArena arena = TensorArena.builder().name("ntk").leakCheck(false).build();
                KernelContext ctx = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(linear(), arena, N, true, ctx);
            net.parameters().initialize(1);
            DenseF32 x = NoiseOps.fillNoise(arena.dense(N, IN), null, 1f, 5, 1, 0, Noise.GAUSSIAN);
            BitMask weights = ParamMasks.prunable(net.parameters(), arena);
            int probes = 4000;
            for (boolean withBias : new boolean[] {false, true}) {
                double[][] k = gram(x, withBias ? 1 : 0);
                double trace = 0;
                double frob = 0;
                double diag = 0;
                for (int i = 0; i < N; i++) {
                    trace += OUT * k[i][i];
                    diag += OUT * k[i][i] * k[i][i];
                    for (int j = 0; j < N; j++) {
                        frob += OUT * k[i][j] * k[i][j];
                    }
                }
                double sd = Math.sqrt(2 * (frob - diag) / probes);
                NtkTrace.Estimate e = NtkTrace.hutchinson(net, ctx, x, withBias ? null : weights, probes, 17);
                System.out.printf("Hutchinson (%s): %.3f vs analytic %.3f (sd of the mean %.3f, reported se %.3f)%n",
                        withBias ? "weights + bias" : "weights", e.mean(), trace, sd, e.standardError());
                assertTrue(Math.abs(e.mean() - trace) < 5 * sd, "Hutchinson " + e + " vs " + trace);
                assertEquals(sd, e.standardError(), 0.2 * sd);
            }
        }
    }

    /**
     * NTK-SAP's proxy on a linear model: {@code S/ε² = Σ_i ‖Δ x_i‖² = Σ_o Δ_oᵀ G Δ_o} with
     * {@code G = Σ_i x_i x_iᵀ}, exactly (the bias cancels). For Gaussian Δ: mean {@code out·tr G
     * = out·Σ‖x_i‖²}, variance {@code 2·out·‖G‖²_F}; averaged over R draws of Δ, 5 sd.
     */
    @Test
    void ntkSapProxyConvergesToTheWeightTrace() {
        try (TensorArena arena = TensorArena.builder().name("ntk").leakCheck(false).build();
                KernelContext ctx = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(linear(), arena, N, true, ctx);
            net.parameters().initialize(2);
            NtkSap sap = new NtkSap(net, ctx, arena, N, NtkSap.DEFAULT_EPSILON, 1);
            DenseF32 x = NoiseOps.fillNoise(arena.dense(N, IN), null, 1f, 6, 1, 0, Noise.GAUSSIAN);
            BitMask all = ParamMasks.dense(net.parameters(), arena);
            double[][] k = gram(x, 0);
            double trace = 0;
            for (int i = 0; i < N; i++) {
                trace += OUT * k[i][i];
            }
            double g2 = 0; // ‖G‖²_F = ‖XᵀX‖²_F = ‖XXᵀ‖²_F = Σ_ij (x_i·x_j)²
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    g2 += k[i][j] * k[i][j];
                }
            }
            int r = 4000;
            double eps2 = (double) NtkSap.DEFAULT_EPSILON * NtkSap.DEFAULT_EPSILON;
            double sum = 0;
            for (int d = 0; d < r; d++) {
                sum += sap.proxy(x, all, Draws.mix(3, d, 9)) / eps2;
            }
            double mean = sum / r;
            double sd = Math.sqrt(2 * OUT * g2 / r);
            System.out.printf("NTK-SAP proxy S/ε²: %.3f vs analytic out·Σ‖x_i‖² = %.3f (sd of the mean %.3f)%n", mean,
                    trace, sd);
            assertTrue(Math.abs(mean - trace) < 5 * sd, mean + " vs " + trace);
        }
    }

    /**
     * The back-propagated saliency against the closed form: with {@code r_io = Σ_j (θ − θ')_oj
     * m_oj x_ij}, {@code ∂S/∂m_oj = 2 Σ_i r_io (θ − θ')_oj x_ij}; zero on the bias and on pruned
     * weights. Tolerance: r is a difference of float outputs that agree to ~ε, so it carries a
     * relative error ~1e-5; 1e-3 of the largest entry is ample.
     */
    @Test
    void backPropagatedSaliencyMatchesTheClosedForm() {
        try (TensorArena arena = TensorArena.builder().name("ntk").leakCheck(false).build();
                KernelContext ctx = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(linear(), arena, N, true, ctx);
            NtkSap sap = new NtkSap(net, ctx, arena, N, NtkSap.DEFAULT_EPSILON, 1);
            BitMask mask = ParamMasks.dense(net.parameters(), arena);
            Param w = net.parameters().get("fc.weight");
            for (int j = 0; j < IN * OUT; j += 5) {
                mask.set(w.offset() + j, false);
            }
            long seed = 42;
            DenseF32 out = arena.dense(Math.toIntExact(net.parameters().count()));
            sap.gradient(mask, seed, out);
            // θ⊙m is back in the network; regenerate θ' exactly as the perturbation did
            DenseF32 theta = arena.copyOf(net.parameters().values());
            DenseF32 thetaP = arena.copyOf(theta);
            BitMask active = ParamMasks.and(mask, ParamMasks.prunable(net.parameters(), arena), arena);
            NoiseOps.addNoise(ctx, thetaP, active, NtkSap.DEFAULT_EPSILON, Draws.delta(seed, 0), Draws.DELTA_TENSOR, 0,
                    Noise.GAUSSIAN);
            DenseF32 x = sap.input();
            double[] expected = new double[Math.toIntExact(out.size())];
            double max = 0;
            for (int o = 0; o < OUT; o++) {
                for (int i = 0; i < N; i++) {
                    double r = 0;
                    for (int j = 0; j < IN; j++) {
                        long p = w.offset() + (long) o * IN + j;
                        r += ((double) theta.get(p) - thetaP.get(p)) * x.get(i, j);
                    }
                    for (int j = 0; j < IN; j++) {
                        long p = w.offset() + (long) o * IN + j;
                        if (active.get(p)) {
                            expected[(int) p] += 2 * r * ((double) theta.get(p) - thetaP.get(p)) * x.get(i, j);
                        }
                    }
                }
            }
            for (double e : expected) {
                max = Math.max(max, Math.abs(e));
            }
            assertTrue(max > 0);
            for (int p = 0; p < expected.length; p++) {
                assertEquals(expected[p], out.get(p), 1e-3 * max, "parameter " + p);
                if (!active.get(p)) {
                    assertEquals(0f, out.get(p));
                }
            }
        }
    }
}
