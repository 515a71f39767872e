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
        FedDip s = new FedDip(FedAvgTest.TRAIN, ROUNDS, S0, ST, R, 1e-3);
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
}
