package dev.thimble.fl.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GammaTest {

    /** Gamma(a, 1) has mean a and variance a; 200 000 draws pin both to about 1%. */
    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 1, 2.5, 30})
    void meanAndVarianceMatchTheShape(double a) {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            double g = Gamma.sample(rng, a);
            assertTrue(g >= 0);
            sum += g;
            sumSq += g * g;
        }
        double mean = sum / n;
        double var = sumSq / n - mean * mean;
        assertEquals(a, mean, 0.02 * a + 0.002);
        assertEquals(a, var, 0.05 * a + 0.002);
    }

    @Test
    void dirichletSumsToOneEvenForTinyAlpha() {
        SplittableRandom rng = new SplittableRandom(3);
        for (double alpha : new double[] {0.001, 0.1, 100}) {
            for (int t = 0; t < 100; t++) {
                double[] p = Gamma.dirichlet(rng, alpha, 20);
                double s = 0;
                for (double v : p) {
                    assertTrue(v >= 0 && Double.isFinite(v));
                    s += v;
                }
                assertEquals(1, s, 1e-9);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Gamma.sample(rng, 0));
    }
}
