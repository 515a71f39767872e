package dev.thimble.bench;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.FashionMnist;
import dev.thimble.fl.data.Synthetic;
import dev.thimble.fl.nn.Param;
import dev.thimble.fl.nn.Parameters;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Arrays;

/** Batches and pruning for the LeNet-5 benchmarks (K10, K11, M1). */
final class LeNetInputs {
    private LeNetInputs() {
    }

    /**
     * Fashion-MNIST training images when installed (K10 names that data set), else the seeded
     * synthetic 28×28 images: the arithmetic, and so the throughput, does not depend on the pixels.
     */
    static Dataset data() {
        try {
            return FashionMnist.load().train();
        } catch (Exception | Error e) {
            System.out.println("[LeNet] Fashion-MNIST unavailable (" + e.getMessage() + "); synthetic images");
            return Synthetic.images(4096, 42);
        }
    }

    /** Fills x [b, 1, 28, 28] and labels with samples {@code from .. from+b-1} of the data. */
    static void fill(Dataset data, int from, DenseF32 x, int[] labels) {
        int b = x.dim(0);
        int[] idx = new int[b];
        for (int i = 0; i < b; i++) {
            idx[i] = (from + i) % data.size();
        }
        data.fillBatch(idx, 0, b, x, labels);
    }

    /**
     * Magnitude pruning to {@code sparsity} per prunable tensor (conv and linear weights; biases
     * stay): zeroes the smallest |w| of each, returns the mask of the parameters that remain.
     */
    static BitMask prune(Parameters params, double sparsity, TensorArena arena) {
        BitMask mask = arena.mask(Math.toIntExact(params.count())).fill(true);
        for (Param p : params.prunable()) {
            DenseF32 w = p.value();
            float[] v = w.toArray();
            float[] mag = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                mag[i] = Math.abs(v[i]);
            }
            Arrays.sort(mag);
            int keep = Math.max(1, (int) Math.round(v.length * (1 - sparsity)));
            float threshold = mag[v.length - keep];
            int kept = 0;
            for (int i = 0; i < v.length; i++) {
                // ">=" with a count cap, so ties at the threshold cannot keep more than asked
                if (Math.abs(v[i]) >= threshold && kept < keep) {
                    kept++;
                } else {
                    w.set(i, 0f);
                    mask.set(p.offset() + i, false);
                }
            }
        }
        return mask;
    }
}
