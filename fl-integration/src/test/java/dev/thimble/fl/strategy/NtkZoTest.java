package dev.thimble.fl.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.FederatedLoop;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.RoundMetrics;
import dev.thimble.fl.core.RunResult;
import dev.thimble.fl.core.TestModels;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.Synthetic;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.fl.pruning.DensitySchedule;
import dev.thimble.fl.pruning.NtkSap;
import dev.thimble.fl.pruning.ParamMasks;
import dev.thimble.fl.pruning.ScoreCombination;
import dev.thimble.fl.zo.ZoEstimator;
import dev.thimble.fl.zo.ZoReply;
import dev.thimble.fl.zo.ZoRequest;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link NtkZo} and {@link NtkZoClientTrainer} on the synthetic federation of {@link FedAvgTest}:
 * the density schedule, pruned weights, exact message sizes, the server's reconstruction, client
 * memory, learning and determinism.
 */
class NtkZoTest {
    static final int CLIENTS = FedAvgTest.CLIENTS;
    static final int PER_CLIENT = FedAvgTest.PER_CLIENT;
    static final int TP = 4;
    static final double RHO = 0.2;
    static final int K = 8;

    static NtkZoSettings settings(NtkZoSettings.Pruning pruning, NtkZoSettings.Variant variant, int k) {
        NtkZoSettings d = NtkZoSettings.defaults(pruning, variant, 5);
        return new NtkZoSettings(pruning, NtkZoSettings.Scorer.BP, RHO, TP, 32, d.ntkEpsilon(), 1,
                d.scoreDirections(), ScoreCombination.WEIGHTED_SUM, variant, k, 1e-3f, 3, 5, 0, d.weightDecay(), 5);
    }

    record Run(RunResult result, NtkZo strategy) {
    }

    static Run run(NtkZoSettings s, TrainConfig train, int rounds, int threads) {
        Dataset all = TestModels.data(CLIENTS * PER_CLIENT + 400, 1);
        Dataset trainSet = all.subset(FedAvgTest.range(0, CLIENTS * PER_CLIENT));
        Dataset test = all.subset(FedAvgTest.range(CLIENTS * PER_CLIENT, all.size()));
        NtkZo strategy = new NtkZo("ntk-zo", train, s);
        RunResult r = FederatedLoop.builder()
                .model(TestModels.mlp())
                .method(new Method(strategy, new NtkZoClientTrainer(s)))
                .clients(TestModels.iid(trainSet, CLIENTS, 3))
                .testData(test)
                .rounds(rounds)
                .fraction(0.5)
                .seed(11)
                .threads(threads)
                .build()
                .run();
        return new Run(r, strategy);
    }

    static long prunableCount() {
        return TestModels.mlp().parameterSpecs().stream().filter(ParamSpec::prunable).mapToLong(ParamSpec::size).sum();
    }

    static final TrainConfig SEED_TRAIN = new TrainConfig(1, 16, 1e-2, 0);

    @Test
    void densitiesFollowTheExponentialScheduleExactly() {
        Run run = run(settings(NtkZoSettings.Pruning.NTK, NtkZoSettings.Variant.SEED, K), SEED_TRAIN, TP + 2, 2);
        try (NtkZo s = run.strategy()) {
            long n = prunableCount(); // 16·32 + 32·4 = 640
            assertEquals(640, n);
            List<Long> kept = s.keptHistory();
            assertEquals(TP, kept.size());
            for (int tau = 1; tau <= TP; tau++) {
                double rho = Math.pow(RHO, (double) tau / TP);
                long expected = n - (long) Math.floor((1 - rho) * n + 1e-6); // NTK-SAP's int((1 − ρ_τ)·d) pruned
                assertEquals(expected, kept.get(tau - 1), "pruning round " + tau);
            }
            assertEquals(DensitySchedule.kept(n, RHO), kept.getLast());
            assertEquals(128, kept.getLast()); // ρ·n exactly at the end
            boolean[] mask = s.mask();
            long set = 0;
            for (boolean b : mask) {
                set += b ? 1 : 0;
            }
            assertEquals(128 + TestModels.mlp().parameterCount() - n, set, "biases are never pruned");
        }
    }

