package dev.thimble.fl.depth;

import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.TrainConfig;
import java.util.Map;

/**
 * Factories of {@link FeDepth} and {@link HeteroFl} from the CLI's named numbers: {@code rounds},
 * {@code clients} (default 1, for tools that probe a single client), {@code client_memory} (M in bytes, 0 = measure), {@code budget_groups} and
 * {@code budget_0..} (the fractions, default {1/6, 1/3, 1/2, 1}), {@code fedepth_split}
 * (0 = measured, 1 = table), {@code fedepth_mutual} (1 = mutual learning with surplus memory),
 * {@code fedepth_multihead} (1 = m-FeDepth's per-stage heads) and
 * {@code width_0..} (HeteroFL's widths).
 */
public final class DepthMethods {
    private DepthMethods() {
    }

    /** FeDepth with its client trainer. */
    public static Method fedepth(TrainConfig t, Map<String, Double> o) {
        DepthPlanner.Split split = o.getOrDefault("fedepth_split", 0.0) == 1.0 ? DepthPlanner.Split.TABLE
                : DepthPlanner.Split.MEASURED;
        boolean mutual = o.getOrDefault("fedepth_mutual", 0.0) != 0;
        boolean multiHead = o.getOrDefault("fedepth_multihead", 0.0) != 0;
        return new Method(new FeDepth(t, rounds(o), clients(o), budgets(t, o), multiHead),
                new FeDepthClientTrainer(split, mutual, FeDepthClientTrainer.DML_LAMBDA, multiHead));
    }

    /** HeteroFL with its client trainer. */
    public static Method heterofl(TrainConfig t, Map<String, Double> o) {
        MemoryBudgets b = budgets(t, o);
        double[] w = new double[b.groups()];
        for (int g = 0; g < w.length; g++) {
            w[g] = o.getOrDefault("width_" + g,
                    w.length == HeteroFl.DEFAULT_WIDTHS.length ? HeteroFl.DEFAULT_WIDTHS[g] : Math.min(1, b.fraction(g)));
        }
        return new Method(new HeteroFl(t, rounds(o), clients(o), b, w), new HeteroFlClientTrainer());
    }

    private static MemoryBudgets budgets(TrainConfig t, Map<String, Double> o) {
        int groups = (int) (double) o.getOrDefault("budget_groups", (double) MemoryBudgets.FEDEPTH_FRACTIONS.length);
        double[] f = new double[groups];
        for (int g = 0; g < groups; g++) {
            Double v = o.get("budget_" + g);
            if (v == null && groups != MemoryBudgets.FEDEPTH_FRACTIONS.length) {
                throw new IllegalArgumentException("budget group " + g + " has no fraction");
            }
            f[g] = v != null ? v : MemoryBudgets.FEDEPTH_FRACTIONS[g];
        }
        return new MemoryBudgets(f, t.batchSize(), t.momentum(), (long) (double) o.getOrDefault("client_memory", 0.0));
    }

    private static int rounds(Map<String, Double> o) {
        return (int) (double) o.getOrDefault("rounds", 100.0);
    }

    private static int clients(Map<String, Double> o) {
        // tools that probe one client (thimble profile) give no N: one client, the smallest group
        return (int) (double) o.getOrDefault("clients", 1.0);
    }
}
