package dev.thimble.fl.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * The architectures the FL methods train, as {@link Model} recipes (fresh layers at every call).
 * Parameter names follow the layer names below, e.g. {@code conv1.weight}, {@code fc3.bias},
 * {@code block4.conv2.weight}; only convolution and linear weights are prunable.
 */
public final class Models {
    private Models() {
    }

    /**
     * A multi-layer perceptron: {@code flatten}, then {@code fc1, relu1, fc2, relu2, …, fcN} with
     * ReLUs between the linear layers and none after the last.
     *
     * @param inputShape shape of one sample (flattened first)
     * @param widths the hidden widths followed by the number of classes, e.g. {@code 200, 200, 10}
     */
    public static Model mlp(int[] inputShape, int... widths) {
        if (widths.length < 1) {
            throw new IllegalArgumentException("mlp: give at least the number of classes");
        }
        int[] shape = inputShape.clone();
        int in = Math.toIntExact(Network.size(shape));
        int[] ws = widths.clone();
        StringBuilder name = new StringBuilder("mlp-").append(in);
        for (int w : ws) {
            if (w < 1) {
                throw new IllegalArgumentException("mlp: widths must be positive, got " + java.util.Arrays.toString(ws));
            }
            name.append('-').append(w);
        }
        return new Model(name.toString(), shape, () -> {
            List<Layer> layers = new ArrayList<>();
            layers.add(new Flatten("flatten"));
            int prev = in;
            for (int i = 0; i < ws.length; i++) {
                layers.add(new Linear("fc" + (i + 1), prev, ws[i]));
                if (i < ws.length - 1) {
                    layers.add(new Relu("relu" + (i + 1)));
                }
                prev = ws[i];
            }
            return layers;
        });
    }

    /**
     * LeNet-5 for 1×28×28 images as FedDIP's code has it: conv5×5(1→6, pad 2) + ReLU + maxpool2 →
     * conv5×5(6→16) + ReLU + maxpool2 → FC 400→120 ReLU → 120→84 ReLU → 84→classes. Layers
     * {@code conv1, relu1, pool1, conv2, relu2, pool2, flatten, fc1, relu3, fc2, relu4, fc3}.
     *
     * <p>Parameters with 10 classes: conv1 6·1·25 + 6 = 156; conv2 16·6·25 + 16 = 2,416; fc1
     * 120·400 + 120 = 48,120; fc2 84·120 + 84 = 10,164; fc3 10·84 + 10 = 850; total 61,706
     * (61,470 prunable weights).
     */
    public static Model lenet5(int classes) {
        return new Model("lenet5", new int[] {1, 28, 28}, () -> List.of(
                new Conv2d("conv1", 1, 6, 5, 1, 2),
                new Relu("relu1"),
                new MaxPool2d("pool1", 2, 2),
                new Conv2d("conv2", 6, 16, 5, 1, 0),
                new Relu("relu2"),
                new MaxPool2d("pool2", 2, 2),
                new Flatten("flatten"),
                new Linear("fc1", 16 * 5 * 5, 120),
                new Relu("relu3"),
                new Linear("fc2", 120, 84),
                new Relu("relu4"),
                new Linear("fc3", 84, classes)));
    }

    /**
     * BAFFLE's GroupNorm LeNet on {@code inChannels}×32×32 images (BAFFLE resizes MNIST to 32×32):
     * see {@link #gnLenet(int[], int, int, int)}.
     */
    public static Model gnLenet(int inChannels, int classes, int c1, int c2) {
        return gnLenet(new int[] {inChannels, 32, 32}, classes, c1, c2);
    }

