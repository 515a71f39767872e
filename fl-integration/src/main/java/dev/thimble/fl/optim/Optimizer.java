package dev.thimble.fl.optim;

import dev.thimble.tensor.BitMask;

/**
 * A first-order optimizer updating a network's flat parameter vector from its flat gradient.
 * State buffers come from the arena given at construction and are freed by {@link #close}.
 */
public interface Optimizer extends AutoCloseable {

    /** Applies one update from the current gradients (which it does not modify). */
    void step();

    /** The current learning rate. */
    float learningRate();

    /** Sets the learning rate of the next steps (schedules call this between steps). */
    void setLearningRate(float lr);

    /**
     * Restricts the updates to the entries whose mask bit is set: the others keep their value
     * exactly (pruned weights stay 0) and their optimizer state is zeroed, so an entry that is
     * regrown later starts without stale momentum. Null removes the restriction.
     *
     * @param mask a mask of the parameter count's size, read at every step (not copied)
     */
    void setMask(BitMask mask);

    /** Zeroes the state (momentum, moments, step count), as for a fresh optimizer. */
    void reset();

    /** Frees the state buffers. */
    @Override
    void close();
}
