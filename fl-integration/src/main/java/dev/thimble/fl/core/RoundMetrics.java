package dev.thimble.fl.core;

/**
 * What one round cost and achieved, counted exactly.
 *
 * @param round the round, from 1
 * @param accuracy test accuracy of the global model after the round (NaN without a test set)
 * @param loss test loss of the global model after the round
 * @param trainLoss clients' training loss, weighted by their example counts (NaN if all failed)
 * @param uplinkBytes bytes the clients that finished uploaded, as encoded by their payloads
 * @param downlinkBytes bytes the server sent the sampled clients, as encoded
 * @param flops floating-point operations of the clients that finished (model forward FLOPs ×
 *     samples × 3: one forward and a backward of twice its cost); server work is not counted
 * @param peakClientBytes the largest client arena peak of the round, failed clients included
 * @param sampledClients how many clients were asked
 * @param failedClients how many of them failed
 * @param seconds wall time of the round, evaluation included
 */
public record RoundMetrics(int round, double accuracy, double loss, double trainLoss, long uplinkBytes,
        long downlinkBytes, long flops, long peakClientBytes, int sampledClients, int failedClients,
        double seconds) {
}
