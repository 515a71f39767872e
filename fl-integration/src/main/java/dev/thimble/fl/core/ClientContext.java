package dev.thimble.fl.core;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.TensorArena;

/**
 * Everything a client may use during one round's training.
 *
 * @param clientId the client's id, in [0, N)
 * @param round the round, from 1
 * @param seed this client's seed for this round, derived from (run seed, round, client) by
 *     {@link Seeds#client}, so results do not depend on which thread ran the client
 * @param data the client's local data
 * @param model the architecture to build
 * @param arena the client's own arena: every tensor of its training goes here, and its peak
 *     is the client's memory; it may have a byte limit (the device budget)
 * @param uplink where the client allocates its upload: the server's receive buffer, not
 *     counted against the client's budget
 * @param kernels the kernel context to compute on
 */
public record ClientContext(int clientId, int round, long seed, Dataset data, Model model, TensorArena arena,
        TensorArena uplink, KernelContext kernels) {
}