    @Test
    void forwardOnlyScorersFollowTheSameScheduleAndUploadTheSameBytes() {
        NtkZoSettings bp = settings(NtkZoSettings.Pruning.NTK, NtkZoSettings.Variant.SEED, K);
        NtkZoSettings zo = new NtkZoSettings(bp.pruning(), NtkZoSettings.Scorer.ZO, bp.density(), bp.pruneRounds(),
                bp.pruneBatch(), bp.ntkEpsilon(), bp.ntkDraws(), 64, bp.combination(), bp.variant(), bp.directions(),
                bp.sigma(), bp.localSteps(), bp.chunk(), bp.emaDecay(), bp.weightDecay(), bp.seed());
        Run a = run(bp, SEED_TRAIN, TP, 1);
        Run b = run(zo, SEED_TRAIN, TP, 1);
        try (NtkZo x = a.strategy(); NtkZo y = b.strategy()) {
            assertEquals(x.keptHistory(), y.keptHistory());
            for (int i = 0; i < TP; i++) {
                assertEquals(a.result().rounds().get(i).uplinkBytes(), b.result().rounds().get(i).uplinkBytes());
                assertTrue(b.result().rounds().get(i).peakClientBytes() < a.result().rounds().get(i).peakClientBytes(),
                        "the forward-only scorer needs no training network");
            }
            boolean[] mx = x.mask();
            boolean[] my = y.mask();
            int differ = 0;
            for (int i = 0; i < mx.length; i++) {
                differ += mx[i] != my[i] ? 1 : 0;
            }
            assertTrue(differ > 0, "the estimates differ from the back-propagated scores, so must some choices");
        }
    }

    @Test
    void prunedWeightsStayExactlyZeroThroughSeedAndFedZoTraining() {
        for (NtkZoSettings.Variant v : NtkZoSettings.Variant.values()) {
            TrainConfig train = v == NtkZoSettings.Variant.SEED ? SEED_TRAIN : new TrainConfig(1, 16, 0.02, 0);
            Run run = run(settings(NtkZoSettings.Pruning.NTK, v, K), train, TP + 6, 2);
            try (NtkZo s = run.strategy()) {
                boolean[] mask = s.mask();
                float[] w = run.result().finalWeights();
                float[] w0 = initialWeights();
                int changed = 0;
                for (int i = 0; i < w.length; i++) {
                    if (!mask[i]) {
                        assertEquals(0, Float.floatToRawIntBits(w[i]), v + ": pruned weight " + i + " is " + w[i]);
                    } else if (w[i] != w0[i]) {
                        changed++;
                    }
                }
                assertTrue(changed > 100, v + ": only " + changed + " active weights moved");
            }
        }
    }

    /** The global model's initialisation in a run with seed 11 (FederatedLoop: Seeds.init). */
    static float[] initialWeights() {
        try (KernelContext ctx = KernelContext.builder().threads(1).build();
                TensorArena a = TensorArena.open("init");
                Network net = Network.build(TestModels.mlp(), a, 1, false, ctx)) {
            net.parameters().initialize(dev.thimble.fl.core.Seeds.init(11));
            return net.parameters().values().toArray();
        }
    }

    @Test
    void uplinkAndDownlinkBytesAreExactlyTheDeclaredMessages() {
        long d = TestModels.mlp().parameterCount();
        long n = prunableCount();
        int perRound = CLIENTS / 2;
        long maskBytes = 4 * ((d + 31) / 32);
        Run seed = run(settings(NtkZoSettings.Pruning.NTK, NtkZoSettings.Variant.SEED, K), SEED_TRAIN, TP + 2, 2);
        try (NtkZo s = seed.strategy()) {
            List<RoundMetrics> m = seed.result().rounds();
            long activeBefore = n;
            for (int tau = 1; tau <= TP; tau++) {
                RoundMetrics r = m.get(tau - 1);
                assertEquals(perRound * 4 * activeBefore, r.uplinkBytes(), "pruning round " + tau + " uplink");
                assertEquals(perRound * (16 + maskBytes), r.downlinkBytes(), "pruning round " + tau + " downlink");
                activeBefore = s.keptHistory().get(tau - 1);
            }
            long nnz = activeBefore + d - n;
            for (int round = TP + 1; round <= TP + 2; round++) {
                RoundMetrics r = m.get(round - 1);
                assertEquals(perRound * (4 + 4L * K), r.uplinkBytes(), "K floats + header, round " + round);
                assertEquals(perRound * (new ZoRequest(new long[K], 0).bytes() + 8 + maskBytes + 4 * nnz),
                        r.downlinkBytes(), "seeds + mask + active weights, round " + round);
            }
        }
        Run fedzo = run(settings(NtkZoSettings.Pruning.MAGNITUDE, NtkZoSettings.Variant.FEDZO, K),
                new TrainConfig(1, 16, 0.02, 0), 2, 1);
        try (NtkZo s = fedzo.strategy()) {
            long nnz = DensitySchedule.kept(n, RHO) + d - n;
            for (RoundMetrics r : fedzo.result().rounds()) {
                assertEquals(perRound * 4 * nnz, r.uplinkBytes(), "sparse deltas: 4 bytes per active weight");
                assertEquals(perRound * (8 + maskBytes + 4 * nnz), r.downlinkBytes());
            }
        }
        Run dense = run(settings(NtkZoSettings.Pruning.NONE, NtkZoSettings.Variant.SEED, K), SEED_TRAIN, 1, 1);
        try (NtkZo s = dense.strategy()) {
            assertNull(s.mask());
            RoundMetrics r = dense.result().rounds().getFirst();
            assertEquals(perRound * (4 + 4L * K), r.uplinkBytes());
            assertEquals(perRound * (16 + 8L * K + 4 * d), r.downlinkBytes(), "dense ZO: every weight, no mask");
        }
    }

