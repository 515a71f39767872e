package dev.thimble.fl.nn;

import dev.thimble.ops.GemmOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.DenseF32;
import java.util.List;

/** A fully connected layer {@code y = x·Wᵀ + b} with W of shape [out, in]. */
public final class Linear implements Layer {
    private final String name;
    private final int in;
    private final int out;
    private KernelContext kernels;
    private Param weight;
    private Param bias;

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
        weight = c.param("weight");
        bias = c.param("bias");
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        GemmOps.gemmTransB(kernels, 1f, x, weight.value(), 0f, y);
        for (int r = 0; r < y.rows(); r++) {
            VectorOps.axpy(kernels, 1f, bias.value(), y.row(r));
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
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
        return 2L * in * out + out;
    }
}
