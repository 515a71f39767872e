package dev.thimble.fl.data;

import java.util.List;

/**
 * Splits a dataset among federated clients.
 *
 * <p>Each result holds one array per client of positions in the dataset (pass it to
 * {@link Dataset#subset}), in ascending order; clients never share a position. Whether every
 * position is handed out depends on the scheme. The same dataset, client count and seed always
 * give the same split.
 */
public interface Partitioner {
    /**
     * The positions of each of {@code clients} clients.
     *
     * @throws IllegalArgumentException if the dataset cannot be split that way (e.g. more clients than samples)
     */
    List<int[]> split(Dataset d, int clients, long seed);
}
