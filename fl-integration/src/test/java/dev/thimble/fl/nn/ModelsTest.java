package dev.thimble.fl.nn;

import dev.thimble.fl.data.Batches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameter counts (derived by hand in {@link Models}' Javadoc), names, shapes. */
class ModelsTest {

    private static long prunable(Model m) {
        return m.parameterSpecs().stream().filter(ParamSpec::prunable).mapToLong(ParamSpec::size).sum();
    }

    private static List<String> names(Model m) {
        return m.parameterSpecs().stream().map(ParamSpec::name).toList();
    }

    @Test
    void lenet5HasTheExactParameterCount() {
        // conv1 156 + conv2 2,416 + fc1 48,120 + fc2 10,164 + fc3 850
        Model m = Models.lenet5(10);
        assertEquals(61_706, m.parameterCount());
        assertEquals(61_470, prunable(m));
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"), names(m));
        assertArrayEquals(new int[] {10}, m.outputShape());
    }

    @Test
    void gnLenetMatchesBaffle() {
        // 16·1·25 + 16 + 64·16·25 + 64 + 64·10 + 10
        assertEquals(26_730, Models.gnLenet(1, 10, 16, 64).parameterCount());
        assertEquals(27_530, Models.gnLenet(3, 10, 16, 64).parameterCount());
        assertEquals(117_860, Models.gnLenet(3, 100, 32, 128).parameterCount());
        // GroupNorm has no parameters: only the two convolutions and the classifier
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"),
                names(Models.gnLenet(1, 10, 16, 64)));
        assertEquals(16 * 25 + 64 * 16 * 25 + 640, prunable(Models.gnLenet(1, 10, 16, 64)));
    }

    @Test
    void preResNet20MatchesFeDepth() {
        // 271,232 + 144·C + 65·classes (see Models.preResNet20)
        assertEquals(278_164, Models.preResNet20(3, 100).parameterCount());
        assertEquals(272_314, Models.preResNet20(3, 10).parameterCount());
        assertEquals(272_026, Models.preResNet20(new int[] {1, 28, 28}, 10).parameterCount());
        List<String> names = names(Models.preResNet20(3, 10));
        assertTrue(names.containsAll(List.of("conv1.weight", "bn1.weight", "bn1.bias", "block1.bn1.weight",
                "block1.conv1.weight", "block1.bn2.bias", "block1.conv2.weight", "block4.shortcut.weight",
                "block7.shortcut.weight", "block9.conv2.weight", "bn_out.weight", "fc.weight", "fc.bias")), names.toString());
        assertFalse(names.contains("block1.shortcut.weight"));
        assertFalse(names.contains("block5.shortcut.weight"));
        assertFalse(names.contains("conv1.bias"));
        // prunable: every convolution weight and the classifier's weight
        long convs = 3 * 16 * 9 + 6 * 16 * 16 * 9 + (16 * 32 * 9 + 32 * 32 * 9 + 16 * 32) + 4 * 32 * 32 * 9
                + (32 * 64 * 9 + 64 * 64 * 9 + 32 * 64) + 4 * 64 * 64 * 9;
        assertEquals(convs + 640, prunable(Models.preResNet20(3, 10)));
    }

    @Test
    void mlpNamesAndCount() {
        Model m = Models.mlp(new int[] {1, 28, 28}, 200, 200, 10);
        assertEquals(784 * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10, m.parameterCount());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"), names(m));
    }

    @Test
    void everyModelRunsForwardAndBackward() {
        List<Model> models = List.of(Models.lenet5(10), Models.gnLenet(1, 10, 16, 64),
                Models.gnLenet(new int[] {1, 28, 28}, 10, 16, 64), Models.preResNet20(new int[] {1, 28, 28}, 10),
                Models.mlp(new int[] {3, 4, 4}, 8, 5));
        try (TensorArena arena = TensorArena.builder().name("models").leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            for (Model m : models) {
                try (Network net = Network.build(m, arena, 3, true, kernels)) {
                    net.parameters().initialize(1);
                    DenseF32 x = arena.dense(Batches.shape(2, m.inputShape()));
                    for (long i = 0; i < x.size(); i++) {
                        x.set(i, (float) Math.sin(i * 0.37));
                    }
                    DenseF32 y = net.forward(x);
                    assertArrayEquals(new int[] {2, m.outputShape()[0]}, y.shape(), m.name());
                    SoftmaxCrossEntropy.lossAndGradient(y, new int[] {1, 3}, net.outputGradient(2));
                    net.parameters().zeroGrads();
                    net.backward();
                    assertTrue(net.parameters().grads().toArray().length > 0);
                    assertTrue(Double.isFinite(net.parameters().norm()), m.name());
                    assertTrue(net.forwardFlops() > 0);
                }
                // an inference network runs the same forward pass
                try (Network net = Network.build(m, arena, 2, false, kernels)) {
                    net.parameters().initialize(1);
                    DenseF32 x = arena.dense(Batches.shape(2, m.inputShape()));
                    x.fill(0.5f);
                    assertEquals(2 * m.outputShape()[0], net.forward(x).size(), m.name());
                }
            }
        }
    }
}
