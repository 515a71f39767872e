package dev.thimble.fl.nn;

import dev.thimble.fl.data.Batches;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.DenseF32;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The basic block of a pre-activation ResNet: with {@code o = ReLU(BN1(x))},
 * {@code y = conv2(ReLU(BN2(conv1(o)))) + shortcut}, where conv1 is 3×3 with the block's stride,
 * conv2 is 3×3 with stride 1 (both without bias), and the shortcut is a 1×1 convolution (stride,
 * no bias) of {@code o} when the stride or the channel count changes.
 *
 * <p>Without a projection the shortcut is, by default, {@code o} as in FeDepth's PreResNet code
 * ({@code shortcut = nn.Sequential()} applied to the activated input); {@link #PreActBlock(String,
 * int, int, int, boolean)} can add the raw input {@code x} instead, as in He et al.'s
 * pre-activation ResNet.
 *
 * <p>The block is one {@link Layer} that owns its sub-layers, named {@code bn1, relu1, conv1, bn2,
 * relu2, conv2, shortcut}; their parameters are declared qualified, e.g. {@code conv1.weight}, so
 * a block called {@code block4} has {@code block4.conv1.weight}. Memory allocated in
 * {@link #build}, for batches of up to maxBatch samples: the four internal activations (BN1 and
 * ReLU outputs at input size, conv1 and BN2 outputs at output size, plus the ReLU2 output and the
 * projection's output), and in training networks three gradient buffers (two at output size, one
 * at input size); the sub-layers add their own (im2col scratch, statistics). In an inference
 * network with shared scratch ({@link InferenceScratch}) the block allocates none of its own: its
 * forward pass runs in three shared buffers (ReLUs in place, the projection in conv1's output
 * slot), so a frozen prefix of k blocks costs one block's scratch.
 */
public final class PreActBlock implements Layer {
    private final String name;
    private final int inChannels;
    private final int outChannels;
    private final int stride;
    private final boolean shortcutFromActivation;
    private final BatchNorm2d bn1;
    private final Relu relu1;
    private final Conv2d conv1;
    private final BatchNorm2d bn2;
    private final Relu relu2;
    private final Conv2d conv2;
    private final Conv2d projection; // null for an identity shortcut

    private KernelContext kernels;
    private int[] inShape;
    private int[] outShape;
    // activations, [maxBatch, ...] flat
    private static final int SLOT_IN = 0;
    private static final int SLOT_H1 = 1;
    private static final int SLOT_A2 = 2;
    private InferenceScratch shared; // inference networks: the network's scratch instead of a1..sc
    private DenseF32 a1; // BN1(x)
    private DenseF32 o; // ReLU(a1)
    private DenseF32 h1; // conv1(o)
    private DenseF32 a2; // BN2(h1)
    private DenseF32 r2; // ReLU(a2)
    private DenseF32 sc; // projection(o), or null
    // gradients (training only)
    private DenseF32 gOutA;
    private DenseF32 gOutB;
    private DenseF32 gIn;

    /**
     * A block as FeDepth's PreResNet has it (identity shortcut adds {@code ReLU(BN1(x))}).
     *
     * @param inChannels input channels
     * @param outChannels output channels
     * @param stride stride of conv1 and of the projection
     */
    public PreActBlock(String name, int inChannels, int outChannels, int stride) {
        this(name, inChannels, outChannels, stride, true);
    }