    /**
     * BAFFLE's GroupNorm LeNet: conv5×5(C→c1, pad 2) – GN – Hardswish – maxpool2 – conv5×5(c1→c2,
     * pad 2) – GN – Hardswish – global average pool – FC(c2→classes), GroupNorm without affine
     * parameters and with {@code max(2, c/16)} groups as BAFFLE's code. Layers {@code conv1, norm1,
     * act1, pool1, conv2, norm2, act2, globalavg, fc}. The global pooling makes it work for any
     * image size of at least 2×2.
     *
     * <p>Parameters: {@code c1·C·25 + c1 + c2·c1·25 + c2 + classes·c2 + classes}; for 1 channel,
     * 10 classes, 16/64: 416 + 25,664 + 650 = 26,730; 3 channels: 27,530; 3 channels, 100
     * classes, 32/128: 2,432 + 102,528 + 12,900 = 117,860.
     *
     * @param inputShape [C, H, W]
     */
    public static Model gnLenet(int[] inputShape, int classes, int c1, int c2) {
        if (inputShape.length != 3) {
            throw new IllegalArgumentException("gnLenet: input shape must be [channels, height, width]");
        }
        int in = inputShape[0];
        return new Model("gn-lenet-" + c1 + "-" + c2, inputShape, () -> List.of(
                new Conv2d("conv1", in, c1, 5, 1, 2),
                new GroupNorm("norm1", Math.max(2, c1 / 16), c1),
                new Hardswish("act1"),
                new MaxPool2d("pool1", 2, 2),
                new Conv2d("conv2", c1, c2, 5, 1, 2),
                new GroupNorm("norm2", Math.max(2, c2 / 16), c2),
                new Hardswish("act2"),
                new GlobalAvgPool("globalavg"),
                new Linear("fc", c2, classes)));
    }

    /** PreResNet-20 on {@code inChannels}×32×32 images: see {@link #preResNet20(int[], int)}. */
    public static Model preResNet20(int inChannels, int classes) {
        return preResNet20(new int[] {inChannels, 32, 32}, classes);
    }

    /**
     * PreResNet-20 as FeDepth uses it: stem conv3×3(C→16, no bias) + BN (no ReLU), nine
     * {@link PreActBlock}s of widths 16,16,16 | 32,32,32 | 64,64,64 with strides 1,1,1 | 2,1,1 |
     * 2,1,1 (the first block of stages 2 and 3 has a 1×1 projection shortcut), then BN → ReLU →
     * global average pool → FC(64→classes). Batch statistics throughout (FeDepth's
     * {@code --no_track_stat}). Works for CIFAR's 3×32×32 and for 1×28×28 (28 → 14 → 7).
     *
     * <p>Layers {@code conv1, bn1, block1..block9, bn_out, relu_out, pool, fc}; FeDepth calls them
     * {@code first, first_norm, layer1..layer9, bn9, (relu), (avgpool), linear}.
     *
     * <p>Parameters: stem 16·C·9 + 32 (BN); block with in = out = w: 2·9w² + 4w (two BNs);
     * blocks 1–3: 4,672 each; block4 (16→32): 4,608 + 9,216 + 32 + 64 + 512 = 14,432; blocks
     * 5–6: 18,560 each; block7 (32→64): 18,432 + 36,864 + 64 + 128 + 2,048 = 57,536; blocks 8–9:
     * 73,984 each; blocks in all 271,072; head BN 128; FC 64·classes + classes. Total
     * 271,200 + 16·C·9 + 32 + 65·classes: 272,026 for C = 1 and 10 classes, 272,314 for C = 3 and
     * 10 classes, 278,164 for C = 3 and 100 classes (FeDepth's figure).
     *
     * @param inputShape [C, H, W]
     */
    public static Model preResNet20(int[] inputShape, int classes) {
        return preResNet("preresnet20", inputShape, classes, 16, new int[] {16, 16, 16, 32, 32, 32, 64, 64, 64});
    }

