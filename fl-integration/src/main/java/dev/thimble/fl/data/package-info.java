/**
 * Training data for the federated-learning layer: compact on-heap {@link dev.thimble.fl.data.Dataset}s
 * read from IDX files ({@link dev.thimble.fl.data.Idx}, {@link dev.thimble.fl.data.FashionMnist}) or
 * generated ({@link dev.thimble.fl.data.Synthetic}), converted batch by batch into off-heap tensors,
 * and {@link dev.thimble.fl.data.Partitioner}s that split them among clients (IID, Dirichlet label
 * skew, k-class shards), described by {@link dev.thimble.fl.data.PartitionStats}.
 */
package dev.thimble.fl.data;
