package dev.thimble.fl.depth;

import dev.thimble.fl.nn.Model;
import dev.thimble.ops.KernelContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decomposes a model into FeDepth stages for a memory budget.
 *
 * <p>{@link Split#MEASURED} (default): greedy from the input — if training the whole model fits,
 * one stage; otherwise each stage starts at the first untrained block and takes as many further
 * blocks as still fit, where "fit" is the peak measured by {@link MemoryProbe} for that stage
 * (client model copy, frozen prefix for inference, trainable blocks with activations, gradients
 * and momentum, link, head, input batch). A budget that cannot hold even one block is refused with
 * the budget and the need.
 *
 * <p>{@link Split#TABLE}: FeDepth's hand-written splits for nine-block PreResNets
 * ({@code learning.py}, methods.md §5.1) by budget group, without a memory check (the client's
 * arena still enforces its budget).
 *
 * <p>Plans are cached by model, budget, batch and momentum; measuring runs a few single steps.
 */
public final class DepthPlanner {
    /** How stages are chosen. */
    public enum Split {
        /** Greedy on measured stage memory. */
        MEASURED,
        /** FeDepth's table by budget group. */
        TABLE;

        /** Parses {@code measured} or {@code table}. */
        public static Split parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("FeDepth split must be 'measured' or 'table', got '" + s + "'", e);
            }
        }
    }

    /** FeDepth's table (stage end blocks) for groups 0..3 of a nine-block model. */
    private static final int[][] TABLE = {{1, 2, 3, 4, 6, 9}, {2, 4, 9}, {3, 9}, {9}};

    private final Map<String, DepthPlan> cache = new ConcurrentHashMap<>();

    /**
     * The measured greedy plan for {@code budgetBytes} (≤ 0 or {@code Long.MAX_VALUE}: the whole
     * model as one stage).
     *
     * @throws IllegalArgumentException if no stage fits, naming the budget and the smallest need
     */
    public DepthPlan plan(Model model, long budgetBytes, int batch, double momentum, KernelContext kernels) {
        return plan(model, false, budgetBytes, batch, momentum, kernels);
    }

    /** {@link #plan(Model, long, int, double, KernelContext)}, with m-FeDepth's per-stage heads when {@code multiHead}. */
    public DepthPlan plan(Model model, boolean multiHead, long budgetBytes, int batch, double momentum,
            KernelContext kernels) {
        String key = model.name() + java.util.Arrays.toString(model.inputShape()) + "/" + budgetBytes + "/" + batch
                + "/" + (momentum != 0) + "/" + multiHead;
        DepthPlan cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        DepthPlan p = measure(multiHead ? BlockLayout.multiHead(model) : BlockLayout.of(model), budgetBytes, batch,
                momentum, kernels);
        cache.putIfAbsent(key, p);
        return p;
    }

    private static DepthPlan measure(BlockLayout layout, long budget, int batch, double momentum,
            KernelContext kernels) {
        int n = layout.blocks();
        if (budget <= 0 || budget == Long.MAX_VALUE
                || MemoryProbe.whole(layout.model(), batch, momentum, kernels) <= budget) {
            return DepthPlan.whole(n);
        }
        List<DepthPlan.Stage> stages = new ArrayList<>();
        int from = 0;
        while (from < n) {
            DepthPlan.Stage one = new DepthPlan.Stage(from, from + 1);
            long need = MemoryProbe.stage(layout, one, batch, momentum, kernels);
            if (need > budget) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "FeDepth: a memory budget of %,d bytes fits no stage of %s at batch %d: the smallest stage"
                                + " starting at block %d (%s with its frozen prefix, link and head) needs %,d bytes",
                        budget, layout.model().name(), batch, from + 1, one, need));
            }
            int to = from + 1;
            while (to < n && MemoryProbe.stage(layout, new DepthPlan.Stage(from, to + 1), batch, momentum,
                    kernels) <= budget) {
                to++;
            }
            stages.add(new DepthPlan.Stage(from, to));
            from = to;
        }
        return new DepthPlan(n, stages);
    }

    /** FeDepth's hand-written split for budget group {@code group} (0 = 1/6 … 3 = full) of a nine-block model. */
    public static DepthPlan table(int blocks, int group) {
        if (blocks != 9) {
            throw new IllegalArgumentException("FeDepth's table split is defined for nine blocks (PreResNet-20), the"
                    + " model has " + blocks + "; use --fedepth-split measured");
        }
        if (group < 0 || group >= TABLE.length) {
            throw new IllegalArgumentException("FeDepth's table has groups 0 to 3, got " + group);
        }
        return DepthPlan.of(blocks, TABLE[group]);
    }
}
