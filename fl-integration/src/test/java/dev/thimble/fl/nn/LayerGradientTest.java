package dev.thimble.fl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every layer's backward pass agrees with finite differences of its forward pass. */
class LayerGradientTest {

    @Test
    void linear() {
        GradientCheck.check(new Linear("fc", 13, 7), new int[] {13}, 5, 1);
        GradientCheck.checkInput(new Linear("fc", 13, 7), new int[] {13}, 5, 2);
    }

    @Test
    void relu() {
        GradientCheck.checkInput(new Relu("relu"), new int[] {3, 4, 5}, 2, 3);
    }

    @Test
    void flatten() {
        GradientCheck.checkInput(new Flatten("flat"), new int[] {2, 3, 4}, 3, 4);
    }

    @Test
    void conv2dStridedPadded() {
        // 2→3 channels, 6×7 input, 3×3 kernel, stride 2, padding 1: output 3×3×4
        GradientCheck.check(new Conv2d("conv", 2, 3, 3, 2, 1), new int[] {2, 6, 7}, 2, 11);
        GradientCheck.checkInput(new Conv2d("conv", 2, 3, 3, 2, 1), new int[] {2, 6, 7}, 2, 12);
    }

    @Test
    void conv2dStrideOneCopiesRows() {
        // LeNet's first convolution in miniature: 5×5 kernel, padding 2 (the stride-1 copy path)
        GradientCheck.check(new Conv2d("conv", 1, 2, 5, 1, 2), new int[] {1, 6, 5}, 2, 13);
        GradientCheck.checkInput(new Conv2d("conv", 2, 2, 5, 1, 0), new int[] {2, 7, 6}, 2, 14);
    }

    @Test
    void conv2dOneByOne() {
        // direct (no im2col) and strided projection forms, without bias
        GradientCheck.check(new Conv2d("conv", 3, 2, 1, 1, 0, false), new int[] {3, 4, 5}, 2, 15);
        GradientCheck.checkInput(new Conv2d("conv", 3, 2, 1, 1, 0, false), new int[] {3, 4, 5}, 2, 16);
        GradientCheck.check(new Conv2d("conv", 2, 3, 1, 2, 0, false), new int[] {2, 5, 5}, 2, 17);
        GradientCheck.checkInput(new Conv2d("conv", 2, 3, 1, 2, 0, false), new int[] {2, 5, 5}, 2, 18);
    }

    @Test
    void maxPool() {
        GradientCheck.checkInput(new MaxPool2d("pool", 2, 2), new int[] {2, 7, 9}, 2, 21);
        GradientCheck.checkInput(new MaxPool2d("pool", 3, 2), new int[] {2, 7, 7}, 2, 22);
    }

    @Test
    void avgPool() {
        GradientCheck.checkInput(new AvgPool2d("pool", 3, 2), new int[] {2, 7, 9}, 2, 23);
        GradientCheck.checkInput(new AvgPool2d("pool", 2, 2), new int[] {1, 5, 5}, 3, 24);
    }

    @Test
    void globalAvgPool() {
        GradientCheck.checkInput(new GlobalAvgPool("gap"), new int[] {3, 4, 5}, 2, 25);
    }

    @Test
    void hardswish() {
        // inputs in [-5, 5] cover all three pieces; the kinks at ±3 are skipped by the check
        GradientCheck.checkInput(new Hardswish("hs"), new int[] {4, 5, 5}, 2, 26, 5);
    }

    @Test
    void groupNorm() {
        GradientCheck.checkInput(new GroupNorm("gn", 2, 4), new int[] {4, 3, 3}, 2, 27);
        GradientCheck.checkInput(new GroupNorm("gn", 3, 3), new int[] {3, 2, 5}, 2, 28);
    }

    @Test
    void batchNorm2d() {
        GradientCheck.check(new BatchNorm2d("bn", 3), new int[] {3, 4, 4}, 3, 29);
        GradientCheck.checkInput(new BatchNorm2d("bn", 3), new int[] {3, 4, 4}, 3, 30);
        // samples of shape [C] alone: BatchNorm1d
        GradientCheck.check(new BatchNorm2d("bn", 5), new int[] {5}, 4, 31);
        GradientCheck.checkInput(new BatchNorm2d("bn", 5), new int[] {5}, 4, 32);
    }

    @Test
    void preActBlockIdentity() {
        GradientCheck.check(new PreActBlock("block", 2, 2, 1), new int[] {2, 5, 5}, 2, 33);
        GradientCheck.checkInput(new PreActBlock("block", 2, 2, 1), new int[] {2, 5, 5}, 2, 34);
        // He et al.'s identity (adds x rather than ReLU(BN(x)))
        GradientCheck.check(new PreActBlock("block", 2, 2, 1, false), new int[] {2, 5, 5}, 2, 35);
        GradientCheck.checkInput(new PreActBlock("block", 2, 2, 1, false), new int[] {2, 5, 5}, 2, 36);
    }

