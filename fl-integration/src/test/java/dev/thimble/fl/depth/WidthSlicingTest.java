package dev.thimble.fl.depth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HeteroFL's sub-model extraction and aggregation on hand-checked vectors. */
class WidthSlicingTest {
    static ParamSpec spec(String name, int... shape) {
        return new ParamSpec(name, shape, false, ParamSpec.Init.constant(0f));
    }

    @Test
    void widthsRoundUpAsHeteroFl() {
        assertEquals(3, WidthSlicing.width(16, 0.165));
        assertEquals(6, WidthSlicing.width(16, 0.33));
        assertEquals(8, WidthSlicing.width(16, 0.5));
        assertEquals(11, WidthSlicing.width(64, 0.165));
        assertEquals(64, WidthSlicing.width(64, 1.0));
        assertThrows(IllegalArgumentException.class, () -> WidthSlicing.width(16, 0));
    }

    @Test
    void extractionTakesTheLeadingSubBoxOfEveryParameter() {
        // full: w [3, 2] = 0..5 and b [3] = 10, 11, 12; sub-network: w [2, 1], b [2]
        List<ParamSpec> full = List.of(spec("w", 3, 2), spec("b", 3));
        List<ParamSpec> slim = List.of(spec("w", 2, 1), spec("b", 2));
        try (TensorArena a = TensorArena.open("slice");
                DenseF32 f = a.dense(new float[] {0, 1, 2, 3, 4, 5, 10, 11, 12}, 9);
                DenseF32 s = a.dense(4)) {
            WidthSlicing.extract(full, f, slim, s);
            assertArrayEquals(new float[] {0, 2, 10, 11}, s.toArray());
        }
    }

    @Test
    void aggregationAveragesEachEntryOverTheClientsHoldingIt() {
        List<ParamSpec> full = List.of(spec("w", 3, 2), spec("b", 3));
        List<ParamSpec> narrow = List.of(spec("w", 2, 1), spec("b", 2)); // entries 0, 2, 6, 7
        List<ParamSpec> wide = List.of(spec("w", 3, 2), spec("b", 3)); // all
        try (TensorArena a = TensorArena.open("agg");
                DenseF32 global = a.dense(new float[] {-1, -1, -1, -1, -1, -1, -1, -1, -1}, 9);
                DenseF32 x1 = a.dense(new float[] {1, 1, 1, 1}, 4);
                DenseF32 x2 = a.dense(new float[] {4, 4, 4, 4, 4, 4, 4, 4, 4}, 9);
                DenseF32 x3 = a.dense(new float[] {7, 7, 7, 7}, 4)) {
            // weights 1 (narrow), 2 (wide), 3 (narrow): shared entries (1 + 8 + 21) / 6 = 5, others the wide client's 4
            WidthSlicing.aggregate(full, global, List.of(narrow, wide, narrow), List.of(x1, x2, x3),
                    new float[] {1, 2, 3});
            assertArrayEquals(new float[] {5, 4, 5, 4, 4, 4, 5, 5, 4}, global.toArray(), 1e-6f);
            // only narrow clients: entries nobody holds keep the previous global value
            global.copyFrom(new float[] {-1, -1, -1, -1, -1, -1, -1, -1, -1});
            WidthSlicing.aggregate(full, global, List.of(narrow), List.of(x1), new float[] {1});
            assertArrayEquals(new float[] {1, -1, 1, -1, -1, -1, 1, 1, -1}, global.toArray());
        }
    }

    @Test
    void theSlimPreResNetHasScaledWidthsAndTheSameNames() {
        Model full = Models.preResNet20(new int[] {1, 28, 28}, 10, 16);
        assertSame(full, WidthSlicing.slim(full, 1.0));
        Model half = WidthSlicing.slim(full, 0.5);
        assertEquals(Models.preResNet20(new int[] {1, 28, 28}, 10, 8).parameterCount(), half.parameterCount());
        Model small = WidthSlicing.slim(full, 0.165); // 3 | 6 | 11 channels
        List<ParamSpec> specs = small.parameterSpecs();
        assertArrayEquals(new int[] {3, 1, 3, 3}, specs.getFirst().shape());
        assertArrayEquals(new int[] {10, 11}, specs.stream().filter(p -> p.name().equals("fc.weight")).findFirst()
                .orElseThrow().shape());
        assertArrayEquals(new int[] {1, 28, 28}, small.inputShape());
        assertArrayEquals(new int[] {10}, small.outputShape());
        // every sub-network entry maps to a distinct full entry
        long[] map = WidthSlicing.indexMap(full.parameterSpecs(), specs);
        assertEquals(small.parameterCount(), java.util.Arrays.stream(map).distinct().count());
        assertThrows(IllegalArgumentException.class, () -> WidthSlicing.slim(dev.thimble.fl.core.TestModels.mlp(), 0.5));
    }
}
