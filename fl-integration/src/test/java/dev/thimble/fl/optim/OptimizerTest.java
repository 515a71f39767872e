package dev.thimble.fl.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.nn.Linear;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Parameters;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Update sequences of three steps on a 3-element vector θ₀ = [1, −2, 0.5] with the gradients
 * g₁ = [0.5, −1, 2], g₂ = [0.1, 0.3, −0.4], g₃ = [−0.2, 0, 1], against values worked out from
 * PyTorch's update rules (in double; the optimizers run in float, hence the 1e-6 tolerance).
 */
class OptimizerTest {
    private static final float[] THETA0 = {1f, -2f, 0.5f};
    private static final float[][] GRADS = {{0.5f, -1f, 2f}, {0.1f, 0.3f, -0.4f}, {-0.2f, 0f, 1f}};

    private TensorArena arena;
    private KernelContext kernels;
    private Network net;

    @BeforeEach
    void open() {
        arena = TensorArena.builder().name("optim-test").leakCheck(false).build();
        kernels = KernelContext.builder().threads(1).build();
        // Linear(2 → 1) has exactly three parameters: weight [1, 2] then bias [1]
        net = Network.build(new Model("three", new int[] {2}, () -> List.of(new Linear("fc", 2, 1))), arena, 1, true,
                kernels);
        net.parameters().values().copyFrom(THETA0);
    }

    @AfterEach
    void close() {
        net.close();
        kernels.close();
        arena.close();
    }

    private void runs(Function<Parameters, Optimizer> make, double[][] expected) {
        try (Optimizer opt = make.apply(net.parameters())) {
            for (int t = 0; t < GRADS.length; t++) {
                net.parameters().grads().copyFrom(GRADS[t]);
                opt.step();
                float[] got = net.parameters().values().toArray();
                for (int i = 0; i < 3; i++) {
                    assertEquals(expected[t][i], got[i], 1e-6, "step " + (t + 1) + ", element " + i);
                }
                // the gradient is read, never modified (PyTorch adds weight decay out of place)
                assertArrayEquals(GRADS[t], net.parameters().grads().toArray());
            }
        }
    }

    @Test
    void sgdWithMomentumAndWeightDecay() {
        // step 1: d = g + 0.01·θ = [0.51, −1.02, 2.005] = buf; θ −= 0.1·buf → [0.949, −1.898, 0.2995]
        // step 2: d = [0.10949, 0.28102, −0.397005]; buf = 0.9·buf + d = [0.56849, −0.63698, 1.407495]
        runs(p -> new Sgd(p, arena, 0.1f, 0.9f, 0.01f), new double[][] {
            {0.949, -1.898, 0.2995},
            {0.892151, -1.834302, 0.1587505},
            {0.860094749, -1.775139498, -0.0680828005}});
    }

    @Test
    void sgdNesterov() {
        // step 1: buf = d = [0.51, −1.02, 2.005]; θ −= 0.1·(d + 0.9·buf) = 0.1·1.9·d
        runs(p -> new Sgd(p, arena, 0.1f, 0.9f, 0.01f, true), new double[][] {
            {0.9031, -1.8062, 0.11905},
            {0.84107411, -1.77714822, 0.032418805},
            {0.831465558191, -1.722250616382, -0.2715037212295}});
    }

    @Test
    void plainSgdAndLearningRateChange() {
        try (Sgd sgd = new Sgd(net.parameters(), arena, 0.1f, 0f, 0f)) {
            net.parameters().grads().copyFrom(GRADS[0]);
            sgd.step();
            assertArrayEquals(new float[] {0.95f, -1.9f, 0.3f}, net.parameters().values().toArray(), 1e-7f);
            sgd.setLearningRate(1f);
            assertEquals(1f, sgd.learningRate());
            net.parameters().grads().copyFrom(GRADS[1]);
            sgd.step();
            assertArrayEquals(new float[] {0.85f, -2.2f, 0.7f}, net.parameters().values().toArray(), 1e-6f);
        }
    }

