package dev.thimble.fl.nn;

/**
 * A layer that can train with SWAT-U ({@link Swat}): sparse weights in the forward pass and the
 * input gradient, top-k activations saved for a dense weight gradient.
 */
public interface SwatLayer extends Layer {
    /**
     * Trains with SWAT at these settings from the next forward pass on (thresholds are computed
     * afresh then), or densely again when {@code settings} is null, which frees the SWAT buffers.
     * Refused while a fixed weight mask ({@link SparseWeights#setWeightMask}) is set.
     */
    void setSwat(Swat settings);

    /** The sparse state of the last forward pass, or null when SWAT is off (for tests and accounting). */
    SwatState swatState();
}
