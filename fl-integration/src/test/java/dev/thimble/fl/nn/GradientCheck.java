package dev.thimble.fl.nn;

import dev.thimble.fl.data.Batches;
import static org.junit.jupiter.api.Assertions.fail;

import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a layer's backward pass against central finite differences of its forward pass.
 *
 * <p>The scalar checked is {@code L = Σ r ⊙ f(x)} for a fixed random r, so {@code dL/dy = r}.
 * Each sampled coordinate θ gets {@code (L(θ+h) − L(θ−h)) / 2h}, evaluated in double from float
 * forward passes; float rounding makes that estimate good to about {@code u·Σ|r⊙y| / h}, so the
 * step is {@code h = 1e-3·max(1, |θ|)} and the analytic and numeric values must agree within
 * {@code 1e-2·(|a| + |n|) + 1e-3}. Coordinates where a kink of a piecewise layer (ReLU, max
 * pooling, Hardswish) lies within the step are detected and skipped (see {@link #numeric}); a
 * check fails if too few coordinates remain.
 */
public final class GradientCheck {
    private GradientCheck() {
    }

    /** Checks input and parameter gradients of {@code layer} on a batch of {@code batch} random samples. */
    public static void check(Layer layer, int[] inputShape, int batch, long seed) {
        check(new Model("check-" + layer.name(), inputShape, () -> List.of(layer)), batch, seed, 24);
    }

    /** Checks a whole model's gradients on {@code samples} random coordinates of x and of the parameters. */
    public static void check(Model model, int batch, long seed, int samples) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (TensorArena arena = TensorArena.builder().name("gradcheck").leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            // the model's recipe may hand out the same layer instance (check(Layer...)): build once
            Network net = Network.build(model, arena, batch, true, kernels);
            net.parameters().initialize(seed);
            int[] in = model.inputShape();
            DenseF32 x = arena.dense(Batches.shape(batch, in));
            for (long i = 0; i < x.size(); i++) {
                x.set(i, (float) (rnd.nextDouble() * 2 - 1));
            }
            DenseF32 y = net.forward(x);
            float[] r = new float[(int) y.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            net.outputGradient(batch).copyFrom(r);
            net.parameters().zeroGrads();
            net.backward();
            float[] grads = net.parameters().grads().toArray();
            DenseF32 theta = net.parameters().values();
            int checked = 0;
            for (int s = 0; s < 4 * samples && checked < samples && theta.size() > 0; s++) {
                long i = rnd.nextLong(theta.size());
                double numeric = numeric(net, x, r, theta, i);
                if (!Double.isNaN(numeric)) {
                    compare("parameter " + nameOf(net, i), grads[(int) i], numeric);
                    checked++;
                }
            }
            if (theta.size() > 0 && checked < samples) {
                fail("only " + checked + " of " + samples + " parameter coordinates were smooth enough to check");
            }
            net.close();
        }
    }

    /** Checks the input gradient of {@code layer}: an {@link Identity} in front receives it as a parameter-free pass-through. */
    public static void checkInput(Layer layer, int[] inputShape, int batch, long seed) {
        checkInput(layer, inputShape, batch, seed, 1);
    }

    /** As {@link #checkInput(Layer, int[], int, long)} with inputs uniform in {@code [-scale, scale]}. */
    public static void checkInput(Layer layer, int[] inputShape, int batch, long seed, double scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Identity probe = new Identity("probe");
        Model model = new Model("check-input-" + layer.name(), inputShape, () -> List.of(probe, layer));
        try (TensorArena arena = TensorArena.builder().name("gradcheck").leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(model, arena, batch, true, kernels);
            net.parameters().initialize(seed);
            DenseF32 x = arena.dense(Batches.shape(batch, inputShape));
            for (long i = 0; i < x.size(); i++) {
                x.set(i, (float) ((rnd.nextDouble() * 2 - 1) * scale));
            }
            DenseF32 y = net.forward(x);
            float[] r = new float[(int) y.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            net.outputGradient(batch).copyFrom(r);
            net.parameters().zeroGrads();
            net.backward();
            float[] dx = probe.lastInputGradient();
            int checked = 0;
            for (int s = 0; s < 96 && checked < 24; s++) {
                long i = rnd.nextLong(x.size());
                double numeric = numeric(net, x, r, x, i);
                if (!Double.isNaN(numeric)) {
                    compare("input " + i, dx[(int) i], numeric);
                    checked++;
                }
            }
            if (checked < Math.min(24, x.size())) {
                fail("only " + checked + " input coordinates were smooth enough to check");
            }
            net.close();
        }
    }

    /**
     * The central difference at coordinate i, or NaN where the function is not smooth there (a
     * ReLU or max-pool kink within the step). Two signs of a kink: the one-sided slopes disagree,
     * or the central difference has not converged, i.e. it moves when the step shrinks to h/4 (a
     * kink whose jump in slope is small, or far from the centre, passes the first test but still
     * biases the estimate by a few percent).
     */
    private static double numeric(Network net, DenseF32 x, float[] r, DenseF32 theta, long i) {
        float old = theta.get(i);
        double h = 1e-3 * Math.max(1, Math.abs(old));
        double centre = dot(r, net.forward(x));
        double plus = at(net, x, r, theta, i, old + h);
        double minus = at(net, x, r, theta, i, old - h);
        double right = (plus - centre) / h;
        double left = (centre - minus) / h;
        if (Math.abs(right - left) > 0.05 * (Math.abs(right) + Math.abs(left)) + 1e-2) {
            restore(net, x, theta, i, old);
            return Double.NaN;
        }
        double wide = (plus - minus) / (2 * h);
        double q = h / 4;
        double narrow = (at(net, x, r, theta, i, old + q) - at(net, x, r, theta, i, old - q)) / (2 * q);
        restore(net, x, theta, i, old);
        if (Math.abs(wide - narrow) > 5e-3 * (Math.abs(wide) + Math.abs(narrow)) + 1e-3) {
            return Double.NaN;
        }
        return wide;
    }

    private static double at(Network net, DenseF32 x, float[] r, DenseF32 theta, long i, double value) {
        theta.set(i, (float) value);
        return dot(r, net.forward(x));
    }

    private static void restore(Network net, DenseF32 x, DenseF32 theta, long i, float old) {
        theta.set(i, old);
        net.forward(x);
    }

    private static double dot(float[] r, DenseF32 y) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) r[i] * y.get(i);
        }
        return s;
    }

    private static void compare(String what, double analytic, double numeric) {
        double tol = 1e-2 * (Math.abs(analytic) + Math.abs(numeric)) + 1e-3;
        if (!(Math.abs(analytic - numeric) <= tol)) {
            fail("gradient of " + what + ": backward gives " + analytic + ", finite differences " + numeric);
        }
    }

    private static String nameOf(Network net, long flat) {
        for (Param p : net.parameters().list()) {
            if (flat >= p.offset() && flat < p.offset() + p.size()) {
                return p.name() + "[" + (flat - p.offset()) + "]";
            }
        }
        return "#" + flat;
    }

    /** Passes its input through and remembers the gradient it receives, to read dL/dx. */
    static final class Identity implements Layer {
        private final String name;
        private float[] lastInputGradient;

        Identity(String name) {
            this.name = name;
        }

        float[] lastInputGradient() {
            return lastInputGradient;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int[] outputShape(int[] inputShape) {
            return inputShape.clone();
        }

        @Override
        public void forward(DenseF32 x, DenseF32 y) {
            y.copyFrom(x);
        }

        @Override
        public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
            lastInputGradient = dy.toArray();
        }

        @Override
        public long forwardFlops(int[] inputShape) {
            return 0;
        }
    }
}
