package dev.thimble.fl.core;

/**
 * A client that could not finish its round (e.g. its memory budget was too small).
 *
 * @param clientId the client
 * @param message why, e.g. the arena's limit message
 * @param peakBytes its arena's peak before it failed
 * @param downlinkBytes bytes the server sent it before it failed
 */
public record ClientFailure(int clientId, String message, long peakBytes, long downlinkBytes) {
}
