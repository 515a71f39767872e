package dev.thimble.bench;

import dev.thimble.fl.core.ClientProbe;
import dev.thimble.fl.core.Method;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.Synthetic;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Models;
import dev.thimble.fl.strategy.Methods;
import dev.thimble.fl.strategy.NtkZoSettings;
import java.util.Map;

/**
 * Peak tensor memory of one client's first round (one batch of 32, one epoch) for every
 * registered method, exactly as the loop runs it ({@link ClientProbe}); one line per method on
 * stdout, {@code method<TAB>model<TAB>bytes} (read by the report). LeNet-5 for every method but
 * the depth-wise ones, which need residual blocks: FeDepth and HeteroFL run PreResNet-20 of base
 * width 4 with the budgets of docs/REPRODUCTION.md, and the probed client is in the lowest group.
 * The figure is deterministic (arena accounting), so it is measured once, not by JMH.
 */
public final class MethodMemory {
    private MethodMemory() {
    }

    /** Prints the table. */
    public static void main(String[] args) {
        TrainConfig train = new TrainConfig(1, 32, 0.05, 0.9);
        Dataset batch = Synthetic.images(32, 1);
        int[] shape = batch.sampleShape();
        for (String name : Methods.names()) {
            boolean depth = name.equals("fedepth") || name.equals("heterofl");
            Model model = depth ? Models.preResNet20(shape, 10, 4) : Models.lenet5(10);
            Map<String, Double> options = depth
                    ? Map.of("clients", 4.0, "budget_groups", 4.0, "budget_0", 0.31, "budget_1", 1 / 3.0,
                            "budget_2", 0.5, "budget_3", 1.0)
                    : Map.of();
            Method method = Methods.create(name, train, options);
            print(name, method, model, batch, depth ? 4 : 1);
        }
        // a zeroth-order training round: ntk-zo's first rounds are pruning rounds
        Map<String, Double> dense = Map.of("pruning", (double) NtkZoSettings.Pruning.NONE.ordinal());
        print("ntk-zo --pruning none", Methods.create("ntk-zo", train, dense), Models.lenet5(10), batch, 1);
    }

    private static void print(String label, Method method, Model model, Dataset batch, int clients) {
        try {
            long peak = ClientProbe.run(method, model, batch, 0, clients).peakBytes();
            System.out.println(label + "\t" + model.name() + "\t" + peak);
        } catch (IllegalArgumentException e) {
            System.out.println(label + "\t" + model.name() + "\tn/a: " + e.getMessage());
        }
    }
}
