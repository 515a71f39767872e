package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Max pooling over k×k windows with stride s and no padding: [b, C, H, W] → [b, C, OH, OW] with
 * {@code OH = (H − k) / s + 1} (floor, PyTorch's default {@code ceil_mode=False}).
 *
 * <p>The position of each window's maximum (the first one in row-major order on ties, and a NaN
 * wins as in PyTorch) is kept for the backward pass, which routes each output gradient to it.
 * The positions are ints stored in a buffer allocated from the network's arena in {@link #build}
 * (a {@link DenseF32} of {@code maxBatch·C·OH·OW} elements whose memory is written and read as
 * {@code int}s, so the arena accounts for it and indices are exact at any size); a network built
 * for inference keeps none.
 */
public final class MaxPool2d extends Pooling {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;

    private DenseF32 argmaxBuffer; // owns the memory of argmax
    private MemorySegment argmax; // flat input index within the sample, per output element, as ints

    /**
     * A max pooling layer.
     *
     * @param kernel the window side k ≥ 1
     * @param stride the step s ≥ 1 (PyTorch's default is s = k)
     */
    public MaxPool2d(String name, int kernel, int stride) {
        super(name, kernel, stride);
    }



    @Override
    public void build(LayerContext c) {
        super.build(c);
        if (c.training()) {
            argmaxBuffer = c.arena().dense(c.maxBatch() * channels * outHeight * outWidth);
            argmax = argmaxBuffer.segment();
        }
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        int b = x.dim(0);
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        long plane = (long) height * width;
        long o = 0;
        for (int s = 0; s < b; s++) {
            long sample = (long) s * channels * plane;
            for (int c = 0; c < channels; c++) {
                long channel = (long) c * plane;
                for (int oh = 0; oh < outHeight; oh++) {
                    for (int ow = 0; ow < outWidth; ow++, o++) {
                        long first = channel + (long) oh * stride * width + (long) ow * stride;
                        long best = first;
                        float max = xs.getAtIndex(F, sample + first);
                        for (int i = 0; i < kernel; i++) {
                            long r = first + (long) i * width;
                            for (int j = 0; j < kernel; j++) {
                                float v = xs.getAtIndex(F, sample + r + j);
                                if (v > max || Float.isNaN(v) && !Float.isNaN(max)) {
                                    max = v;
                                    best = r + j;
                                }
                            }
                        }
                        ys.setAtIndex(F, o, max);
                        if (argmax != null) {
                            argmax.setAtIndex(I, o, (int) best);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (dx == null) {
            return;
        }
        if (argmax == null) {
            throw new IllegalStateException(name + ": backward in a network built for inference");
        }
        dx.fill(0f);
        MemorySegment gs = dy.segment();
        MemorySegment ds = dx.segment();
        int b = x.dim(0);
        long sampleIn = (long) channels * height * width;
        long sampleOut = (long) channels * outHeight * outWidth;
        for (int s = 0; s < b; s++) {
            long in = s * sampleIn;
            for (long o = s * sampleOut, end = o + sampleOut; o < end; o++) {
                long i = in + argmax.getAtIndex(I, o);
                ds.setAtIndex(F, i, ds.getAtIndex(F, i) + gs.getAtIndex(F, o));
            }
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        int[] out = outputShape(inputShape);
        return (long) out[0] * out[1] * out[2] * (kernel * kernel - 1);
    }

    @Override
    public void free() {
        Frees.all(argmaxBuffer);
        argmaxBuffer = null;
        argmax = null;
    }
}