    @Test
    void maskedEntriesNeverMove() {
        BitMask mask = arena.mask(3);
        mask.set(0, true);
        mask.set(2, true);
        // plain SGD (masked axpy): entry 1 keeps −2 exactly
        try (Sgd sgd = new Sgd(net.parameters(), arena, 0.1f, 0f, 0f)) {
            sgd.setMask(mask);
            for (float[] g : GRADS) {
                net.parameters().grads().copyFrom(g);
                sgd.step();
            }
            assertArrayEquals(new float[] {0.96f, -2f, 0.24f}, net.parameters().values().toArray(), 1e-6f);
        }
        // momentum and weight decay: the other entries follow the unmasked sequence
        net.parameters().values().copyFrom(THETA0);
        runs(p -> {
            Sgd sgd = new Sgd(p, arena, 0.1f, 0.9f, 0.01f);
            sgd.setMask(mask);
            return sgd;
        }, new double[][] {{0.949, -2, 0.2995}, {0.892151, -2, 0.1587505}, {0.860094749, -2, -0.0680828005}});
        net.parameters().values().copyFrom(THETA0);
        try (Adam adam = new Adam(net.parameters(), arena, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f)) {
            adam.setMask(mask);
            for (float[] g : GRADS) {
                net.parameters().grads().copyFrom(g);
                adam.step();
            }
            assertEquals(-2f, net.parameters().values().get(1));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Sgd(net.parameters(), arena, 0.1f, 0f, 0f).setMask(arena.mask(4)));
    }

    @Test
    void adamWithL2WeightDecay() {
        // step 1: m̂ = d, v̂ = d², so θ −= 0.01·d/(|d| + 1e-8) ≈ 0.01·sign(d) → [0.99, −1.99, 0.49]
        runs(p -> new Adam(p, arena, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f), new double[][] {
            {0.9900000001960785, -1.9900000000980391, 0.4900000000498753},
            {0.9818816120515689, -1.9855102692413256, 0.48486536905666666},
            {0.9781760485015801, -1.9819203010471682, 0.47848323551165384}});
    }

    @Test
    void adamWDecouplesWeightDecay() {
        // step 1: θ·(1 − 0.01·0.1) = [0.999, −1.998, 0.4995], then −0.01·sign(g) → [0.989, −1.988, 0.4895]
        runs(p -> Adam.adamW(p, arena, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f), new double[][] {
            {0.9890000002, -1.9880000001, 0.48950000005},
            {0.9799805906382653, -1.9817335142428225, 0.48390023931355797},
            {0.9755570725927106, -1.976444498770757, 0.47705569291001887}});
    }

    @Test
    void resetRestartsTheSequence() {
        try (Adam adam = new Adam(net.parameters(), arena, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f)) {
            net.parameters().grads().copyFrom(GRADS[0]);
            adam.step();
            adam.step();
            assertEquals(2, adam.steps());
            adam.reset();
            assertEquals(0, adam.steps());
            net.parameters().values().copyFrom(THETA0);
            adam.step();
            assertArrayEquals(new float[] {0.99f, -1.99f, 0.49f}, net.parameters().values().toArray(), 1e-6f);
        }
    }

    @Test
    void optimizerStateComesFromTheArena() {
        long before = arena.currentBytes();
        try (Adam adam = new Adam(net.parameters(), arena, 0.01f, 0.9f, 0.999f, 1e-8f, 0f)) {
            // two moment buffers of 3 floats (the arena may round allocations up)
            assertTrue(arena.currentBytes() >= before + 2 * 3 * Float.BYTES);
        }
        assertEquals(before, arena.currentBytes());
        try (Sgd sgd = new Sgd(net.parameters(), arena, 0.1f, 0.9f, 0f)) {
            assertTrue(arena.currentBytes() >= before + 3 * Float.BYTES);
        }
        assertEquals(before, arena.currentBytes());
    }
}
