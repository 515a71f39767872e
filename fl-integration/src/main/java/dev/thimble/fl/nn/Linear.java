package dev.thimble.fl.nn;

import dev.thimble.ops.GemmOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SddmmOps;
import dev.thimble.ops.SpmmOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;

/**
 * A fully connected layer {@code y = x·Wᵀ + b} with W of shape [out, in]; dense by default, or
 * sparse on a weight mask ({@link #setWeightMask}): forward {@code X·Wᵀ} with CSR W, input
 * gradient {@code dY·W}, and the weight gradient only at the kept positions ({@code (dYᵀ·X)}
 * sampled at the pattern).
 *
 * <p>With SWAT on ({@link #setSwat}): forward {@code X·Ŵᵀ} with CSR Ŵ (top-k weights), input
 * gradient {@code dY·Ŵ}, and the <em>dense</em> weight gradient {@code dYᵀ·X̂} from the CSR top-k
 * activations (sparse activations × dense, through a [out, maxBatch] scratch holding dYᵀ).
 */
public final class Linear implements SparseWeights, SwatLayer {
    private final String name;
    private final int in;
    private final int out;
    private KernelContext kernels;
    private Param weight;
    private Param bias;
    private TensorArena arena;
    private boolean training; // an inference network's sparse weights need no transpose or gradient pattern
    private SparseWeight sparse;
    private SwatState swat;
    private DenseF32 gradientT; // dYᵀ [out, maxBatch] while SWAT is on
    private int maxBatch;

    /** A layer from {@code in} to {@code out} features. */
    public Linear(String name, int in, int out) {
        this.name = name;
        this.in = in;
        this.out = out;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 1 || inputShape[0] != in) {
            throw new IllegalArgumentException(name + ": expects " + in + " input features, got shape "
                    + java.util.Arrays.toString(inputShape));
        }
        return new int[] {out};
    }

    @Override
    public List<ParamSpec> parameters(int[] inputShape) {
        ParamSpec.Init init = ParamSpec.Init.fanIn(in);
        return List.of(new ParamSpec("weight", new int[] {out, in}, true, init),
                new ParamSpec("bias", new int[] {out}, false, init));
    }

    @Override
    public void build(LayerContext c) {
        kernels = c.kernels();
        arena = c.arena();
        training = c.training();
        weight = c.param("weight");
        bias = c.param("bias");
        maxBatch = c.maxBatch();
    }

    @Override
    public void setSwat(Swat settings) {
        if (arena == null) {
            throw new IllegalStateException(name + ": build the network before turning SWAT on");
        }
        if (settings != null && sparse != null) {
            throw new IllegalStateException(name + ": SWAT and a fixed weight mask cannot both be on");
        }
        if (swat != null) {
            swat.close();
            gradientT.close();
            swat = null;
            gradientT = null;
        }
        if (settings != null) {
            swat = new SwatState(settings, arena, kernels, false);
            gradientT = arena.dense(out * maxBatch);
        }
    }

    @Override
    public SwatState swatState() {
        return swat;
    }

    @Override
    public void setWeightMask(BitMask mask) {
        if (arena == null) {
            throw new IllegalStateException(name + ": build the network before setting a weight mask");
        }
        if (sparse != null) {
            sparse.close();
            sparse = null;
        }
        if (mask != null) {
            if (swat != null) {
                throw new IllegalStateException(name + ": SWAT and a fixed weight mask cannot both be on");
            }
            sparse = new SparseWeight(arena, weight.value(), mask.reshape(out, in), training);
        }
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        if (swat != null) {
            swat.prepare(weight.value(), x);
            SpmmOps.denseTimesSparseT(kernels, 1f, x, swat.weights(), 0f, y);
        } else if (sparse != null) {
            sparse.refresh(weight.value());
            SpmmOps.denseTimesSparseT(kernels, 1f, x, sparse.weights(), 0f, y);
        } else {
            GemmOps.gemmTransB(kernels, 1f, x, weight.value(), 0f, y);
        }
        for (int r = 0; r < y.rows(); r++) {
            VectorOps.axpy(kernels, 1f, bias.value(), y.row(r));
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (swat != null) {
            // dW += dYᵀ·X̂, dense for every weight, from the saved sparse activations
            int b = dy.rows();
            DenseF32 dyT = gradientT.view(0, out, b);
            for (int r = 0; r < b; r++) {
                for (int o = 0; o < out; o++) {
                    dyT.set(o, r, dy.get(r, o));
                }
            }
            SpmmOps.denseTimesSparse(kernels, 1f, dyT, swat.activations(), 1f, weight.grad());
            for (int r = 0; r < b; r++) {
                VectorOps.axpy(kernels, 1f, dy.row(r), bias.grad());
            }
            if (dx != null) {
                SpmmOps.denseTimesSparse(kernels, 1f, dy, swat.weights(), 0f, dx);
            }
            return;
        }
        if (sparse != null) {
            SddmmOps.sampleTransposed(kernels, 1f, dy, x, 0f, sparse.gradient());
            sparse.addGradientTo(weight.grad());
            for (int r = 0; r < dy.rows(); r++) {
                VectorOps.axpy(kernels, 1f, dy.row(r), bias.grad());
            }
            if (dx != null) {
                SpmmOps.denseTimesSparse(kernels, 1f, dy, sparse.weights(), 0f, dx);
            }
            return;
        }
        GemmOps.gemmTransA(kernels, 1f, dy, x, 1f, weight.grad());
        for (int r = 0; r < dy.rows(); r++) {
            VectorOps.axpy(kernels, 1f, dy.row(r), bias.grad());
        }
        if (dx != null) {
            GemmOps.gemm(kernels, 1f, dy, weight.value(), 0f, dx);
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        long all = (long) in * out;
        long kept = sparse != null ? sparse.nnz() : swat != null ? swat.settings().keep(all) : all;
        return 2L * kept + out;
    }

    @Override
    public void free() {
        if (sparse != null) {
            sparse.close();
            sparse = null;
        }
    }
}
