package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Average pooling over k×k windows with stride s and no padding: [b, C, H, W] → [b, C, OH, OW]
 * with {@code OH = (H − k) / s + 1} (floor); every window lies inside the image, so each divides
 * by k². Keeps nothing between passes.
 */
public final class AvgPool2d extends Pooling {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;


    /**
     * An average pooling layer.
     *
     * @param kernel the window side k ≥ 1
     * @param stride the step s ≥ 1 (PyTorch's default is s = k)
     */
    public AvgPool2d(String name, int kernel, int stride) {
        super(name, kernel, stride);
    }



    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        float inv = 1f / (kernel * kernel);
        long planes = (long) x.dim(0) * channels;
        long plane = (long) height * width;
        long o = 0;
        for (long p = 0; p < planes; p++) {
            long base = p * plane;
            for (int oh = 0; oh < outHeight; oh++) {
                for (int ow = 0; ow < outWidth; ow++, o++) {
                    long first = base + (long) oh * stride * width + (long) ow * stride;
                    float sum = 0f;
                    for (int i = 0; i < kernel; i++) {
                        long r = first + (long) i * width;
                        for (int j = 0; j < kernel; j++) {
                            sum += xs.getAtIndex(F, r + j);
                        }
                    }
                    ys.setAtIndex(F, o, sum * inv);
                }
            }
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (dx == null) {
            return;
        }
        dx.fill(0f);
        MemorySegment gs = dy.segment();
        MemorySegment ds = dx.segment();
        float inv = 1f / (kernel * kernel);
        long planes = (long) x.dim(0) * channels;
        long plane = (long) height * width;
        long o = 0;
        for (long p = 0; p < planes; p++) {
            long base = p * plane;
            for (int oh = 0; oh < outHeight; oh++) {
                for (int ow = 0; ow < outWidth; ow++, o++) {
                    long first = base + (long) oh * stride * width + (long) ow * stride;
                    float g = gs.getAtIndex(F, o) * inv;
                    for (int i = 0; i < kernel; i++) {
                        long r = first + (long) i * width;
                        for (int j = 0; j < kernel; j++) {
                            ds.setAtIndex(F, r + j, ds.getAtIndex(F, r + j) + g);
                        }
                    }
                }
            }
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        int[] out = outputShape(inputShape);
        return (long) out[0] * out[1] * out[2] * kernel * kernel;
    }
}
