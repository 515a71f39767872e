package dev.thimble.fl.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * A network architecture: a name, an input shape and a recipe for its layers. It holds no memory;
 * {@link Network#build} makes a network from it, with fresh layers each time.
 *
 * @param name e.g. {@code "lenet5"}
 * @param inputShape shape of one sample, e.g. {1, 28, 28}
 * @param recipe makes the layers, new instances at every call
 */
public record Model(String name, int[] inputShape, Supplier<List<Layer>> recipe) {
    /** Copies the input shape. */
    public Model {
        inputShape = inputShape.clone();
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Fresh layers. */
    public List<Layer> layers() {
        return recipe.get();
    }

    /** Every parameter the layers declare, qualified by layer name, in order. */
    public List<ParamSpec> parameterSpecs() {
        List<ParamSpec> out = new ArrayList<>();
        int[] shape = inputShape;
        for (Layer l : layers()) {
            for (ParamSpec p : l.parameters(shape)) {
                out.add(new ParamSpec(l.name() + "." + p.name(), p.shape(), p.prunable(), p.init()));
            }
            shape = l.outputShape(shape);
        }
        return out;
    }

    /** Number of scalar parameters. */
    public long parameterCount() {
        return parameterSpecs().stream().mapToLong(ParamSpec::size).sum();
    }

    /** Floating-point operations of one sample's forward pass. */
    public long forwardFlops() {
        long flops = 0;
        int[] shape = inputShape;
        for (Layer l : layers()) {
            flops += l.forwardFlops(shape);
            shape = l.outputShape(shape);
        }
        return flops;
    }

    /** The shape of one output sample. */
    public int[] outputShape() {
        int[] shape = inputShape;
        for (Layer l : layers()) {
            shape = l.outputShape(shape);
        }
        return shape;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(inputShape);
    }
}
