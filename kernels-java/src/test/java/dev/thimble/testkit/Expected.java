package dev.thimble.testkit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reference results with a per-element error bound, and the check of a kernel's output against them.
 *
 * @param values exact-ish results, accumulated in double
 * @param bounds allowed absolute error of each element (see {@link Tolerances})
 * @param cols columns of the result, to report failures as (row, col)
 */
public record Expected(double[] values, double[] bounds, int cols) {

    /** Fails naming the first element (row, column), both values and the bound, if any is off. */
    public void assertMatches(float[] actual, String what) {
        if (actual.length != values.length) {
            fail(what + ": expected " + values.length + " elements, got " + actual.length);
        }
        for (int i = 0; i < values.length; i++) {
            double err = Math.abs(actual[i] - values[i]);
            if (!(err <= bounds[i])) { // also catches NaN left in an output that was never written
                int c = Math.max(cols, 1);
                fail(what + ": element " + i + " (row " + i / c + ", col " + i % c + ") is " + actual[i]
                        + ", expected " + values[i] + " ± " + bounds[i]);
            }
        }
    }
}
