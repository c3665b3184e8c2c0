package io.ringraft.daemon.server;

/**
 * What a member's client endpoint has seen.
 *
 * @param connections               clients connected (or connecting) now.
 * @param badFrames                 requests dropped unread: malformed, of an unexpected template, or a Connect naming
 *                                  no endpoint to answer at, or one the media driver refused.
 * @param unauthenticatedFrames     frames dropped unread because their trailer was missing or wrong (unsigned, or
 *                                  signed with another cluster's client key), or, at a member that runs insecure,
 *                                  because they were signed: they cost the member nothing else (no publication, no
 *                                  connect token).
 * @param unknownConnectionRequests requests of a connection this member does not know (it restarted, or the
 *                                  connection expired): dropped, since there is nowhere to answer; the client times
 *                                  out and connects again.
 * @param responsesNotSent          outcomes that could not be sent: their connection was gone or closed.
 * @param responsesDropped          outcomes dropped because the queue from the pipeline to the endpoint was full.
 * @param responsesDelayed          duty cycles in which a connection's publication did not take all its answers
 *                                  (back pressure): they were kept and offered again, not dropped.
 * @param connectsRefused           Connects answered with an error: wrong cluster, version or response endpoint, or
 *                                  the connection limit reached.
 * @param connectsOverRate          Connects dropped unanswered because they came faster than the connect rate.
 * @param connectionsClosedBehind   connections closed because more answers waited for them than a connection may hold.
 * @param connectionsExpired        connections closed because their client sent no request for the idle timeout.
 */
public record ClientEndpointStats(
    int connections, long badFrames, long unauthenticatedFrames, long unknownConnectionRequests, long responsesNotSent, long responsesDropped,
    long responsesDelayed, long connectsRefused, long connectsOverRate, long connectionsClosedBehind,
    long connectionsExpired)
{
}
