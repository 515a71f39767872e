package dev.thimble.fl.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.ClientTrainer;
import dev.thimble.fl.core.FederatedLoop;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.RunResult;
import dev.thimble.fl.core.Strategy;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.IidPartitioner;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.strategy.Methods;
import dev.thimble.ops.KernelContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Small deterministic FeDepth and HeteroFL federations under FeDepth-style budgets. */
class FeDepthTest {
    static final int CLIENTS = 8;
    static final int PER_CLIENT = 48;
    static final int B = 8;
    static final TrainConfig TRAIN = new TrainConfig(1, B, 0.05, 0.9);
    /** Budgets the tiny model can meet (its smallest stage needs about 30% of the whole). */
    static final double[] FRACTIONS = {0.4, 0.5, 0.7, 1.0};

    /** Records each client's arena limit and peak. */
    static final class Recording implements ClientTrainer {
        final ClientTrainer inner;
        final Map<Integer, long[]> seen = new ConcurrentHashMap<>(); // client -> {limit, peak}

        Recording(ClientTrainer inner) {
            this.inner = inner;
        }

        @Override
        public FitResult fit(ClientContext ctx, FitInstructions ins) {
            FitResult r = inner.fit(ctx, ins);
            seen.merge(ctx.clientId(), new long[] {ctx.arena().limitBytes(), ctx.arena().peakBytes()},
                    (a, b) -> new long[] {a[0], Math.max(a[1], b[1])});
            return r;
        }
    }

