package dev.thimble.fl.nn;

import dev.thimble.tensor.Tensor;

/** Closing a layer's optional buffers in {@link Layer#free()}. */
final class Frees {
    private Frees() {
    }

    /** Closes each tensor that is not null. */
    static void all(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }
}