    /**
     * PreResNet-20 with base width {@code base} instead of 16: stem {@code base}, blocks
     * base,base,base | 2·base ×3 | 4·base ×3, otherwise as {@link #preResNet20(int[], int)}; named
     * {@code preresnet20-w<base>}. A cheaper model with the same depth-wise memory profile (the
     * first-resolution blocks still dominate activation memory), for CPU reproductions.
     *
     * <p>Parameters for base 8, one input channel and 10 classes: stem 72 + 16 = 88; blocks 1–3
     * 1,184 each; block4 3,632; blocks 5–6 4,672 each; block7 14,432; blocks 8–9 18,560 each;
     * head BN 64 + FC 330; total 68,562.
     */
    public static Model preResNet20(int[] inputShape, int classes, int base) {
        if (base < 1) {
            throw new IllegalArgumentException("preResNet20: base width must be at least 1, got " + base);
        }
        int b2 = 2 * base;
        int b4 = 4 * base;
        return preResNet("preresnet20-w" + base, inputShape, classes, base,
                new int[] {base, base, base, b2, b2, b2, b4, b4, b4});
    }

    /**
     * A PreResNet of {@link PreActBlock}s with any widths: stem conv3×3(C→stem, no bias) + BN (no
     * ReLU); one block per entry of {@code blockWidths}, with stride 2 (and a 1×1 projection) at
     * the first block of each new stage, i.e. wherever the width differs from the previous block's
     * in the <em>reference</em> widths {@code strideAt}; then BN → ReLU → global average pool → FC.
     * Layers {@code conv1, bn1, block1..blockN, bn_out, relu_out, pool, fc}. Width-slimmed
     * sub-networks (HeteroFL) use this with the widths scaled.
     *
     * @param name the model's name
     * @param inputShape [C, H, W]
     * @param stem the stem's output channels
     * @param blockWidths each block's output channels
     */
    public static Model preResNet(String name, int[] inputShape, int classes, int stem, int[] blockWidths) {
        boolean[] strided = new boolean[blockWidths.length];
        for (int i = 1; i < blockWidths.length; i++) {
            strided[i] = blockWidths[i] != blockWidths[i - 1];
        }
        return preResNet(name, inputShape, classes, stem, blockWidths, strided);
    }

    /**
     * {@link #preResNet(String, int[], int, int, int[])} with the stride-2 blocks given explicitly
     * ({@code strided[i]} for block i+1), so a slimmed network keeps its reference's downsampling
     * even where rounding makes two stages' widths equal.
     */
    public static Model preResNet(String name, int[] inputShape, int classes, int stem, int[] blockWidths,
            boolean[] strided) {
        if (inputShape.length != 3) {
            throw new IllegalArgumentException(name + ": input shape must be [channels, height, width]");
        }
        if (stem < 1 || blockWidths.length == 0 || strided.length != blockWidths.length || classes < 1) {
            throw new IllegalArgumentException(name + ": need a positive stem width, at least one block, one stride"
                    + " flag per block and at least one class; got stem " + stem + ", widths "
                    + java.util.Arrays.toString(blockWidths) + ", " + classes + " classes");
        }
        int in = inputShape[0];
        int[] widths = blockWidths.clone();
        boolean[] s2 = strided.clone();
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException(name + ": block widths must be positive, got "
                        + java.util.Arrays.toString(widths));
            }
        }
        return new Model(name, inputShape, () -> {
            List<Layer> layers = new ArrayList<>();
            layers.add(new Conv2d("conv1", in, stem, 3, 1, 1, false));
            layers.add(new BatchNorm2d("bn1", stem));
            int prev = stem;
            for (int i = 0; i < widths.length; i++) {
                layers.add(new PreActBlock("block" + (i + 1), prev, widths[i], s2[i] ? 2 : 1));
                prev = widths[i];
            }
            layers.add(new BatchNorm2d("bn_out", prev));
            layers.add(new Relu("relu_out"));
            layers.add(new GlobalAvgPool("pool"));
            layers.add(new Linear("fc", prev, classes));
            return layers;
        });
    }
}
