package dev.thimble.fl.depth;

import dev.thimble.fl.nn.ChannelPadLink;
import dev.thimble.fl.nn.Layer;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Param;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.fl.nn.PreActBlock;
import dev.thimble.tensor.DenseF32;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model seen as FeDepth sees it: a stem (the layers before the first {@link PreActBlock}), a
 * run of blocks, and a head (the layers after the last block), plus where every parameter sits in
 * the model's flat vector. It makes the two networks a stage needs: the frozen prefix (stem and
 * earlier blocks, run for inference) and the trainable stage (its blocks, a {@link ChannelPadLink}
 * when their output does not have the head's input shape, and the head).
 */
final class BlockLayout {
    private final Model model;
    private final int stemEnd; // index of the first block in the layer list
    private final int blocks;
    private final int[][] shapes; // shapes[i] = input shape of layer i
    private final Map<String, long[]> offsets = new HashMap<>(); // name -> {offset, size}
    private final boolean multiHead;
    private final long baseCount; // parameters of the model itself
    private final long totalCount; // plus the auxiliary heads in multi-head mode

    private BlockLayout(Model model, boolean multiHead) {
        this.multiHead = multiHead;
        this.model = model;
        List<Layer> layers = model.layers();
        int first = -1;
        int last = -1;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof PreActBlock) {
                if (first < 0) {
                    first = i;
                } else if (last != i - 1) {
                    throw new IllegalArgumentException(model.name() + ": FeDepth needs the blocks in one run, block at"
                            + " layer " + i + " follows a non-block layer");
                }
                last = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException(model.name() + " has no residual blocks (PreActBlock) to split"
                    + " depth-wise; use a PreResNet");
        }
        this.stemEnd = first;
        this.blocks = last - first + 1;
        this.shapes = new int[layers.size() + 1][];
        shapes[0] = model.inputShape();
        for (int i = 0; i < layers.size(); i++) {
            shapes[i + 1] = layers.get(i).outputShape(shapes[i]);
        }
        long offset = 0;
        for (ParamSpec p : model.parameterSpecs()) {
            offsets.put(p.name(), new long[] {offset, p.size()});
            offset += p.size();
        }
        this.baseCount = offset;
        if (multiHead) {
            for (ParamSpec p : auxHeadSpecs()) {
                offsets.put(p.name(), new long[] {offset, p.size()});
                offset += p.size();
            }
        }
        this.totalCount = offset;
    }

    /** The layout of {@code model}; fails if it has no run of {@link PreActBlock}s. */
    static BlockLayout of(Model model) {
        return new BlockLayout(model, false);
    }

    /**
     * The layout with m-FeDepth's per-stage heads: a stage ending at block e < N ends in its own
     * head {@code head<e>} (BN → global average pool → FC, no ReLU and no link, as
     * {@code preresnet_mhead.py}); the last stage uses the model's head. The heads' parameters
     * follow the model's in the flat vector ({@link #totalCount()}).
     */
    static BlockLayout multiHead(Model model) {
        return new BlockLayout(model, true);
    }

    /** Parameters of the model itself. */
    long baseCount() {
        return baseCount;
    }

    /** Parameters of the model and, in multi-head mode, the auxiliary heads. */
    long totalCount() {
        return totalCount;
    }

    /** The auxiliary head after block e (1-based end, 1 ≤ e < N): its layers. */
    private List<Layer> auxHead(int e) {
        int c = shapes[stemEnd + e][0];
        int classes = shapes[shapes.length - 1][0];
        return List.of(new dev.thimble.fl.nn.BatchNorm2d("head" + e + "_bn", c),
                new dev.thimble.fl.nn.GlobalAvgPool("head" + e + "_pool"),
                new dev.thimble.fl.nn.Linear("head" + e + "_fc", c, classes));
    }

    /** Every auxiliary head's parameters, qualified, in flat order. */
    List<ParamSpec> auxHeadSpecs() {
        List<ParamSpec> out = new ArrayList<>();
        for (int e = 1; e < blocks; e++) {
            int[] shape = shapes[stemEnd + e];
            for (Layer l : auxHead(e)) {
                for (ParamSpec p : l.parameters(shape)) {
                    out.add(new ParamSpec(l.name() + "." + p.name(), p.shape(), p.prunable(), p.init()));
                }
                shape = l.outputShape(shape);
            }
        }
        return out;
    }

    /** The flat range {offset, size} of the parameters a stage ending at block e trains beyond the model's. */
    long[] auxRange(int e) {
        if (!multiHead || e >= blocks) {
            return new long[] {0, 0};
        }
        long start = offsets.get("head" + e + "_bn.weight")[0];
        long end = offsets.get("head" + e + "_fc.bias")[0] + offsets.get("head" + e + "_fc.bias")[1];
        return new long[] {start, end - start};
    }

    Model model() {
        return model;
    }

    /** Number of blocks. */
    int blocks() {
        return blocks;
    }

    /** Shape of one sample leaving block {@code b} (0-based). */
    int[] blockOutput(int b) {
        return shapes[stemEnd + b + 1].clone();
    }

    /** The frozen prefix of a stage starting at block {@code from}: stem and blocks [0, from); from ≥ 1. */
    Model prefix(int from) {
        check(from, from);
        if (from == 0) {
            throw new IllegalArgumentException("the first stage has no frozen prefix");
        }
        int end = stemEnd + from;
        return new Model(model.name() + "-prefix" + from, model.inputShape(), () -> model.layers().subList(0, end));
    }

    /**
     * The trainable network of the stage of blocks [from, to): the stem when {@code from == 0},
     * the blocks, a link to the head's input shape when needed, and the head. Parameter names are
     * those of the full model, so {@link #load} and {@link #store} can match them.
     */
    Model stage(int from, int to) {
        check(from, to);
        if (to <= from) {
            throw new IllegalArgumentException("a stage needs at least one block, got [" + from + ", " + to + ")");
        }
        int first = from == 0 ? 0 : stemEnd + from;
        int last = stemEnd + to; // exclusive
        int headStart = stemEnd + blocks;
        int[] out = shapes[last];
        int[] headIn = shapes[headStart];
        if (multiHead && to < blocks) {
            return new Model(model.name() + "-stage" + (from + 1) + "-" + to + "-mhead", shapes[first], () -> {
                List<Layer> l = new ArrayList<>(model.layers().subList(first, last));
                l.addAll(auxHead(to));
                return l;
            });
        }
        boolean link = !java.util.Arrays.equals(out, headIn);
        if (link) {
            ChannelPadLink.between("link", out, headIn); // validates now, not at the first round
        }
        int[] input = shapes[first];
        return new Model(model.name() + "-stage" + (from + 1) + "-" + to, input, () -> {
            List<Layer> all = model.layers();
            List<Layer> l = new ArrayList<>(all.subList(first, last));
            if (link) {
                l.add(ChannelPadLink.between("link", out, headIn));
            }
            l.addAll(all.subList(headStart, all.size()));
            return l;
        });
    }

    /** Copies each of {@code net}'s parameters from its place in the full flat vector. */
    void load(DenseF32 full, Network net) {
        for (Param p : net.parameters().list()) {
            p.value().copyFrom(slot(full, p));
        }
    }

    /** Copies each of {@code net}'s parameters into its place in the full flat vector. */
    void store(Network net, DenseF32 full) {
        for (Param p : net.parameters().list()) {
            slot(full, p).copyFrom(p.value());
        }
    }

    /** Whether parameter {@code name} of the full model belongs to blocks [from, to) (or the stem when from = 0). */
    boolean inBlocks(String name, int from, int to) {
        List<Layer> layers = model.layers();
        String layer = name.substring(0, name.indexOf('.'));
        int lo = from == 0 ? 0 : stemEnd + from;
        for (int i = lo; i < stemEnd + to; i++) {
            if (layers.get(i).name().equals(layer)) {
                return true;
            }
        }
        return false;
    }

    /** Offset and size of each parameter of the full model, by name. */
    Map<String, long[]> offsets() {
        return offsets;
    }

    private DenseF32 slot(DenseF32 full, Param p) {
        long[] o = offsets.get(p.name());
        if (o == null || o[1] != p.size()) {
            throw new IllegalStateException(model.name() + ": parameter " + p.name() + " of a stage network does not"
                    + " match the full model");
        }
        return full.view(o[0], p.value().shape());
    }

    private void check(int from, int to) {
        if (from < 0 || to > blocks || from > to) {
            throw new IllegalArgumentException(model.name() + ": stage [" + from + ", " + to + ") outside its "
                    + blocks + " blocks");
        }
    }
}
