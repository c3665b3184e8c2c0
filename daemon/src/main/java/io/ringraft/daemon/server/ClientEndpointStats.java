package io.ringraft.daemon.server;

/**
 * What a member's client endpoint has seen.
 *
 * @param sessions               clients connected (or connecting) now.
 * @param badFrames              requests dropped unread: malformed, of an unexpected template, or a Connect whose
 *                               response channel the media driver refused.
 * @param unknownSessionRequests requests of a session this member does not know (it restarted, or the session expired):
 *                               dropped, since there is nowhere to answer; the client times out and connects again.
 * @param responsesNotSent       outcomes that could not be sent: the session was gone or its publication refused.
 * @param responsesDropped       outcomes dropped because the queue from the pipeline to the endpoint was full.
 */
public record ClientEndpointStats(
    int sessions, long badFrames, long unknownSessionRequests, long responsesNotSent, long responsesDropped)
{
}
