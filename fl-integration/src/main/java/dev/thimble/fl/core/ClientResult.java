package dev.thimble.fl.core;

/**
 * A client's successful round, as the loop saw it.
 *
 * @param clientId the client
 * @param fit what it returned
 * @param peakBytes its arena's peak during the round
 * @param downlinkBytes bytes the server sent it
 */
public record ClientResult(int clientId, FitResult fit, long peakBytes, long downlinkBytes) {
}
