package dev.thimble.ops;

import dev.thimble.tensor.Tensor;
import java.util.List;
import java.util.function.Consumer;

/**
 * Ownership of freshly allocated results: a facade that fails half-way through filling its
 * output frees it, so the caller never receives, or leaks, a tensor it did not ask for.
 */
final class Outputs {
    private Outputs() {
    }

    /** Runs {@code fill} on {@code out} and returns it, or closes {@code out} and rethrows. */
    static <T extends Tensor> T filled(T out, Consumer<? super T> fill) {
        try {
            fill.accept(out);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** Closes every tensor of {@code outs}, recording secondary failures on {@code cause}. */
    static void closeAll(List<? extends Tensor> outs, Throwable cause) {
        for (Tensor t : outs) {
            try {
                t.close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
