package dev.thimble.fl.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.core.FederatedLoop;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.RoundMetrics;
import dev.thimble.fl.core.RunResult;
import dev.thimble.fl.core.TestModels;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A small deterministic FedAvg federation on synthetic data. */
class FedAvgTest {
    static final int CLIENTS = 10;
    static final int PER_CLIENT = 60;
    static final TrainConfig TRAIN = new TrainConfig(2, 16, 0.1, 0);

    static RunResult run(Method method, int threads, int rounds) {
        // one generator for both, so train and test share the class prototypes
        Dataset all = TestModels.data(CLIENTS * PER_CLIENT + 400, 1);
        Dataset train = all.subset(range(0, CLIENTS * PER_CLIENT));
        Dataset test = all.subset(range(CLIENTS * PER_CLIENT, all.size()));
        return FederatedLoop.builder()
                .model(TestModels.mlp())
                .method(method)
                .clients(TestModels.iid(train, CLIENTS, 3))
                .testData(test)
                .rounds(rounds)
                .fraction(0.5)
                .seed(11)
                .threads(threads)
                .build()
                .run();
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static Method fedAvg() {
        return new Method(new FedAvg(TRAIN), new SgdClientTrainer());
    }

    @Test
    void accuracyRisesWellAboveChanceAndMetricsAreExact() {
        RunResult r = run(fedAvg(), 2, 5);
        assertEquals(5, r.rounds().size());
        double chance = 1.0 / TestModels.CLASSES;
        assertTrue(r.last().accuracy() > chance + 0.4, "accuracy " + r.rounds());
        assertTrue(r.last().trainLoss() < r.rounds().getFirst().trainLoss(), r.rounds().toString());

        Model m = TestModels.mlp();
        long d = (long) TestModels.FEATURES * TestModels.HIDDEN + TestModels.HIDDEN
                + (long) TestModels.HIDDEN * TestModels.CLASSES + TestModels.CLASSES;
        assertEquals(d, m.parameterCount());
        long forward = 2L * TestModels.FEATURES * TestModels.HIDDEN + TestModels.HIDDEN // fc1
                + TestModels.HIDDEN // relu
                + 2L * TestModels.HIDDEN * TestModels.CLASSES + TestModels.CLASSES; // fc2
        assertEquals(forward, m.forwardFlops());
        int sampled = 5; // ⌈0.5 · 10⌉
        for (RoundMetrics rm : r.rounds()) {
            assertEquals(sampled, rm.sampledClients());
            assertEquals(0, rm.failedClients());
            assertEquals(sampled * 4 * d, rm.downlinkBytes(), "dense model down to each client");
            assertEquals(sampled * 4 * d, rm.uplinkBytes(), "dense model up from each client");
            assertEquals(sampled * 3L * forward * PER_CLIENT * TRAIN.localEpochs(), rm.flops());
            assertTrue(rm.peakClientBytes() > 4 * 2 * d, "parameters and gradients at least: " + rm);
            assertTrue(rm.seconds() > 0);
        }
    }

    @Test
    void sameSeedGivesIdenticalMetricsAndWeightsWhateverTheThreads() {
        RunResult a = run(fedAvg(), 2, 3);
        RunResult b = run(fedAvg(), 2, 3);
        RunResult c = run(fedAvg(), 1, 3);
        assertArrayEquals(a.finalWeights(), b.finalWeights());
        assertArrayEquals(a.finalWeights(), c.finalWeights());
        for (int i = 0; i < 3; i++) {
            assertEquals(withoutTime(a.rounds().get(i)), withoutTime(b.rounds().get(i)));
            assertEquals(withoutTime(a.rounds().get(i)), withoutTime(c.rounds().get(i)));
        }
    }

    @Test
    void fedProxWithZeroMuEqualsFedAvgExactly() {
        RunResult avg = run(fedAvg(), 2, 2);
        RunResult prox = run(new Method(new FedProx(TRAIN, 0), new SgdClientTrainer()), 2, 2);
        float[] a = avg.finalWeights();
        float[] p = prox.finalWeights();
        assertEquals(a.length, p.length);
        for (int i = 0; i < a.length; i++) {
            assertTrue(a[i] == p[i], "weight " + i + ": " + a[i] + " vs " + p[i]); // == so that −0 equals +0
        }
        assertEquals(withoutTime(avg.last()).accuracy(), withoutTime(prox.last()).accuracy());
    }

    @Test
    void fedProxProximalTermPullsTowardsTheGlobalModel() {
        // one round from the same start: a huge μ keeps the aggregate near the initial model
        RunResult start = run(new Method(new FedProx(new TrainConfig(1, 16, 1e-9, 0), 0), new SgdClientTrainer()),
                1, 1);
        RunResult free = run(new Method(new FedProx(TRAIN, 0), new SgdClientTrainer()), 1, 1);
        RunResult held = run(new Method(new FedProx(TRAIN, 5), new SgdClientTrainer()), 1, 1);
        assertTrue(distance(held.finalWeights(), start.finalWeights())
                < 0.5 * distance(free.finalWeights(), start.finalWeights()));
    }

    static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    static RoundMetrics withoutTime(RoundMetrics m) {
        return new RoundMetrics(m.round(), m.accuracy(), m.loss(), m.trainLoss(), m.uplinkBytes(), m.downlinkBytes(),
                m.flops(), m.peakClientBytes(), m.sampledClients(), m.failedClients(), 0);
    }

    @Test
    void registryKnowsBothMethods() {
        assertEquals(List.of("fedavg", "fedprox"), Methods.names().subList(0, 2));
        assertEquals("fedprox", Methods.create("fedprox", TRAIN, java.util.Map.of("mu", 0.1)).name());
    }
}
