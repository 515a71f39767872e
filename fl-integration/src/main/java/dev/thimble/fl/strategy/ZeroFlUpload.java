package dev.thimble.fl.strategy;

import dev.thimble.fl.core.BitmaskPayload;
import dev.thimble.fl.core.IndexedPayload;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.nn.Param;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.MaskOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ZeroFL's mask-aware upload (methods.md §4.2 step 3): after local training a client sends, of the
 * n conv/linear weights, the {@code n − round((s − r)·n)} selected by one <em>global</em> magnitude
 * top-k (density {@code ρ_up = (1 − s) + r}; the re-implementation's
 * {@code prune.global_unstructured(L1Unstructured, amount = s − r)}, whose pruned count is
 * {@code round(amount·n)}), and every bias and other parameter whole. Encoded as a
 * {@link BitmaskPayload} or an {@link IndexedPayload}, whichever is smaller on the wire.
 */
public final class ZeroFlUpload {
    private ZeroFlUpload() {
    }

    /** What a client uploads. */
    public enum Variant {
        /** The whole trained model, dense (SWAT in FL). */
        DENSE("dense"),
        /** {@code U = W ⊙ TopK(|W|, ρ)}: the re-implementation's choice and the default. */
        TOP_K_WEIGHTS("topk-weights"),
        /** {@code U = (W − W_global) ⊙ TopK(|W|, ρ)} (UNCONFIRMED semantics). */
        DIFF_ON_TOP_K_WEIGHTS("diff-on-topk-weights"),
        /** {@code U = (W − W_global) ⊙ TopK(|W − W_global|, ρ)} (UNCONFIRMED semantics). */
        TOP_K_WEIGHTS_DIFF("topk-weights-diff");

        private final String label;

        Variant(String label) {
            this.label = label;
        }

        /** The name users type. */
        public String label() {
            return label;
        }

        /** Whether the upload is a difference to the received global model. */
        public boolean isDiff() {
            return this == DIFF_ON_TOP_K_WEIGHTS || this == TOP_K_WEIGHTS_DIFF;
        }

        /**
         * The variant called {@code name} (as {@link #label()}, case-insensitive).
         *
         * @throws IllegalArgumentException naming the known variants
         */
        public static Variant parse(String name) {
            for (Variant v : values()) {
                if (v.label.equals(name.toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
            List<String> known = new ArrayList<>();
            for (Variant v : values()) {
                known.add(v.label);
            }
            throw new IllegalArgumentException("unknown ZeroFL upload variant '" + name + "'; known: "
                    + String.join(", ", known));
        }
    }

    /**
     * The upload density ρ = (1 − s) + r, checked.
     *
     * @throws IllegalArgumentException if s is outside [0, 1) or ρ outside [0, 1]
     */
    public static double density(double sparsity, double maskRatio) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("ZeroFL sparsity must be in [0, 1), got " + sparsity);
        }
        double rho = 1 - sparsity + maskRatio;
        if (!(rho >= -1e-12 && rho <= 1 + 1e-12) || !Double.isFinite(maskRatio)) {
            throw new IllegalArgumentException("ZeroFL mask ratio " + maskRatio + " with sparsity " + sparsity
                    + " gives upload density (1 - s) + r = " + rho + ", outside [0, 1]; need " + (sparsity - 1)
                    + " <= r <= " + sparsity);
        }
        return rho;
    }

    /** Of n weights, how many the upload keeps: {@code n − round((s − r)·n)}. */
    public static long kept(long n, double sparsity, double maskRatio) {
        double pruned = Math.clamp(sparsity - maskRatio, 0, 1);
        return n - Math.round(pruned * n);
    }

    /**
     * Encodes a client's upload.
     *
     * @param uplink (Output) where the payload is allocated
     * @param scratch (Temp) the client's arena, for the selection masks
     * @param params the network's parameters (views into {@code values}' layout)
     * @param values (Input) the vector to send entries of: W, or W − W_global for the diff variants
     * @param scores (Input) the vector whose magnitudes choose the weights: W, or W − W_global for
     *        Top-K-Weights Diff; same layout
     * @param keep how many of the prunable weights to send
     * @return the smaller of a bitmask and an indexed payload
     */
    static Payload encode(KernelContext kernels, TensorArena uplink, TensorArena scratch, List<Param> params,
            DenseF32 values, DenseF32 scores, long keep) {
        int d = Math.toIntExact(values.size());
        List<Param> prunable = params.stream().filter(Param::prunable).toList();
        List<DenseF32> views = new ArrayList<>(prunable.size());
        for (Param p : prunable) {
            views.add(scores.view(p.offset(), p.value().shape()));
        }
        try (BitMask present = scratch.mask(d)) {
            present.fill(true);
            List<BitMask> chosen = MaskOps.globalTopK(kernels, scratch, views, keep);
            try {
                for (int i = 0; i < prunable.size(); i++) {
                    Param p = prunable.get(i);
                    present.view(p.offset(), Math.toIntExact(p.size())).copyFrom(chosen.get(i).reshape(
                            Math.toIntExact(p.size())));
                }
            } finally {
                chosen.forEach(BitMask::close);
            }
            long nnz = present.cardinality();
            long bitmaskBytes = Float.BYTES * nnz + (d + 7) / 8;
            long indexedBytes = (long) (Integer.BYTES + Float.BYTES) * nnz;
            return indexedBytes < bitmaskBytes ? indexed(uplink, values, present, nnz)
                    : FedDipClientTrainer.gather(uplink, values, present);
        }
    }

    private static IndexedPayload indexed(TensorArena uplink, DenseF32 values, BitMask present, long nnz) {
        int[] idx = new int[Math.toIntExact(nnz)];
        DenseF32 v = uplink.dense(idx.length);
        int k = 0;
        for (int i = 0, d = Math.toIntExact(present.size()); i < d; i++) {
            if (present.get(i)) {
                idx[k] = i;
                v.set(k++, values.get(i));
            }
        }
        return new IndexedPayload(values.size(), idx, v);
    }
}