    /**
     * A block whose identity shortcut adds {@code ReLU(BN1(x))} (FeDepth) when
     * {@code shortcutFromActivation}, or x itself (He et al.) otherwise. A projection shortcut
     * always reads {@code ReLU(BN1(x))}, in both variants.
     */
    public PreActBlock(String name, int inChannels, int outChannels, int stride, boolean shortcutFromActivation) {
        if (inChannels < 1 || outChannels < 1 || stride < 1) {
            throw new IllegalArgumentException(name + ": invalid block (inChannels " + inChannels + ", outChannels "
                    + outChannels + ", stride " + stride + ")");
        }
        this.name = name;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.stride = stride;
        this.shortcutFromActivation = shortcutFromActivation;
        bn1 = new BatchNorm2d("bn1", inChannels);
        relu1 = new Relu("relu1");
        conv1 = new Conv2d("conv1", inChannels, outChannels, 3, stride, 1, false);
        bn2 = new BatchNorm2d("bn2", outChannels);
        relu2 = new Relu("relu2");
        conv2 = new Conv2d("conv2", outChannels, outChannels, 3, 1, 1, false);
        projection = stride != 1 || inChannels != outChannels
                ? new Conv2d("shortcut", inChannels, outChannels, 1, stride, 0, false) : null;
    }

    @Override
    public String name() {
        return name;
    }

