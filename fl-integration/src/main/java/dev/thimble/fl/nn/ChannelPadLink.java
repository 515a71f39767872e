package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * FeDepth's parameter-free skip link ("option A" shortcut of the original ResNet): keeps every
 * {@code stride}-th row and column ({@code x[:, :, ::s, ::s]}) and zero-pads the channels,
 * {@code padBefore} zero channels before the input's and the rest after, so a stage that ends at
 * an early block can feed the shared head. FeDepth's {@code link1} is 16ch@32² → 64ch@8²
 * (stride 4, 24 + 24 zero channels), {@code link2} 32ch@16² → 64ch@8² (stride 2, 16 + 16).
 *
 * <p>Backward: the gradient of the kept positions is the output gradient of their channel; every
 * other input position (skipped rows/columns) gets 0, and the padded channels' gradient is dropped.
 */
public final class ChannelPadLink implements Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private final String name;
    private final int stride;
    private final int outChannels;
    private final int padBefore;

    /**
     * A link.
     *
     * @param stride s ≥ 1, the spatial subsampling step
     * @param outChannels C' ≥ C, the output channels
     * @param padBefore zero channels before the input's, in [0, C' − C]
     */
    public ChannelPadLink(String name, int stride, int outChannels, int padBefore) {
        if (stride < 1 || outChannels < 1 || padBefore < 0) {
            throw new IllegalArgumentException(name + ": invalid link (stride " + stride + ", outChannels "
                    + outChannels + ", padBefore " + padBefore + ")");
        }
        this.name = name;
        this.stride = stride;
        this.outChannels = outChannels;
        this.padBefore = padBefore;
    }

    /**
     * The link from samples shaped {@code from} = [C, H, W] to {@code to} = [C', H', W'] as FeDepth
     * builds it: stride H / H' (which must divide exactly and give W' too) and the padding split
     * evenly, (C' − C) / 2 before.
     */
    public static ChannelPadLink between(String name, int[] from, int[] to) {
        if (from.length != 3 || to.length != 3 || to[0] < from[0] || to[1] < 1 || from[1] % to[1] != 0
                || from[2] != to[2] * (from[1] / to[1])) {
            throw new IllegalArgumentException(name + ": no channel-pad link from " + Arrays.toString(from) + " to "
                    + Arrays.toString(to) + " (needs C' ≥ C and H/H' = W/W' an integer)");
        }
        return new ChannelPadLink(name, from[1] / to[1], to[0], (to[0] - from[0]) / 2);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 3 || in[0] + padBefore > outChannels) {
            throw new IllegalArgumentException(name + ": cannot pad " + Arrays.toString(in) + " to " + outChannels
                    + " channels with " + padBefore + " before");
        }
        return new int[] {outChannels, ceilDiv(in[1], stride), ceilDiv(in[2], stride)};
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        y.fill(0f);
        copyKept(x, x.segment(), y.segment(), true);
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (dx == null) {
            return;
        }
        dx.fill(0f);
        copyKept(x, dx.segment(), dy.segment(), false);
    }

    /**
     * The one index map of this link: input position (n, ch, i·stride, j·stride) ↔ output position
     * (n, ch + padBefore, i, j). Forward copies input → output ({@code toOutput}); backward routes
     * the output gradient back through the same map.
     *
     * @param x (Input) the layer input, for its shape
     * @param xSide the input (forward) or the input gradient (backward)
     * @param ySide the output (forward) or the output gradient (backward)
     */
    private void copyKept(DenseF32 x, MemorySegment xSide, MemorySegment ySide, boolean toOutput) {
        int b = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int oh = ceilDiv(h, stride);
        int ow = ceilDiv(w, stride);
        for (int n = 0; n < b; n++) {
            for (int ch = 0; ch < c; ch++) {
                long xBase = ((long) n * c + ch) * h * w;
                long yBase = ((long) n * outChannels + ch + padBefore) * oh * ow;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        long xi = xBase + (long) i * stride * w + (long) j * stride;
                        long yi = yBase + (long) i * ow + j;
                        if (toOutput) {
                            ySide.setAtIndex(F, yi, xSide.getAtIndex(F, xi));
                        } else {
                            xSide.setAtIndex(F, xi, ySide.getAtIndex(F, yi));
                        }
                    }
                }
            }
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        return 0; // a copy, no arithmetic
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
