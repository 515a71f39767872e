package dev.thimble.fl.cli;

import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Models;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/** The architectures the CLI builds by name, for a dataset's sample shape and class count. */
final class ModelChoice {
    private static final Map<String, BiFunction<int[], Integer, Model>> MODELS = new LinkedHashMap<>();

    static {
        // McMahan et al.'s "2NN": two hidden layers of 200
        MODELS.put("mlp", (shape, classes) -> Models.mlp(shape, 200, 200, classes));
        MODELS.put("lenet5", (shape, classes) -> {
            requireShape("lenet5", shape, new int[] {1, 28, 28});
            return Models.lenet5(classes);
        });
        MODELS.put("gnlenet", (shape, classes) -> Models.gnLenet(shape, classes, 16, 64));
        MODELS.put("preresnet20", Models::preResNet20);
        // FeDepth's PreResNet-20 at half and quarter width (~1/4 and ~1/16 of the MACs), for CPU reproductions
        MODELS.put("preresnet20-w8", (shape, classes) -> Models.preResNet20(shape, classes, 8));
        MODELS.put("preresnet20-w4", (shape, classes) -> Models.preResNet20(shape, classes, 4));
    }

    private ModelChoice() {
    }

    /** The known names. */
    static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /** The model called {@code name} for samples of {@code shape} and {@code classes} classes. */
    static Model create(String name, int[] shape, int classes) {
        BiFunction<int[], Integer, Model> f = MODELS.get(name.toLowerCase(Locale.ROOT));
        if (f == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known: " + String.join(", ", names()));
        }
        return f.apply(shape, classes);
    }

    private static void requireShape(String model, int[] shape, int[] expected) {
        if (!java.util.Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(model + " needs samples shaped " + java.util.Arrays.toString(expected)
                    + ", the dataset has " + java.util.Arrays.toString(shape));
        }
    }
}
