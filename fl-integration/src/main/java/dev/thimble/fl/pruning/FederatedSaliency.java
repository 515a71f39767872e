package dev.thimble.fl.pruning;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The federated NTK saliency of methods.md §2.5: every client computes a local saliency with its
 * own draws (data-free, so heterogeneity does not bias it), the server combines them with a
 * {@link ScoreCombination}. Simulates the round in one process; a real deployment calls each
 * client's {@link Saliency} remotely and {@link ScoreCombination#combine} on the server.
 */
public final class FederatedSaliency implements Saliency {
    private final List<Saliency> clients;
    private final double[] weights;
    private final ScoreCombination combination;
    private final List<DenseF32> local = new ArrayList<>();

    /**
     * @param clients each client's saliency (e.g. an {@link NtkSap} or a {@link ZoNtkSap})
     * @param weights p_k
     * @param combination {@link ScoreCombination#WEIGHTED_SUM} unless there is a reason
     * @param scratch (Output) one local score buffer per client
     * @param size number of parameters
     */
    public FederatedSaliency(List<Saliency> clients, double[] weights, ScoreCombination combination,
            TensorArena scratch, long size) {
        this.clients = List.copyOf(clients);
        this.weights = weights.clone();
        this.combination = Objects.requireNonNull(combination, "combination");
        if (this.clients.isEmpty() || this.clients.size() != weights.length) {
            throw new IllegalArgumentException(clients.size() + " clients with " + weights.length + " weights");
        }
        for (int k = 0; k < this.clients.size(); k++) {
            local.add(scratch.dense(Math.toIntExact(size)));
        }
    }

    /** Client k draws with seed {@code mix(seed, k)}: independent draws per client. */
    @Override
    public void gradient(BitMask mask, long seed, DenseF32 out) {
        for (int k = 0; k < clients.size(); k++) {
            clients.get(k).gradient(mask, Draws.client(seed, k), local.get(k));
        }
        combination.combine(local, weights, out);
    }
}
