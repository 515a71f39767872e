package dev.thimble.fl.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.core.FederatedLoop;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.RoundMetrics;
import dev.thimble.fl.core.RunResult;
import dev.thimble.fl.core.TestModels;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.ParamSpec;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FedDIP on the synthetic federation of {@link FedAvgTest}: schedule, masks, bytes, accuracy. */
class FedDipTest {
    static final int ROUNDS = 12;
    static final int R = 2;
    static final double S0 = 0.5;
    static final double ST = 0.8;

    record Run(RunResult result, List<BitSet> masks, FedDip strategy) {
    }

    static Run run(int threads) {
        return run(threads, new FedDip(FedAvgTest.TRAIN, ROUNDS, S0, ST, R, 1e-3));
    }

    static Run run(int threads, FedDip s) {
        Dataset all = TestModels.data(FedAvgTest.CLIENTS * FedAvgTest.PER_CLIENT + 400, 1);
        Dataset train = all.subset(FedAvgTest.range(0, FedAvgTest.CLIENTS * FedAvgTest.PER_CLIENT));
        Dataset test = all.subset(FedAvgTest.range(FedAvgTest.CLIENTS * FedAvgTest.PER_CLIENT, all.size()));
        List<BitSet> masks = new ArrayList<>();
        RunResult r = FederatedLoop.builder()
                .model(TestModels.mlp())
                .method(new Method(s, new FedDipClientTrainer()))
                .clients(TestModels.iid(train, FedAvgTest.CLIENTS, 3))
                .testData(test)
                .rounds(ROUNDS)
                .fraction(0.5)
                .seed(11)
                .threads(threads)
                .onRound(m -> masks.add(s.mask()))
                .build()
                .run();
        return new Run(r, masks, s);
    }

    static long prunableCount() {
        return TestModels.mlp().parameterSpecs().stream().filter(ParamSpec::prunable).mapToLong(ParamSpec::size).sum();
    }

    @Test
    void densitiesFollowTheScheduleAndMasksOnlyShrink() {
        Run run = run(2);
        long n = prunableCount();
        long d = TestModels.mlp().parameterCount();
        long nonPrunable = d - n;
        List<Long> kept = run.strategy().keptHistory();
        assertEquals(ROUNDS, kept.size());
        for (int round = 1; round <= ROUNDS; round++) {
            int t = round - 1;
            int lastPrune = t - t % R;
            long expected = n - FedDipSchedules.prunedCount(FedDipSchedules.sparsity(lastPrune, ROUNDS, S0, ST), n);
            assertEquals(expected, kept.get(t), "round " + round);
            assertEquals(expected + nonPrunable, run.masks().get(t).cardinality(), "biases always kept");
        }
        assertEquals(n - FedDipSchedules.prunedCount(S0, n), kept.getFirst());
        for (int i = 1; i < run.masks().size(); i++) {
            BitSet grown = (BitSet) run.masks().get(i).clone();
            grown.andNot(run.masks().get(i - 1));
            assertTrue(grown.isEmpty(), "mask of round " + (i + 1) + " adds positions " + grown);
        }
        float[] w = run.result().finalWeights();
        BitSet last = run.masks().getLast();
        for (int i = 0; i < w.length; i++) {
            if (!last.get(i)) {
                assertEquals(0f, w[i], "pruned weight " + i);
            }
        }
    }

    @Test
    void uploadsAndDownloadsHaveTheDeclaredBytes() {
        Run run = run(2);
        long d = TestModels.mlp().parameterCount();
        int sampled = 5;
        List<RoundMetrics> rounds = run.result().rounds();
        assertEquals(sampled * 4 * d, rounds.getFirst().uplinkBytes(), "round 1: dense, no global mask yet");
        assertEquals(sampled * 4 * d, rounds.getFirst().downlinkBytes());
        for (int i = 1; i < rounds.size(); i++) {
            long nnz = run.masks().get(i - 1).cardinality(); // the mask sent at the start of round i + 1
            long bytes = sampled * (4 * nnz + (d + 7) / 8);
            assertEquals(bytes, rounds.get(i).uplinkBytes(), "round " + (i + 1));
            assertEquals(bytes, rounds.get(i).downlinkBytes(), "round " + (i + 1));
        }
    }