    @Test
    void preActBlockProjection() {
        GradientCheck.check(new PreActBlock("block", 2, 3, 2), new int[] {2, 6, 5}, 2, 37);
        GradientCheck.checkInput(new PreActBlock("block", 2, 3, 2), new int[] {2, 6, 5}, 2, 38);
        // channel change at stride 1 also projects
        GradientCheck.checkInput(new PreActBlock("block", 3, 2, 1), new int[] {3, 4, 4}, 2, 39);
    }

    @Test
    void smallModelsEndToEnd() {
        GradientCheck.check(Models.gnLenet(new int[] {1, 8, 8}, 3, 4, 6), 2, 41, 30);
        GradientCheck.check(Models.preResNet20(new int[] {1, 8, 8}, 3), 2, 42, 30);
        GradientCheck.check(new Model("lenet-like", new int[] {1, 12, 12}, () -> List.of(
                new Conv2d("conv1", 1, 2, 5, 1, 2), new Relu("relu1"), new MaxPool2d("pool1", 2, 2),
                new Conv2d("conv2", 2, 3, 3, 1, 0), new Relu("relu2"), new AvgPool2d("pool2", 2, 2),
                new Flatten("flatten"), new Linear("fc", 12, 4))), 3, 43, 30);
    }

    @Test
    void mlpEndToEnd() {
        Model mlp = new Model("mlp", new int[] {9}, () -> List.of(new Linear("fc1", 9, 11), new Relu("r1"),
                new Linear("fc2", 11, 4)));
        GradientCheck.check(mlp, 6, 5, 40);
    }

    @Test
    void klDivergenceGradientMatchesFiniteDifferences() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            float[] zs = {0.3f, -1.2f, 2.0f, 0.1f, 0.5f, 0.5f, -0.7f, 1.1f, -0.4f, 0.9f, 0.0f, -2.0f};
            float[] zt = {1.0f, 0.2f, -0.5f, 0.4f, -1.5f, 0.8f, 0.3f, 0.6f, 2.2f, -0.1f, 0.0f, 0.7f};
            DenseF32 student = arena.dense(zs, 3, 4);
            DenseF32 teacher = arena.dense(zt, 3, 4);
            DenseF32 grad = arena.dense(3, 4);
            for (double temperature : new double[] {1, 2.5}) {
                double loss = KlDivergence.lossAndGradient(student, teacher, temperature, grad);
                // direct evaluation of Σ p_t·log(p_t / p_s) / b
                double expected = 0;
                for (int r = 0; r < 3; r++) {
                    double ss = 0;
                    double st = 0;
                    for (int j = 0; j < 4; j++) {
                        ss += Math.exp(zs[r * 4 + j] / temperature);
                        st += Math.exp(zt[r * 4 + j] / temperature);
                    }
                    for (int j = 0; j < 4; j++) {
                        double ps = Math.exp(zs[r * 4 + j] / temperature) / ss;
                        double pt = Math.exp(zt[r * 4 + j] / temperature) / st;
                        expected += pt * Math.log(pt / ps);
                    }
                }
                assertEquals(expected / 3, loss, 1e-6);
                for (int i = 0; i < 12; i++) {
                    float old = student.get(i);
                    double h = 1e-3;
                    student.set(i, (float) (old + h));
                    double plus = KlDivergence.loss(student, teacher, temperature);
                    student.set(i, (float) (old - h));
                    double minus = KlDivergence.loss(student, teacher, temperature);
                    student.set(i, old);
                    assertEquals((plus - minus) / (2 * h), grad.get(i), 2e-4, "logit " + i + " at T " + temperature);
                }
            }
            // the divergence of a distribution from itself is 0, and addGradient accumulates
            assertEquals(0, KlDivergence.loss(teacher, teacher, 1), 1e-7);
            KlDivergence.lossAndGradient(student, teacher, 1, grad);
            float once = grad.get(0);
            KlDivergence.addGradient(student, teacher, 1, 0.5f, grad);
            assertEquals(1.5f * once, grad.get(0), 1e-6);
        }
    }

    @Test
    void softmaxCrossEntropyGradientMatchesFiniteDifferences() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            float[] z = {0.3f, -1.2f, 2.0f, 0.1f, 0.5f, 0.5f, -0.7f, 1.1f};
            int[] labels = {2, 0};
            DenseF32 logits = arena.dense(z, 2, 4);
            DenseF32 grad = arena.dense(2, 4);
            double loss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, grad);
            double expected = 0;
            for (int r = 0; r < 2; r++) {
                double s = 0;
                for (int j = 0; j < 4; j++) {
                    s += Math.exp(z[r * 4 + j]);
                }
                expected += Math.log(s) - z[r * 4 + labels[r]];
            }
            assertEquals(expected / 2, loss, 1e-6);
            for (int i = 0; i < 8; i++) {
                float old = logits.get(i);
                double h = 1e-3;
                logits.set(i, (float) (old + h));
                double plus = SoftmaxCrossEntropy.loss(logits, labels);
                logits.set(i, (float) (old - h));
                double minus = SoftmaxCrossEntropy.loss(logits, labels);
                logits.set(i, old);
                assertEquals((plus - minus) / (2 * h), grad.get(i), 2e-3, "logit " + i);
            }
            assertEquals(1, SoftmaxCrossEntropy.correct(logits, labels));
        }
    }
}
