package dev.thimble.fl.nn;

import dev.thimble.fl.data.Batches;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.Tensor;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model built in an arena: its flat parameters (and gradients), its layers, and the activation
 * buffers of batches of up to {@code maxBatch} samples, all allocated once at build time.
 *
 * <p>A network built for training keeps every layer's output for the backward pass and two
 * ping-pong gradient buffers; one built for inference (forward passes only, as zeroth-order
 * training needs) has no gradients and reuses two ping-pong activation buffers, so its memory is
 * parameters plus the two largest activations, and its residual blocks share one set of scratch
 * buffers ({@link InferenceScratch}). The arena sees every byte, so its peak is what a
 * device would need.
 */
public final class Network implements AutoCloseable {
    private final Model model;
    private final List<Layer> layers;
    private boolean masked; // some layer holds CSR copies of its weights
    private final int[][] shapes; // shapes[i] = input shape of layer i; shapes[n] = output shape
    private final int maxBatch;
    private final boolean training;
    private final Parameters parameters;
    private final DenseF32[] outputs; // training: one per layer; inference: two ping-pong buffers
    private final DenseF32[] gradients; // training: two ping-pong buffers; inference: none
    private final DenseF32 outputGradient;
    private final List<Tensor> owned = new ArrayList<>();
    private InferenceScratch scratch; // inference only: the blocks' shared scratch
    private DenseF32 lastInput;