    /** Whether the shortcut is a 1×1 convolution. */
    public boolean hasProjection() {
        return projection != null;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 3 || inputShape[0] != inChannels) {
            throw new IllegalArgumentException(name + ": expects input samples of shape [" + inChannels
                    + ", height, width], got " + Arrays.toString(inputShape));
        }
        return conv2.outputShape(conv1.outputShape(inputShape));
    }

    @Override
    public List<ParamSpec> parameters(int[] inputShape) {
        int[] mid = outputShape(inputShape);
        List<ParamSpec> out = new ArrayList<>();
        qualify(out, bn1, inputShape);
        qualify(out, conv1, inputShape);
        qualify(out, bn2, mid);
        qualify(out, conv2, mid);
        if (projection != null) {
            qualify(out, projection, inputShape);
        }
        return out;
    }

    private static void qualify(List<ParamSpec> out, Layer l, int[] shape) {
        for (ParamSpec p : l.parameters(shape)) {
            out.add(new ParamSpec(l.name() + "." + p.name(), p.shape(), p.prunable(), p.init()));
        }
    }

    @Override
    public void build(LayerContext c) {
        inShape = c.inputShape();
        outShape = outputShape(inShape);
        kernels = c.kernels();
        int b = c.maxBatch();
        int in = Math.toIntExact(b * Network.size(inShape));
        int out = Math.toIntExact(b * Network.size(outShape));
        shared = c.training() ? null : c.scratch();
        if (shared != null) {
            // inference: o = ReLU(a1) in place, r2 = ReLU(a2) in place, the projection reuses h1's slot
            shared.reserve(SLOT_IN, in);
            shared.reserve(SLOT_H1, out);
            shared.reserve(SLOT_A2, out);
        } else {
            a1 = c.arena().dense(in);
            o = c.arena().dense(in);
            h1 = c.arena().dense(out);
            a2 = c.arena().dense(out);
            r2 = c.arena().dense(out);
            sc = projection == null ? null : c.arena().dense(out);
        }
        if (c.training()) {
            gOutA = c.arena().dense(out);
            gOutB = c.arena().dense(out);
            gIn = c.arena().dense(in);
        }
        buildSub(c, bn1, inShape);
        buildSub(c, relu1, inShape);
        buildSub(c, conv1, inShape);
        buildSub(c, bn2, outShape);
        buildSub(c, relu2, outShape);
        buildSub(c, conv2, outShape);
        if (projection != null) {
            buildSub(c, projection, inShape);
        }
    }

    private static void buildSub(LayerContext c, Layer l, int[] shape) {
        l.build(new LayerContext(shape, c.maxBatch(), c.training(), c.arena(), c.kernels(), c.params(),
                c.prefix() + "." + l.name(), c.scratch()));
    }

    private DenseF32 in(DenseF32 buffer, int b) {
        return buffer.view(0, Batches.shape(b, inShape));
    }

    private DenseF32 out(DenseF32 buffer, int b) {
        return buffer.view(0, Batches.shape(b, outShape));
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        if (shared != null) {
            forwardShared(x, y);
            return;
        }
        int b = x.dim(0);
        DenseF32 a1b = in(a1, b);
        DenseF32 ob = in(o, b);
        DenseF32 h1b = out(h1, b);
        DenseF32 a2b = out(a2, b);
        DenseF32 r2b = out(r2, b);
        bn1.forward(x, a1b);
        relu1.forward(a1b, ob);
        conv1.forward(ob, h1b);
        bn2.forward(h1b, a2b);
        relu2.forward(a2b, r2b);
        conv2.forward(r2b, y);
        if (projection != null) {
            DenseF32 scb = out(sc, b);
            projection.forward(ob, scb);
            VectorOps.axpy(kernels, 1f, scb, y);
        } else {
            VectorOps.axpy(kernels, 1f, shortcutFromActivation ? ob : x, y);
        }
    }

    /** The inference forward pass on the network's shared scratch: three buffers instead of six. */
    private void forwardShared(DenseF32 x, DenseF32 y) {
        int b = x.dim(0);
        int[] inB = Batches.shape(b, inShape);
        int[] outB = Batches.shape(b, outShape);
        DenseF32 ob = shared.view(SLOT_IN, inB);
        DenseF32 h1b = shared.view(SLOT_H1, outB);
        DenseF32 a2b = shared.view(SLOT_A2, outB);
        bn1.forward(x, ob);
        relu1.forward(ob, ob);
        conv1.forward(ob, h1b);
        bn2.forward(h1b, a2b);
        relu2.forward(a2b, a2b);
        conv2.forward(a2b, y);
        if (projection != null) {
            projection.forward(ob, h1b); // h1 is dead once BN2 has read it
            VectorOps.axpy(kernels, 1f, h1b, y);
        } else {
            VectorOps.axpy(kernels, 1f, shortcutFromActivation ? ob : x, y);
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (gIn == null) {
            throw new IllegalStateException(name + ": backward in a network built for inference");
        }
        int b = x.dim(0);
        DenseF32 a1b = in(a1, b);
        DenseF32 ob = in(o, b);
        DenseF32 h1b = out(h1, b);
        DenseF32 a2b = out(a2, b);
        DenseF32 r2b = out(r2, b);
        DenseF32 gA = out(gOutA, b);
        DenseF32 gB = out(gOutB, b);
        DenseF32 gO = in(gIn, b);
        // main path, last to first; conv2's own output is not kept (y also holds the shortcut),
        // which is fine because a convolution's backward pass reads only its input
        conv2.backward(r2b, y, dy, gA);
        relu2.backward(a2b, r2b, gA, gB);
        bn2.backward(h1b, a2b, gB, gA);
        conv1.backward(ob, h1b, gA, gO);
        // the shortcut's gradient joins the main path's at o (or at x for He et al.'s identity)
        if (projection != null) {
            projection.backward(ob, dy, gO, true);
        } else if (shortcutFromActivation) {
            VectorOps.axpy(kernels, 1f, dy, gO);
        }
        // ReLU's backward is element-wise, so it can run in place
        relu1.backward(a1b, ob, gO, gO);
        bn1.backward(x, a1b, gO, dx);
        if (dx != null && projection == null && !shortcutFromActivation) {
            VectorOps.axpy(kernels, 1f, dy, dx);
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        int[] mid = outputShape(inputShape);
        long flops = bn1.forwardFlops(inputShape) + relu1.forwardFlops(inputShape) + conv1.forwardFlops(inputShape)
                + bn2.forwardFlops(mid) + relu2.forwardFlops(mid) + conv2.forwardFlops(mid) + Network.size(mid);
        return projection == null ? flops : flops + projection.forwardFlops(inputShape);
    }

    @Override
    public void free() {
        Frees.all(a1, o, h1, a2, r2, sc, gOutA, gOutB, gIn);
        a1 = o = h1 = a2 = r2 = sc = gOutA = gOutB = gIn = null;
        for (Layer l : new Layer[] {bn1, relu1, conv1, bn2, relu2, conv2, projection}) {
            if (l != null) {
                l.free();
            }
        }
    }
}
