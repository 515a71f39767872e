package dev.thimble.fl.strategy;

import dev.thimble.fl.nn.Layer;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.fl.nn.SparseWeights;
import dev.thimble.tensor.BitMask;

/**
 * Forward FLOPs of one sample through a model whose Linear and Conv2d weights are pruned by a
 * flat mask: the dense count minus 2 FLOPs (multiply and add) for every pruned weight at every
 * position it is applied (1 for a Linear weight, OH·OW for a convolution weight), which is what
 * the sparse kernels skip.
 */
final class SparseFlops {
    private SparseFlops() {
    }

    /**
     * @param mask (Input, Optional) over the model's flat parameters; null for the dense count
     */
    static long forward(Model model, BitMask mask) {
        long dense = model.forwardFlops();
        if (mask == null) {
            return dense;
        }
        long skipped = 0;
        long offset = 0;
        int[] shape = model.inputShape();
        for (Layer l : model.layers()) {
            int[] out = l.outputShape(shape);
            for (ParamSpec p : l.parameters(shape)) {
                if (l instanceof SparseWeights sw && p.name().equals(sw.maskedParameter())) {
                    long kept = mask.view(offset, Math.toIntExact(p.size())).cardinality();
                    long uses = size(out) / out[0]; // output positions per output channel
                    skipped += 2L * (p.size() - kept) * uses;
                }
                offset += p.size();
            }
            shape = out;
        }
        return dense - skipped;
    }

    private static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
