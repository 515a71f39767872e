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
 */
public final class Linear implements SparseWeights {
    private final String name;
    private final int in;
    private final int out;
    private KernelContext kernels;
    private Param weight;
    private Param bias;
    private TensorArena arena;
    private SparseWeight sparse;

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
        weight = c.param("weight");
        bias = c.param("bias");
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
            sparse = new SparseWeight(arena, weight.value(), mask.reshape(out, in));
        }
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        if (sparse != null) {
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
        return 2L * (sparse != null ? sparse.nnz() : (long) in * out) + out;
    }

    @Override
    public void free() {
        if (sparse != null) {
            sparse.close();
            sparse = null;
        }
    }
}
