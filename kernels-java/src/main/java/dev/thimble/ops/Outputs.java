package dev.thimble.ops;

import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
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

    /**
     * Runs {@code fill} on {@code out} and returns it, or closes {@code out} and rethrows. A sparse
     * result has its structure checked, which also seals it for the kernels.
     */
    static <T extends Tensor> T filled(T out, Consumer<? super T> fill) {
        try {
            fill.accept(out);
            switch (out) {
                case CsrF32 csr -> csr.checkStructure();
                case BsrF32 bsr -> bsr.checkStructure();
                default -> { }
            }
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
