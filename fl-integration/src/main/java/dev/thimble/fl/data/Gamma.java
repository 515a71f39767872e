package dev.thimble.fl.data;

import java.util.random.RandomGenerator;

/**
 * Gamma(shape, 1) and Dirichlet variates by Marsaglia and Tsang's method (ACM TOMS 26(3), 2000).
 *
 * <p>Shapes below 1 use their boost: if {@code Y ~ Gamma(a + 1)} and {@code U ~ U(0, 1)} then
 * {@code Y · U^(1/a) ~ Gamma(a)}. For small {@code a} that product underflows double (α = 0.01
 * gives values near e^-100 and below), so the sampler works with logarithms and the Dirichlet
 * normalises them by their maximum before exponentiating.
 */
final class Gamma {
    private Gamma() {
    }

    /** A Gamma(shape, 1) variate. */
    static double sample(RandomGenerator rng, double shape) {
        return Math.exp(logSample(rng, shape));
    }

    /** The natural logarithm of a Gamma(shape, 1) variate, finite even where the variate underflows. */
    static double logSample(RandomGenerator rng, double shape) {
        if (!(shape > 0) || Double.isInfinite(shape)) {
            throw new IllegalArgumentException("gamma shape must be positive and finite, got " + shape);
        }
        if (shape < 1) {
            double u = 1 - rng.nextDouble(); // in (0, 1]: log stays finite
            return logSample(rng, shape + 1) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            double x2 = x * x;
            // the cheap squeeze accepts ~98% of draws without a logarithm
            if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
                return Math.log(d * v);
            }
        }
    }

    /** Proportions {@code p ~ Dir(alpha, …, alpha)} over {@code k} categories; they sum to 1. */
    static double[] dirichlet(RandomGenerator rng, double alpha, int k) {
        double[] p = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            p[i] = logSample(rng, alpha);
            max = Math.max(max, p[i]);
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp(p[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