    @Test
    void accuracyClearlyAboveChanceAndDeterministic() {
        Run a = run(2);
        Run b = run(1);
        double chance = 1.0 / TestModels.CLASSES;
        assertTrue(a.result().last().accuracy() > chance + 0.4, "accuracy " + a.result().rounds());
        assertArrayEquals(a.result().finalWeights(), b.result().finalWeights());
    }

    @Test
    void registeredWithCliOptions() {
        Method m = Methods.create("feddip", new TrainConfig(1, 8, 0.1, 0), Map.of("rounds", 40.0, "sparsity", 0.95,
                "init_sparsity", 0.4, "reconfig_interval", 3.0, "lambda_max", 2e-3));
        assertEquals("feddip", m.name());
        assertTrue(m.trainer() instanceof FedDipClientTrainer);
        assertNull(((FedDip) m.strategy()).mask());
    }

    @Test
    void regrowthVariantFollowsTheScheduleLetsPrunedWeightsBackAndUploadsDense() {
        FedDip s = new FedDip(FedAvgTest.TRAIN, ROUNDS, S0, ST, R, 1e-3, FedDip.Variant.REGROWTH, "feddip-regrowth");
        Run run = run(2, s);
        long n = prunableCount();
        long d = TestModels.mlp().parameterCount();
        List<Long> kept = s.keptHistory();
        boolean regrew = false;
        for (int round = 1; round <= ROUNDS; round++) {
            int t = round - 1;
            int lastPrune = t - t % R;
            assertEquals(n - FedDipSchedules.prunedCount(FedDipSchedules.sparsity(lastPrune, ROUNDS, S0, ST), n),
                    kept.get(t), "round " + round);
            if (t > 0) {
                BitSet grown = (BitSet) run.masks().get(t).clone();
                grown.andNot(run.masks().get(t - 1));
                regrew |= !grown.isEmpty();
            }
        }
        assertTrue(regrew, "no pruned weight re-entered the mask in " + ROUNDS + " rounds");
        // the global model is the dense server copy under the mask
        float[] w = run.result().finalWeights();
        float[] dense = s.denseWeights();
        BitSet last = run.masks().getLast();
        for (int i = 0; i < w.length; i++) {
            assertEquals(last.get(i) ? dense[i] : 0f, w[i], "weight " + i);
        }
        List<RoundMetrics> rounds = run.result().rounds();
        for (int i = 0; i < rounds.size(); i++) {
            assertEquals(5 * 4 * d, rounds.get(i).uplinkBytes(), "dense uploads, round " + (i + 1));
        }
        for (int i = 1; i < rounds.size(); i++) {
            long nnz = run.masks().get(i - 1).cardinality();
            assertEquals(5 * (4 * nnz + (d + 7) / 8), rounds.get(i).downlinkBytes(), "masked download, round " + (i + 1));
        }
        assertTrue(run.result().last().accuracy() > 1.0 / TestModels.CLASSES + 0.4, "accuracy " + rounds);
    }

    @Test
    void pruneOnceKeepsOneStaticMaskAtTheTargetSparsity() {
        double sparsity = 0.6; // at s_T = 0.8 from round 1 this 16-32-4 network does not start learning in 12 rounds
        FedDip s = FedDip.pruneOnce(FedAvgTest.TRAIN, ROUNDS, sparsity);
        Run run = run(2, s);
        long n = prunableCount();
        long expected = n - FedDipSchedules.prunedCount(sparsity, n);
        for (int t = 0; t < ROUNDS; t++) {
            assertEquals(expected, s.keptHistory().get(t), "round " + (t + 1));
            assertEquals(run.masks().getFirst(), run.masks().get(t), "the mask never changes, round " + (t + 1));
        }
        assertEquals(0.0, s.fitConfig(ROUNDS).extra(FedDip.LAMBDA_KEY, -1), "no regulariser");
        assertEquals("prune-once", s.name());
        assertTrue(run.result().last().accuracy() > 1.0 / TestModels.CLASSES + 0.4, "accuracy " + run.result().rounds());
    }

    @Test
    void variantsAreRegistered() {
        TrainConfig t = new TrainConfig(1, 8, 0.1, 0);
        Map<String, Double> o = Map.of("rounds", 40.0, "sparsity", 0.95);
        assertEquals(FedDip.Variant.REGROWTH, ((FedDip) Methods.create("feddip-regrowth", t, o).strategy()).variant());
        assertEquals("prune-once", Methods.create("prune-once", t, o).name());
    }
}
