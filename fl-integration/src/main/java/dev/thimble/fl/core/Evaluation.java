package dev.thimble.fl.core;

/**
 * Accuracy and mean loss of a model on a test set.
 *
 * @param accuracy fraction correct, in [0, 1]
 * @param loss mean cross-entropy
 * @param samples how many samples were evaluated
 */
public record Evaluation(double accuracy, double loss, int samples) {
    /** An evaluation that did not run (no test set). */
    public static final Evaluation NONE = new Evaluation(Double.NaN, Double.NaN, 0);
}
