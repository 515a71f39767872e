package dev.thimble.fl.strategy;

import dev.thimble.fl.core.Payload;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.DenseF32;
import java.util.List;

/**
 * ZeroFL's server rule for sparse uploads as pure functions (methods.md §4.2 step 4): the
 * example-weighted sum of the uploads with every entry a client did not send counted as 0 — the
 * re-implementation's {@code FedAvgNZ.aggregate}, {@code Σ_k n_k·U_k / Σ_k n_k} — which is the new
 * model for Top-K-Weights and the update {@code W ← W_global + Σ_k p_k·U_k} for the diff variants.
 */
public final class FedAvgNz {
    private FedAvgNz() {
    }

    /**
     * {@code out = Σ_k p_k·U_k} with {@code p_k = weights[k] / Σ weights} and U_k the upload
     * expanded with zeros where it sent nothing.
     *
     * @param weights (Input) n_k per upload, non-negative, not all zero
     * @param uploads (Input) the payloads, all of out's dimension; not modified
     * @param scratch (Temp) a vector of out's size, overwritten
     * @param out (Output) the zero-filled weighted mean
     * @return out
     */
    public static DenseF32 zeroFilledMean(KernelContext kernels, float[] weights, List<Payload> uploads,
            DenseF32 scratch, DenseF32 out) {
        if (weights.length != uploads.size() || uploads.isEmpty()) {
            throw new IllegalArgumentException("FedAvgNZ needs one weight per upload and at least one upload, got "
                    + weights.length + " weights for " + uploads.size() + " uploads");
        }
        double total = 0;
        for (float w : weights) {
            if (!(w >= 0) || !Float.isFinite(w)) {
                throw new IllegalArgumentException("FedAvgNZ weights must be finite and non-negative, got " + w);
            }
            total += w;
        }
        if (total == 0) {
            throw new IllegalArgumentException("FedAvgNZ weights are all zero");
        }
        for (int k = 0; k < uploads.size(); k++) {
            if (uploads.get(k).dimension() != out.size() || scratch.size() != out.size()) {
                throw new IllegalArgumentException("FedAvgNZ: upload " + k + " has dimension "
                        + uploads.get(k).dimension() + ", scratch " + scratch.size() + ", output " + out.size());
            }
        }
        out.fill(0f);
        for (int k = 0; k < uploads.size(); k++) {
            scratch.fill(0f);
            uploads.get(k).scatterInto(scratch);
            VectorOps.axpy(kernels, (float) (weights[k] / total), scratch, out);
        }
        return out;
    }
}