    @Test
    void serverReconstructionEqualsTheClientSideEstimate() {
        Model model = TestModels.mlp();
        int d = Math.toIntExact(model.parameterCount());
        int b = 16;
        Dataset data = TestModels.data(40, 9);
        NtkZoSettings s = settings(NtkZoSettings.Pruning.RANDOM, NtkZoSettings.Variant.SEED, 12);
        ZoEstimator est = s.estimator();
        try (KernelContext ctx = KernelContext.builder().threads(1).build();
                TensorArena server = TensorArena.open("server");
                TensorArena uplink = TensorArena.open("uplink");
                TensorArena client = TensorArena.open("client");
                Network ref = Network.build(model, server, s.chunk(), false, ctx);
                BitMask mask = server.mask(d);
                DenseF32 gServer = server.dense(d);
                DenseF32 gClient = server.dense(d);
                DenseF32 x = server.dense(s.chunk(), TestModels.FEATURES)) {
            ref.parameters().initialize(3);
            SplittableRandom rng = new SplittableRandom(4);
            for (int i = 0; i < d; i++) {
                mask.set(i, rng.nextDouble() < 0.4);
            }
            DenseF32 w = ref.parameters().values();
            dev.thimble.ops.VectorOps.applyMask(w, mask);
            ZoRequest request = ZoRequest.draw(new SplittableRandom(5), 12);
            long clientSeed = 77;
            FitResult fit;
            try (Payload down = NtkZoWire.seedRequest(server, request, mask, w)) {
                fit = new NtkZoClientTrainer(s).fit(new ClientContext(0, 1, clientSeed, data, model, client, uplink, ctx),
                        new FitInstructions(0, down, SEED_TRAIN));
            }
            try (Payload up = fit.payload()) {
                assertEquals(4 + 4 * 12, up.byteSize());
                float[] diffs = NtkZoWire.readSeedReply(up);
                est.reconstruct(ctx, request, new ZoReply(diffs), mask, gServer);
            }
            // the client's estimate computed locally: same batch, same chunks, same network, same mask
            ref.setWeightMasks(mask);
            try {
                ChunkedLoss loss = new ChunkedLoss(ref, data,
                        NtkZoClientTrainer.sample(data.size(), b, new SplittableRandom(clientSeed)), b, x);
                est.estimate(ctx, server, loss, w, mask, request, gClient);
            } finally {
                ref.setWeightMasks(null);
            }
            assertArrayEquals(gClient.toArray(), gServer.toArray(), "bit-identical reconstruction");
            assertTrue(dev.thimble.ops.VectorOps.norm2(gServer) > 0);
            for (int i = 0; i < d; i++) {
                if (!mask.get(i)) {
                    assertEquals(0f, gServer.get(i));
                }
            }
        }
    }

    @Test
    void zeroOrderClientPeakMemoryIsFarBelowBackPropagationOnLeNet() {
        Model lenet = Models.lenet5(10);
        Dataset data = Synthetic.images(64, 2);
        TrainConfig train = new TrainConfig(1, 32, 0.05, 0.9);
        peaks(lenet, data, train);
    }

    private static void peaks(Model lenet, Dataset data, TrainConfig train) {
        NtkZoSettings s = settings(NtkZoSettings.Pruning.NONE, NtkZoSettings.Variant.SEED, 4);
        long zo = peak(new Method(new NtkZo("ntk-zo", train, s), new NtkZoClientTrainer(s)), lenet, data);
        long bp = peak(new Method(new FedAvg(train), new SgdClientTrainer()), lenet, data);
        NtkZoSettings sparse = settings(NtkZoSettings.Pruning.MAGNITUDE, NtkZoSettings.Variant.SEED, 4);
        long zoSparse = peak(new Method(new NtkZo("ntk-zo", train, sparse), new NtkZoClientTrainer(sparse)), lenet,
                data);
        System.out.printf("lenet5 B=32 peak client arena: BP %d, ZO dense %d, ZO sparse %d%n", bp, zo, zoSparse);
        assertTrue(3 * zo < bp, "ZO " + zo + " vs BP " + bp);
        assertTrue(3 * zoSparse < bp, "sparse ZO " + zoSparse + " vs BP " + bp);
    }

