package dev.thimble.fl.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.optim.Sgd;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * End-to-end training on a synthetic 10-class task: each class is a bright 6×6 square at its own
 * place on a 28×28 image, jittered by up to a pixel, under Gaussian noise. Deterministic from the
 * seeds; a working forward/backward/optimizer stack fits it well within a few hundred steps.
 */
class TrainingSmokeTest {
    private static final int CLASSES = 10;
    private static final int SIDE = 28;

    /** Images [n, 1, 28, 28] and their labels, from a seed. */
    private static float[] images(int n, long seed, int[] labels) {
        Random rnd = new Random(seed);
        float[] x = new float[n * SIDE * SIDE];
        for (int s = 0; s < n; s++) {
            int c = rnd.nextInt(CLASSES);
            labels[s] = c;
            int top = 3 + 13 * (c / 5) + rnd.nextInt(3) - 1;
            int left = 1 + 5 * (c % 5) + rnd.nextInt(3) - 1;
            int base = s * SIDE * SIDE;
            for (int i = 0; i < SIDE * SIDE; i++) {
                x[base + i] = (float) (0.5 * rnd.nextGaussian());
            }
            for (int i = Math.max(0, top); i < Math.min(SIDE, top + 6); i++) {
                for (int j = Math.max(0, left); j < Math.min(SIDE, left + 6); j++) {
                    x[base + i * SIDE + j] += 1f;
                }
            }
        }
        return x;
    }

    private static void trains(Model model, float lr, int steps) {
        int n = 500;
        int test = 200;
        int batch = 25;
        int[] labels = new int[n];
        int[] testLabels = new int[test];
        float[] train = images(n, 1, labels);
        float[] held = images(test, 2, testLabels);
        long start = System.nanoTime();
        try (TensorArena arena = TensorArena.builder().name("smoke-" + model.name()).leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build();
                Network net = Network.build(model, arena, batch, true, kernels);
                Sgd sgd = new Sgd(net.parameters(), arena, lr, 0.9f, 5e-4f)) {
            net.parameters().initialize(3);
            DenseF32 trainX = arena.dense(train, n, 1, SIDE, SIDE);
            DenseF32 testX = arena.dense(held, test, 1, SIDE, SIDE);
            int[] batchLabels = new int[batch];
            for (int step = 0; step < steps; step++) {
                int from = (step * batch) % n;
                System.arraycopy(labels, from, batchLabels, 0, batch);
                DenseF32 y = net.forward(trainX.slice(from, from + batch));
                SoftmaxCrossEntropy.lossAndGradient(y, batchLabels, net.outputGradient(batch));
                net.parameters().zeroGrads();
                net.backward();
                sgd.step();
            }
            double trainAcc = accuracy(net, trainX, labels, batch);
            double testAcc = accuracy(net, testX, testLabels, batch);
            System.out.printf("%s: %d steps in %.2f s, train accuracy %.3f, held-out %.3f%n", model.name(), steps,
                    (System.nanoTime() - start) / 1e9, trainAcc, testAcc);
            assertTrue(trainAcc >= 0.8, model.name() + " train accuracy " + trainAcc);
            assertTrue(testAcc >= 0.7, model.name() + " held-out accuracy " + testAcc);
        }
    }

    private static double accuracy(Network net, DenseF32 x, int[] labels, int batch) {
        int hits = 0;
        int[] part = new int[batch];
        for (int from = 0; from < labels.length; from += batch) {
            System.arraycopy(labels, from, part, 0, batch);
            hits += SoftmaxCrossEntropy.correct(net.forward(x.slice(from, from + batch)), part);
        }
        return (double) hits / labels.length;
    }

    @Test
    void mlpLearnsTheSyntheticTask() {
        trains(Models.mlp(new int[] {1, SIDE, SIDE}, 64, CLASSES), 0.02f, 200);
    }

    @Test
    void lenet5LearnsTheSyntheticTask() {
        trains(Models.lenet5(CLASSES), 0.02f, 200);
    }
}
