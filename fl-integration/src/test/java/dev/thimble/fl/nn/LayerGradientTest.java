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
    void mlpEndToEnd() {
        Model mlp = new Model("mlp", new int[] {9}, () -> List.of(new Linear("fc1", 9, 11), new Relu("r1"),
                new Linear("fc2", 11, 4)));
        GradientCheck.check(mlp, 6, 5, 40);
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
