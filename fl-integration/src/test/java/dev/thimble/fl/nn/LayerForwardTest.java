package dev.thimble.fl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forward passes against direct reference computations (the gradient checks only show that
 * backward matches forward, not that forward is right), and the layers' shape validation.
 */
class LayerForwardTest {
    private TensorArena arena;
    private KernelContext kernels;

    @BeforeEach
    void open() {
        arena = TensorArena.builder().name("forward-test").leakCheck(false).build();
        kernels = KernelContext.builder().threads(1).build();
    }

    @AfterEach
    void close() {
        kernels.close();
        arena.close();
    }

    private Network single(Layer layer, int[] inputShape, int batch) {
        Network net = Network.build(new Model("one-" + layer.name(), inputShape, () -> List.of(layer)), arena, batch,
                true, kernels);
        net.parameters().initialize(7);
        return net;
    }

    private DenseF32 random(int[] shape, long seed, double scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DenseF32 x = arena.dense(shape);
        for (long i = 0; i < x.size(); i++) {
            x.set(i, (float) ((rnd.nextDouble() * 2 - 1) * scale));
        }
        return x;
    }

    @Test
    void conv2dMatchesDirectConvolution() {
        int[][] cases = { // C, Cout, k, stride, pad, H, W
            {2, 3, 3, 2, 1, 6, 7}, {1, 6, 5, 1, 2, 8, 8}, {3, 2, 1, 1, 0, 4, 5}, {2, 4, 1, 2, 0, 5, 6},
            {2, 2, 3, 3, 2, 7, 5}};
        for (int[] cs : cases) {
            int c = cs[0], co = cs[1], k = cs[2], st = cs[3], p = cs[4], h = cs[5], w = cs[6];
            int b = 2;
            Network net = single(new Conv2d("conv", c, co, k, st, p), new int[] {c, h, w}, b);
            DenseF32 x = random(new int[] {b, c, h, w}, 3, 1);
            float[] y = net.forward(x).toArray();
            float[] wt = net.parameters().get("conv.weight").value().toArray();
            float[] bias = net.parameters().get("conv.bias").value().toArray();
            float[] xs = x.toArray();
            int oh = (h + 2 * p - k) / st + 1;
            int ow = (w + 2 * p - k) / st + 1;
            assertEquals(b * co * oh * ow, y.length);
            for (int s = 0; s < b; s++) {
                for (int o = 0; o < co; o++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            double sum = bias[o];
                            for (int ci = 0; ci < c; ci++) {
                                for (int a = 0; a < k; a++) {
                                    for (int d = 0; d < k; d++) {
                                        int ih = i * st - p + a;
                                        int iw = j * st - p + d;
                                        if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                            sum += (double) wt[((o * c + ci) * k + a) * k + d]
                                                    * xs[((s * c + ci) * h + ih) * w + iw];
                                        }
                                    }
                                }
                            }
                            assertEquals(sum, y[((s * co + o) * oh + i) * ow + j], 1e-5,
                                    "case " + java.util.Arrays.toString(cs));
                        }
                    }
                }
            }
            net.close();
        }
    }

    @Test
    void poolingKnownValues() {
        // one 3×5 channel; 2×2 windows with stride 2 see columns 0–1 and 2–3 of rows 0–1
        float[] img = {1, 5, 2, 0, 9, -1, 3, 7, 7, 9, 4, 4, 4, 4, 4};
        DenseF32 x = arena.dense(img, 1, 1, 3, 5);
        assertArrayEquals(new float[] {5, 7}, single(new MaxPool2d("p", 2, 2), new int[] {1, 3, 5}, 1).forward(x)
                .toArray());
        assertArrayEquals(new float[] {2, 4}, single(new AvgPool2d("p", 2, 2), new int[] {1, 3, 5}, 1).forward(x)
                .toArray());
        // 3×3 windows, stride 2: columns 0–2 and 2–4
        assertArrayEquals(new float[] {7, 9}, single(new MaxPool2d("p", 3, 2), new int[] {1, 3, 5}, 1).forward(x)
                .toArray());
        assertArrayEquals(new float[] {(float) (1 + 5 + 2 - 1 + 3 + 7 + 4 + 4 + 4) / 9, 46f / 9},
                single(new AvgPool2d("p", 3, 2), new int[] {1, 3, 5}, 1).forward(x).toArray(), 1e-6f);
        float sum = 0;
        for (float v : img) {
            sum += v;
        }
        assertEquals(sum / 15, single(new GlobalAvgPool("g"), new int[] {1, 3, 5}, 1).forward(x).get(0), 1e-6);
        // ties go to the first maximum, as PyTorch: the gradient lands on index 0
        DenseF32 tie = arena.dense(new float[] {2, 2, 2, 2}, 1, 1, 2, 2);
        GradientCheck.Identity id = new GradientCheck.Identity("id");
        Network probe = Network.build(new Model("probe", new int[] {1, 2, 2}, () -> List.of(id,
                new MaxPool2d("p", 2, 2))), arena, 1, true, kernels);
        probe.forward(tie);
        probe.outputGradient(1).fill(1f);
        probe.backward();
        assertArrayEquals(new float[] {1, 0, 0, 0}, id.lastInputGradient());
        probe.close();
    }

    @Test
    void hardswishMatchesPytorch() {
        float[] xs = {-4f, -3f, -1.5f, 0f, 1f, 3f, 4.5f};
        // x·min(max(x + 3, 0), 6)/6
        float[] expected = {0f, -0f, -0.375f, 0f, 2f / 3, 3f, 4.5f};
        DenseF32 x = arena.dense(xs, 1, 7);
        float[] y = single(new Hardswish("hs"), new int[] {7}, 1).forward(x).toArray();
        assertArrayEquals(expected, y, 1e-6f);
        // PyTorch's backward: 0 below −3, x/3 + 1/2 on [−3, 3] (both ends included), 1 above
        float[] slopes = {0f, -0.5f, 0f, 0.5f, 5f / 6, 1.5f, 1f};
        for (int i = 0; i < xs.length; i++) {
            assertEquals(slopes[i], Hardswish.derivative(xs[i]), 1e-6f, "x = " + xs[i]);
        }
    }

    @Test
    void groupNormNormalisesEachGroup() {
        int b = 2, c = 4, h = 3, w = 2;
        Network net = single(new GroupNorm("gn", 2, c), new int[] {c, h, w}, b);
        DenseF32 x = random(new int[] {b, c, h, w}, 5, 3);
        float[] y = net.forward(x).toArray();
        int n = (c / 2) * h * w;
        for (int g = 0; g < b * 2; g++) {
            double mean = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                mean += y[g * n + i];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                sq += (y[g * n + i] - mean) * (y[g * n + i] - mean);
            }
            assertEquals(0, mean, 1e-6);
            assertEquals(1, sq / n, 2e-4); // eps = 1e-5 shrinks it slightly
        }
        net.close();
    }

    @Test
    void batchNormUsesBatchStatisticsAndAffine() {
        int b = 3, c = 2, h = 2, w = 2;
        Network net = single(new BatchNorm2d("bn", c), new int[] {c, h, w}, b);
        net.parameters().get("bn.weight").value().copyFrom(new float[] {2f, 0.5f});
        net.parameters().get("bn.bias").value().copyFrom(new float[] {1f, -1f});
        DenseF32 x = random(new int[] {b, c, h, w}, 6, 2);
        float[] xs = x.toArray();
        float[] y = net.forward(x).toArray();
        float[] gamma = {2f, 0.5f};
        float[] beta = {1f, -1f};
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            double sq = 0;
            for (int s = 0; s < b; s++) {
                for (int i = 0; i < h * w; i++) {
                    mean += xs[(s * c + ch) * h * w + i];
                }
            }
            mean /= b * h * w;
            for (int s = 0; s < b; s++) {
                for (int i = 0; i < h * w; i++) {
                    double d = xs[(s * c + ch) * h * w + i] - mean;
                    sq += d * d;
                }
            }
            double rstd = 1 / Math.sqrt(sq / (b * h * w) + 1e-5);
            for (int s = 0; s < b; s++) {
                for (int i = 0; i < h * w; i++) {
                    int at = (s * c + ch) * h * w + i;
                    assertEquals(gamma[ch] * (xs[at] - mean) * rstd + beta[ch], y[at], 1e-5);
                }
            }
        }
        // a single value per channel has no batch statistics
        Network one = single(new BatchNorm2d("bn", 3), new int[] {3}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> one.forward(arena.dense(1, 3)));
        assertTrue(e.getMessage().contains("more than one value per channel"), e.getMessage());
        net.close();
        one.close();
    }

    @Test
    void preActBlockIdentityMatchesComposedLayers() {
        // y = conv2(relu(bn2(conv1(o)))) + o with o = relu(bn1(x)), rebuilt from single layers with
        // the block's parameter values
        int b = 2;
        int[] shape = {2, 4, 4};
        Network block = single(new PreActBlock("blk", 2, 2, 1), shape, b);
        Network plain = Network.build(new Model("plain", shape, () -> List.of(new BatchNorm2d("bn1", 2),
                new Relu("relu1"), new Conv2d("conv1", 2, 2, 3, 1, 1, false), new BatchNorm2d("bn2", 2),
                new Relu("relu2"), new Conv2d("conv2", 2, 2, 3, 1, 1, false))), arena, b, true, kernels);
        for (Param p : plain.parameters().list()) {
            p.value().copyFrom(block.parameters().get("blk." + p.name()).value());
        }
        Network head = Network.build(new Model("head", shape, () -> List.of(new BatchNorm2d("bn1", 2),
                new Relu("relu1"))), arena, b, true, kernels);
        head.parameters().initialize(1); // γ = 1, β = 0 as the block's bn1
        DenseF32 x = random(new int[] {b, 2, 4, 4}, 8, 1);
        float[] o = head.forward(x).toArray();
        float[] main = plain.forward(x).toArray();
        float[] y = block.forward(x).toArray();
        for (int i = 0; i < y.length; i++) {
            assertEquals(main[i] + o[i], y[i], 1e-5, "element " + i);
        }
        block.close();
        plain.close();
        head.close();
    }

    @Test
    void shapesAreValidatedWithTheLayerName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d("conv7", 3, 4, 3, 1, 1).outputShape(new int[] {2, 8, 8}));
        assertTrue(e.getMessage().contains("conv7") && e.getMessage().contains("[2, 8, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d("conv7", 1, 4, 5, 1, 0).outputShape(new int[] {1, 3, 8}));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d("pool", 2, 2).outputShape(new int[] {4}));
        assertTrue(e.getMessage().contains("pool"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm("gn", 3, 4));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d("bn", 4).outputShape(new int[] {3, 2, 2}));
        assertThrows(IllegalArgumentException.class, () -> new PreActBlock("b", 16, 32, 2).outputShape(new int[] {8, 4, 4}));
        assertThrows(IllegalArgumentException.class, () -> new GlobalAvgPool("g").outputShape(new int[] {4, 4}));
    }
}