    private Network(Model model, TensorArena arena, int maxBatch, boolean training, KernelContext kernels) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.model = model;
        this.layers = model.layers();
        this.maxBatch = maxBatch;
        this.training = training;
        this.shapes = new int[layers.size() + 1][];
        shapes[0] = model.inputShape();
        Map<String, ParamSpec> specs = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            for (ParamSpec p : l.parameters(shapes[i])) {
                String name = l.name() + "." + p.name();
                if (specs.put(name, p) != null) {
                    throw new IllegalArgumentException("model " + model.name() + " declares parameter " + name
                            + " twice; layer names must be unique");
                }
            }
            shapes[i + 1] = l.outputShape(shapes[i]);
        }
        try {
            long count = specs.values().stream().mapToLong(ParamSpec::size).sum();
            DenseF32 values = own(arena.dense(Math.toIntExact(Math.max(count, 0))));
            DenseF32 grads = training ? own(arena.dense(Math.toIntExact(count))) : null;
            this.parameters = new Parameters(values, grads, specs);
            long largest = 0;
            for (int i = 1; i < shapes.length; i++) {
                largest = Math.max(largest, size(shapes[i]));
            }
            if (training) {
                outputs = new DenseF32[layers.size()];
                for (int i = 0; i < layers.size(); i++) {
                    outputs[i] = own(arena.dense(Batches.shape(maxBatch, shapes[i + 1])));
                }
                long largestInput = largest;
                for (int i = 1; i < layers.size(); i++) {
                    largestInput = Math.max(largestInput, size(shapes[i]));
                }
                gradients = new DenseF32[] {own(arena.dense(flat(maxBatch, largestInput))),
                        own(arena.dense(flat(maxBatch, largestInput)))};
                outputGradient = own(arena.dense(Batches.shape(maxBatch, shapes[layers.size()])));
            } else {
                outputs = new DenseF32[] {own(arena.dense(flat(maxBatch, largest))),
                        own(arena.dense(flat(maxBatch, largest)))};
                gradients = null;
                outputGradient = null;
            }
            scratch = training ? null : new InferenceScratch(InferenceScratch.SLOTS);
            for (int i = 0; i < layers.size(); i++) {
                layers.get(i).build(new LayerContext(shapes[i], maxBatch, training, arena, kernels, parameters,
                        layers.get(i).name(), scratch));
            }
            if (scratch != null) {
                scratch.allocate(arena);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Builds {@code model} in {@code arena} for batches of up to {@code maxBatch} samples.
     *
     * @param training whether backward passes will run
     * @param kernels the context the layers' products run on
     */
    public static Network build(Model model, TensorArena arena, int maxBatch, boolean training,
            KernelContext kernels) {
        return new Network(model, arena, maxBatch, training, kernels);
    }

    /** The architecture. */
    public Model model() {
        return model;
    }

    /** The flat parameters and their per-layer views. */
    public Parameters parameters() {
        return parameters;
    }

    /** The layers, in order (built: their buffers and parameter views are bound). */
    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    /**
     * Runs every top-level layer that supports it ({@link SparseWeights}: Linear, Conv2d) on the weights a
     * flat mask over all parameters keeps, using the sparse kernels; null makes them dense again.
     * Bits of non-prunable parameters are ignored; a prunable parameter no top-level sparse layer
     * owns (a convolution inside a residual block) must be kept whole, or the call is refused.
     */
    public void setWeightMasks(dev.thimble.tensor.BitMask flatMask) {
        if (flatMask != null && flatMask.size() != parameters.count()) {
            throw new IllegalArgumentException(model.name() + ": the mask has " + flatMask.size()
                    + " bits but the network has " + parameters.count() + " parameters");
        }
        java.util.Set<String> sparse = new java.util.HashSet<>();
        for (Layer l : layers) {
            if (l instanceof SparseWeights sw) {
                sparse.add(l.name() + "." + sw.maskedParameter());
            }
        }
        if (flatMask != null) {
            // a pruned weight no sparse layer applies would silently stay in the computation
            for (Param p : parameters.prunable()) {
                if (!sparse.contains(p.name())
                        && flatMask.view(p.offset(), Math.toIntExact(p.size())).cardinality() != p.size()) {
                    throw new IllegalArgumentException(model.name() + ": the mask prunes " + p.name()
                            + ", which no top-level sparse layer can apply (layers nested in a block run dense);"
                            + " keep its bits set, or zero the pruned weights with VectorOps.applyMask");
                }
            }
        }
        for (Layer l : layers) {
            if (l instanceof SparseWeights sw) {
                Param p = parameters.get(l.name() + "." + sw.maskedParameter());
                sw.setWeightMask(flatMask == null ? null : flatMask.view(p.offset(), p.value().shape()));
            }
        }
        masked = flatMask != null;
    }

    /** The largest batch. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Shape of one output sample. */
    public int[] outputShape() {
        return shapes[layers.size()].clone();
    }

    /**
     * Runs the forward pass of a batch {@code x} of shape [b, input...] (b ≤ maxBatch) and
     * returns a view of the output, [b, output...], valid until the next forward pass.
     */
    public DenseF32 forward(DenseF32 x) {
        int b = batchOf(x, shapes[0], "input");
        lastInput = x;
        DenseF32 cur = x;
        for (int i = 0; i < layers.size(); i++) {
            DenseF32 y = training ? outputs[i].view(0, Batches.shape(b, shapes[i + 1]))
                    : outputs[i % 2].view(0, Batches.shape(b, shapes[i + 1]));
            layers.get(i).forward(cur, y);
            cur = y;
        }
        return cur;
    }

    /** The buffer a loss writes the gradient of the output into, for a batch of b samples. */
    public DenseF32 outputGradient(int b) {
        requireTraining();
        return outputGradient.view(0, Batches.shape(b, shapes[layers.size()]));
    }

    /**
     * Back-propagates the gradient of the last forward pass's output (held in
     * {@link #outputGradient}), adding every parameter's gradient to {@code parameters().grads()}.
     */
    public void backward() {
        requireTraining();
        if (lastInput == null) {
            throw new IllegalStateException("backward() before forward()");
        }
        int b = lastInput.dim(0);
        DenseF32 dy = outputGradient(b);
        for (int i = layers.size() - 1; i >= 0; i--) {
            DenseF32 x = i == 0 ? lastInput : outputs[i - 1].view(0, Batches.shape(b, shapes[i]));
            DenseF32 y = outputs[i].view(0, Batches.shape(b, shapes[i + 1]));
            DenseF32 dx = i == 0 ? null : gradients[i % 2].view(0, Batches.shape(b, shapes[i]));
            layers.get(i).backward(x, y, dy, dx);
            dy = dx;
        }
    }

    /**
     * The gradients of one supervised batch: forward {@code x} ({@code count} samples), zero the
     * parameter gradients, softmax cross-entropy against {@code labels}, backward. Returns the mean
     * loss of the batch.
     */
    public double crossEntropyBackward(DenseF32 x, int[] labels, int count) {
        DenseF32 logits = forward(x);
        parameters().zeroGrads();
        double loss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, outputGradient(count));
        backward();
        return loss;
    }

    /** Floating-point operations of one sample's forward pass. */
    public long forwardFlops() {
        long flops = 0;
        for (int i = 0; i < layers.size(); i++) {
            flops += layers.get(i).forwardFlops(shapes[i]);
        }
        return flops;
    }

    /** Frees every buffer of this network, the layers' own ones included ({@link Layer#free()}). */
    @Override
    public void close() {
        if (masked) {
            setWeightMasks(null); // the sparse layers' CSR copies live in the same arena
        }
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
        for (Layer l : layers) {
            l.free();
        }
        if (scratch != null) {
            scratch.close();
        }
    }

    private void requireTraining() {
        if (!training) {
            throw new IllegalStateException("network " + model.name() + " was built for inference only");
        }
    }

    private int batchOf(DenseF32 x, int[] sample, String what) {
        x.checkAlive();
        int[] s = x.shape();
        if (s.length != sample.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), sample)) {
            throw new IllegalArgumentException(model.name() + ": " + what + " must have shape [batch, "
                    + Arrays.toString(sample).replaceAll("[\\[\\]]", "") + "], got " + x);
        }
        if (s[0] > maxBatch || s[0] < 1) {
            throw new IllegalArgumentException(model.name() + ": batch of " + s[0] + " samples, but the network was"
                    + " built for 1 to " + maxBatch);
        }
        return s[0];
    }

    private <T extends Tensor> T own(T t) {
        owned.add(t);
        return t;
    }

    private static int[] flat(int b, long perSample) {
        return new int[] {Math.toIntExact(b * perSample)};
    }

    static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
