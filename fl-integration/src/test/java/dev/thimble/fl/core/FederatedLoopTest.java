package dev.thimble.fl.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.strategy.FedAvg;
import dev.thimble.fl.strategy.SgdClientTrainer;
import dev.thimble.tensor.Bytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Budgets, failures and the loop's contract with strategies. */
class FederatedLoopTest {
    static final TrainConfig TRAIN = new TrainConfig(1, 64, 0.1, 0);

    /** Client 0 holds 200 samples (batches of 64), clients 1 and 2 hold 8 (batches of 8): client 0 needs more memory. */
    static List<Dataset> unevenClients() {
        Dataset d = TestModels.data(216, 5);
        List<Dataset> out = new ArrayList<>();
        out.add(d.subset(range(0, 200)));
        out.add(d.subset(range(200, 208)));
        out.add(d.subset(range(208, 216)));
        return out;
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static RunResult run(List<Dataset> clients, long budget, List<RoundMetrics> seen, Strategy strategy) {
        return FederatedLoop.builder().model(TestModels.mlp())
                .method(new Method(strategy, new SgdClientTrainer()))
                .clients(clients).testData(TestModels.data(100, 6)).rounds(2).fraction(1.0).seed(3)
                .clientMemoryBytes(budget).onRound(seen::add).build().run();
    }

    static long peak(List<Dataset> clients) {
        return run(clients, 0, new ArrayList<>(), new FedAvg(TRAIN)).last().peakClientBytes();
    }

    @Test
    void clientOverBudgetFailsWithTheLimitWhileTheRoundCompletes() {
        List<Dataset> all = unevenClients();
        long big = peak(all.subList(0, 1));
        long small = peak(all.subList(1, 3));
        assertTrue(big > small, big + " vs " + small);
        long budget = (big + small) / 2;

        List<String> messages = new ArrayList<>();
        Strategy recording = new FedAvg(TRAIN) {
            @Override
            public void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures,
                    ServerState state) {
                failures.forEach(f -> messages.add(f.clientId() + ": " + f.message()));
                assertEquals(List.of(1, 2), results.stream().map(ClientResult::clientId).toList());
                super.aggregateFit(round, results, failures, state);
            }
        };
        List<RoundMetrics> seen = new ArrayList<>();
        RunResult r = run(all, budget, seen, recording);
        assertEquals(2, seen.size());
        for (RoundMetrics m : r.rounds()) {
            assertEquals(1, m.failedClients());
            assertEquals(3, m.sampledClients());
            assertTrue(m.peakClientBytes() <= budget);
            assertEquals(2 * 4 * TestModels.mlp().parameterCount(), m.uplinkBytes(), "two uploads");
            assertEquals(3 * 4 * TestModels.mlp().parameterCount(), m.downlinkBytes(), "three downloads");
        }
        assertEquals(2, messages.size());
        assertTrue(messages.getFirst().startsWith("0: "), messages.toString());
        assertTrue(messages.getFirst().contains("client-0") && messages.getFirst().contains(Bytes.format(budget)),
                messages.toString());
    }

    @Test
    void roundWhereEveryClientFailsIsSkippedAndKeepsTheModel() {
        List<Dataset> all = unevenClients();
        RunResult untouched = FederatedLoop.builder().model(TestModels.mlp())
                .method(new Method(new FedAvg(TRAIN) {
                    @Override
                    public void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures,
                            ServerState state) {
                        // keeps the initial model
                    }
                }, new SgdClientTrainer()))
                .clients(all).rounds(1).seed(3).build().run();
        RunResult r = run(all, 1024, new ArrayList<>(), new FedAvg(TRAIN));
        for (RoundMetrics m : r.rounds()) {
            assertEquals(3, m.failedClients());
            assertEquals(0, m.uplinkBytes());
            assertEquals(0, m.flops());
            assertTrue(Double.isNaN(m.trainLoss()));
        }
        assertArrayEquals(untouched.finalWeights(), r.finalWeights(), "the initial model, unchanged");
    }

    @Test
    void rejectsBadConfiguration() {
        List<Dataset> all = unevenClients();
        Method m = new Method(new FedAvg(TRAIN), new SgdClientTrainer());
        assertThrows(IllegalArgumentException.class,
                () -> FederatedLoop.builder().model(TestModels.mlp()).method(m).clients(all).rounds(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> FederatedLoop.builder().model(TestModels.mlp()).method(m).clients(all).fraction(1.5).build());
        assertThrows(IllegalArgumentException.class,
                () -> FederatedLoop.builder().model(TestModels.mlp()).method(m).clients(List.of()).build());
    }
}
