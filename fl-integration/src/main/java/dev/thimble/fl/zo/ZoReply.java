package dev.thimble.fl.zo;

import java.util.List;

/**
 * What a client uploads for one zeroth-order step of the seed trick: the K loss differences
 * {@code ΔL_k} it measured along the server's directions (forward: {@code L(w+s z_k) − L(w)};
 * central: {@code L(w+s z_k) − L(w−s z_k)}), as float32. The scaling ({@code 1/σ},
 * {@code 1/(2ε)}, {@code d/μ}) and the reconstruction are the server's
 * ({@link ZoEstimator#reconstruct}).
 *
 * <p>Wire layout: int32 K, then K float32: {@link #bytes()} = {@code 4 + 4K}, against
 * {@code 4·nnz} for a dense gradient of the active weights.
 *
 * @param differences the K loss differences (copied)
 */
public record ZoReply(float[] differences) {
    /** Copies the differences. */
    public ZoReply {
        differences = differences.clone();
    }

    @Override
    public float[] differences() {
        return differences.clone();
    }

    /** The difference along direction k. */
    public float difference(int k) {
        return differences[k];
    }

    /** Number of directions K. */
    public int k() {
        return differences.length;
    }

    /** Bytes on the wire: int32 K + 4 per difference. */
    public long bytes() {
        return 4L + 4L * differences.length;
    }

    /**
     * The server's combination of several clients' replies to the same request:
     * {@code ΔL_k = Σ_c p_c ΔL_{c,k}} (BAFFLE's {@code Σ_c p_c ΔL_{c,k}}, then one
     * reconstruction), summed in double in client order.
     *
     * @param weights p_c, one per reply (e.g. {@code n_c / Σ n}, or {@code 1/C})
     */
    public static ZoReply weightedSum(List<ZoReply> replies, double[] weights) {
        if (replies.isEmpty() || replies.size() != weights.length) {
            throw new IllegalArgumentException("weighted sum of " + replies.size() + " replies with " + weights.length
                    + " weights");
        }
        int k = replies.getFirst().k();
        double[] acc = new double[k];
        for (int c = 0; c < replies.size(); c++) {
            ZoReply r = replies.get(c);
            if (r.k() != k) {
                throw new IllegalArgumentException("reply " + c + " has " + r.k() + " differences, expected " + k);
            }
            for (int j = 0; j < k; j++) {
                acc[j] += weights[c] * r.differences[j];
            }
        }
        float[] out = new float[k];
        for (int j = 0; j < k; j++) {
            out[j] = (float) acc[j];
        }
        return new ZoReply(out);
    }
}