    static RunResult run(Strategy strategy, ClientTrainer trainer, int rounds) {
        Dataset all = DepthTestModels.data(CLIENTS * PER_CLIENT + 200, 1);
        Dataset train = all.subset(range(0, CLIENTS * PER_CLIENT));
        Dataset test = all.subset(range(CLIENTS * PER_CLIENT, all.size()));
        List<Dataset> parts = new ArrayList<>();
        for (int[] p : new IidPartitioner().split(train, CLIENTS, 3)) {
            parts.add(train.subset(p));
        }
        return FederatedLoop.builder().model(DepthTestModels.model()).method(new Method(strategy, trainer))
                .clients(parts).testData(test).rounds(rounds).fraction(1.0).seed(5).threads(2).build().run();
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static MemoryBudgets budgets() {
        return new MemoryBudgets(FRACTIONS, B, TRAIN.momentum(), 0);
    }

    @Test
    void feDepthLearnsWithinEveryClientsBudget() {
        Recording trainer = new Recording(new FeDepthClientTrainer(DepthPlanner.Split.MEASURED));
        RunResult r = run(new FeDepth(TRAIN, 8, CLIENTS, budgets()), trainer, 8);
        long full = MemoryProbe.whole(DepthTestModels.model(), B, TRAIN.momentum(), KernelContext.global());
        assertEquals(CLIENTS, trainer.seen.size());
        for (Map.Entry<Integer, long[]> e : trainer.seen.entrySet()) {
            int group = 4 * e.getKey() / CLIENTS;
            long budget = (long) Math.floor(FRACTIONS[group] * full);
            assertEquals(budget, e.getValue()[0], "client " + e.getKey() + "'s arena limit");
            assertTrue(e.getValue()[1] <= budget, "client " + e.getKey() + " peaked at " + e.getValue()[1] + " > "
                    + budget);
        }
        // the full-budget group trains the whole model: its peak is the full training memory exactly
        assertEquals(full, trainer.seen.get(CLIENTS - 1)[1]);
        assertEquals(0, r.rounds().stream().mapToInt(m -> m.failedClients()).sum());
        assertTrue(r.last().accuracy() > 0.7, "accuracy " + r.rounds());
        // dense full models both ways
        long d = DepthTestModels.model().parameterCount();
        assertEquals(CLIENTS * 4L * d, r.last().uplinkBytes());
        assertEquals(CLIENTS * 4L * d, r.last().downlinkBytes());
    }

    @Test
    void withSurplusMemoryTheTopGroupAlsoTrainsAPrivateModelByMutualLearning() {
        double[] fractions = {0.4, 0.5, 0.7, 2.5};
        FeDepthClientTrainer inner = new FeDepthClientTrainer(DepthPlanner.Split.MEASURED, true, 1.0);
        Recording trainer = new Recording(inner);
        MemoryBudgets b = new MemoryBudgets(fractions, B, TRAIN.momentum(), 0);
        RunResult r = run(new FeDepth(TRAIN, 8, CLIENTS, b), trainer, 8);
        long full = MemoryProbe.whole(DepthTestModels.model(), B, TRAIN.momentum(), KernelContext.global());
        long dml = MemoryProbe.mutual(DepthTestModels.model(), B, TRAIN.momentum(), KernelContext.global());
        assertTrue(dml > full && dml <= 2.5 * full, "mutual learning needs " + dml + " B, one model " + full + " B");
        assertEquals(2, inner.auxiliaryModels(), "only the two top-group clients keep an auxiliary model");
        for (Map.Entry<Integer, long[]> e : trainer.seen.entrySet()) {
            assertTrue(e.getValue()[1] <= e.getValue()[0], "client " + e.getKey() + " over its budget");
        }
        assertEquals(dml, trainer.seen.get(CLIENTS - 1)[1], "the top group's peak is that of two models");
        // the auxiliary model is never uploaded: uplink is one full model per client
        assertEquals(CLIENTS * 4L * DepthTestModels.model().parameterCount(), r.last().uplinkBytes());
        assertTrue(r.last().accuracy() > 0.7, "accuracy " + r.rounds());
    }

    @Test
    void multiHeadFeDepthTrainsAHeadPerStageAndUploadsOnlyThoseItTrained() {
        Recording trainer = new Recording(new FeDepthClientTrainer(DepthPlanner.Split.MEASURED, false, 1.0, true));
        FeDepth strategy = new FeDepth(TRAIN, 8, CLIENTS, budgets(), true);
        assertEquals("m-fedepth", strategy.name());
        RunResult r = run(strategy, trainer, 8);
        Model model = DepthTestModels.model();
        BlockLayout layout = BlockLayout.multiHead(model);
        long n = layout.totalCount();
        long full = MemoryProbe.whole(model, B, TRAIN.momentum(), KernelContext.global());
        DepthPlanner planner = new DepthPlanner();
        long expectedUplink = 0;
        for (int k = 0; k < CLIENTS; k++) {
            long budget = (long) Math.floor(FRACTIONS[4 * k / CLIENTS] * full);
            long[] seen = trainer.seen.get(k);
            assertEquals(budget, seen[0]);
            assertTrue(seen[1] <= budget, "client " + k + " peaked at " + seen[1] + " > " + budget);
            DepthPlan plan = planner.plan(model, true, budget, B, TRAIN.momentum(), KernelContext.global());
            long sent = model.parameterCount();
            if (!plan.isWhole()) {
                for (DepthPlan.Stage s : plan.stages()) {
                    sent += layout.auxRange(s.to())[1];
                }
            }
            expectedUplink += 4 * sent + (n + 7) / 8;
        }
        assertEquals(expectedUplink, r.last().uplinkBytes(), "bitmask uploads of the model and the trained heads");
        assertEquals(CLIENTS * 4L * n, r.last().downlinkBytes(), "model and every head, dense");
        assertTrue(r.last().accuracy() > 0.6, "accuracy " + r.rounds());
    }

    @Test
    void aMultiHeadStageEndsInItsOwnHeadAndTheLastStageInTheModels() {
        BlockLayout layout = BlockLayout.multiHead(DepthTestModels.model());
        List<String> early = layout.stage(0, 2).layers().stream().map(l -> l.name()).toList();
        assertEquals(List.of("conv1", "bn1", "block1", "block2", "head2_bn", "head2_pool", "head2_fc"), early);
        List<String> last = layout.stage(6, 9).layers().stream().map(l -> l.name()).toList();
        assertEquals(List.of("block7", "block8", "block9", "bn_out", "relu_out", "pool", "fc"), last);
        // heads after blocks 1..8: BN 2c + FC c·4 + 4 with c = 2 (blocks 1-3), 4 (4-6), 8 (7-8)
        long heads = 3 * (4 + 8 + 4) + 3 * (8 + 16 + 4) + 2 * (16 + 32 + 4);
        assertEquals(DepthTestModels.model().parameterCount() + heads, layout.totalCount());
    }

    @Test
    void aBudgetNoBlockFitsStopsTheRunWithAClearError() {
        MemoryBudgets tiny = new MemoryBudgets(new double[] {0.05, 1.0}, B, TRAIN.momentum(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(new FeDepth(TRAIN, 1, CLIENTS, tiny), new FeDepthClientTrainer(DepthPlanner.Split.MEASURED),
                        1));
        assertTrue(e.getMessage().contains("fits no stage"), e.getMessage());
    }

    @Test
    void clientsFallInEqualGroupsByIndexWithFeDepthsFractions() {
        MemoryBudgets b = new MemoryBudgets(MemoryBudgets.FEDEPTH_FRACTIONS, 32, 0.9, 600);
        assertEquals(0, b.group(0, 200));
        assertEquals(0, b.group(49, 200));
        assertEquals(1, b.group(50, 200));
        assertEquals(2, b.group(100, 200));
        assertEquals(3, b.group(199, 200));
        assertEquals(2, b.group(5, 8));
        // given M = 600 bytes: ⌊600/6⌋, ⌊600/3⌋, 300, 600
        assertEquals(100, b.budget(0, null));
        assertEquals(200, b.budget(1, null));
        assertEquals(300, b.budget(2, null));
        assertEquals(600, b.budget(3, null));
        assertThrows(IllegalArgumentException.class, () -> b.group(200, 200));
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudgets(new double[] {0.5, -1}, 32, 0.9, 0));
    }

    @Test
    void theCosineScheduleStartsAtTheMaximumAndHalvesMidway() {
        assertEquals(0.01, FeDepth.cosineLr(0.01, 1, 100), 1e-15);
        assertEquals(0.005, FeDepth.cosineLr(0.01, 51, 100), 1e-12);
        assertTrue(FeDepth.cosineLr(0.01, 100, 100) > 0);
    }

    @Test
    void heteroFlLearnsWithinEveryClientsBudget() {
        Recording trainer = new Recording(new HeteroFlClientTrainer());
        HeteroFl strategy = new HeteroFl(TRAIN, 8, CLIENTS, budgets(), new double[] {0.4, 0.5, 0.7, 1.0});
        RunResult r = run(strategy, trainer, 8);
        for (Map.Entry<Integer, long[]> e : trainer.seen.entrySet()) {
            assertTrue(e.getValue()[1] <= e.getValue()[0], "client " + e.getKey() + " peaked at " + e.getValue()[1]
                    + " > " + e.getValue()[0]);
        }
        double[] w = strategy.effectiveWidths();
        for (int g = 0; g < w.length; g++) {
            assertTrue(w[g] > 0 && w[g] <= FRACTIONS[g], "width " + g + ": " + w[g]);
        }
        assertEquals(1.0, w[3]);
        assertTrue(r.last().accuracy() > 0.6, "accuracy " + r.rounds());
        // each client downloads and uploads its sub-network only
        Model full = DepthTestModels.model();
        long bytes = 0;
        for (int k = 0; k < CLIENTS; k++) {
            bytes += 4L * WidthSlicing.slim(full, w[4 * k / CLIENTS]).parameterCount();
        }
        assertEquals(bytes, r.last().uplinkBytes());
        assertEquals(bytes, r.last().downlinkBytes());
    }

    /** Fails every client from round {@code from} on: each allocates past its arena's budget. */
    static final class FailingFrom implements ClientTrainer {
        final ClientTrainer inner;
        final int from;

        FailingFrom(ClientTrainer inner, int from) {
            this.inner = inner;
            this.from = from;
        }

        @Override
        public FitResult fit(ClientContext ctx, FitInstructions ins) {
            if (ctx.round() >= from) {
                assertTrue(ctx.arena().limitBytes() > 0);
                ctx.arena().dense(Math.toIntExact(ctx.arena().limitBytes() / Float.BYTES + 1)); // over its budget
            }
            return inner.fit(ctx, ins);
        }
    }

    @Test
    void aLastRoundWhereEveryClientFailsLeavesNoDownloadBehind() {
        // the server arena checks for leaks when the run ends: before endRound, the skipped round's
        // downloads were still in it and the finished run died with an IllegalStateException
        HeteroFl hetero = new HeteroFl(TRAIN, 2, CLIENTS, budgets(), new double[] {0.4, 0.5, 0.7, 1.0});
        RunResult h = run(hetero, new FailingFrom(new HeteroFlClientTrainer(), 2), 2);
        assertEquals(CLIENTS, h.last().failedClients());
        FeDepth multiHead = new FeDepth(TRAIN, 2, CLIENTS, budgets(), true);
        RunResult m = run(multiHead, new FailingFrom(new FeDepthClientTrainer(DepthPlanner.Split.MEASURED, false,
                FeDepthClientTrainer.DML_LAMBDA, true), 2), 2);
        assertEquals(CLIENTS, m.last().failedClients());
        assertEquals(0, m.rounds().getFirst().failedClients());
    }

    @Test
    void bothAreRegisteredByName() {
        Map<String, Double> o = Map.of("clients", 8.0, "rounds", 3.0);
        assertEquals("fedepth", Methods.create("fedepth", TRAIN, o).name());
        assertEquals("heterofl", Methods.create("heterofl", TRAIN, o).name());
        assertThrows(IllegalArgumentException.class, () -> Methods.create("fedepth", TRAIN, Map.of("clients", 0.0)));
    }
}