    /** One round of one client through the loop; the round's peak client arena. */
    static long peak(Method m, Model model, Dataset data) {
        RunResult r = FederatedLoop.builder().model(model).method(m).clients(List.of(data)).rounds(1).seed(1)
                .threads(1).build().run();
        if (m.strategy() instanceof NtkZo z) {
            z.close();
        }
        return r.last().peakClientBytes();
    }

    @Test
    void learnsTheEasyTaskWellAboveChance() {
        NtkZoSettings s = new NtkZoSettings(NtkZoSettings.Pruning.NTK, NtkZoSettings.Scorer.BP, 0.5, 2, 32,
                NtkSap.DEFAULT_EPSILON, 1, 10, ScoreCombination.WEIGHTED_SUM, NtkZoSettings.Variant.SEED, 20, 1e-3f, 1,
                8, 0, 5e-4f, 5);
        Run run = run(s, new TrainConfig(1, 32, 2e-2, 0), 2 + 60, 2);
        try (NtkZo z = run.strategy()) {
            double acc = run.result().last().accuracy();
            double before = run.result().rounds().get(1).accuracy();
            System.out.printf("ntk-zo synthetic: accuracy after pruning %.3f, after 60 ZO steps %.3f%n", before, acc);
            assertTrue(acc > 0.6, "accuracy " + acc + " (chance 0.25)");
        }
    }

    @Test
    void sameSeedGivesTheSameRunWhateverTheThreads() {
        NtkZoSettings s = settings(NtkZoSettings.Pruning.NTK, NtkZoSettings.Variant.SEED, K);
        Run a = run(s, SEED_TRAIN, TP + 3, 1);
        Run b = run(s, SEED_TRAIN, TP + 3, 3);
        try (NtkZo x = a.strategy(); NtkZo y = b.strategy()) {
            assertArrayEquals(a.result().finalWeights(), b.result().finalWeights());
            assertArrayEquals(x.mask(), y.mask());
            for (int i = 0; i < a.result().rounds().size(); i++) {
                assertEquals(a.result().rounds().get(i).accuracy(), b.result().rounds().get(i).accuracy());
                assertEquals(a.result().rounds().get(i).uplinkBytes(), b.result().rounds().get(i).uplinkBytes());
            }
        }
        NtkZoSettings f = settings(NtkZoSettings.Pruning.MAGNITUDE, NtkZoSettings.Variant.FEDZO, K);
        TrainConfig t = new TrainConfig(1, 16, 0.02, 0);
        Run c = run(f, t, 3, 1);
        Run e = run(f, t, 3, 2);
        c.strategy().close();
        e.strategy().close();
        assertArrayEquals(c.result().finalWeights(), e.result().finalWeights());
    }

    @Test
    void badSettingsGetClearErrors() {
        NtkZoSettings d = settings(NtkZoSettings.Pruning.NTK, NtkZoSettings.Variant.SEED, K);
        IllegalArgumentException k0 = assertThrows(IllegalArgumentException.class, () -> with(d, 0, 0.1, 1e-3f, 2));
        assertTrue(k0.getMessage().contains("K"), k0.getMessage());
        for (double rho : new double[] {0, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(d, 4, rho, 1e-3f, 2));
            assertTrue(e.getMessage().contains("density"), e.getMessage());
        }
        for (float sigma : new float[] {0f, -1e-3f, Float.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(d, 4, 0.1, sigma, 2));
            assertTrue(e.getMessage().contains("sigma"), e.getMessage());
        }
        IllegalArgumentException tp = assertThrows(IllegalArgumentException.class, () -> with(d, 4, 0.1, 1e-3f, 0));
        assertTrue(tp.getMessage().contains("T_p"), tp.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> NtkZoSettings.Pruning.parse("snip"));
        assertTrue(name.getMessage().contains("ntk, random, magnitude, none"), name.getMessage());
        assertEquals(1.0, with(d, 4, 1.0, 1e-3f, 1).density()); // ρ = 1 is allowed: nothing pruned
    }

    static NtkZoSettings with(NtkZoSettings d, int k, double density, float sigma, int tp) {
        return new NtkZoSettings(d.pruning(), d.scorer(), density, tp, d.pruneBatch(), d.ntkEpsilon(), d.ntkDraws(),
                d.scoreDirections(), d.combination(), d.variant(), k, sigma, d.localSteps(), d.chunk(), d.emaDecay(),
                d.weightDecay(), d.seed());
    }
}
