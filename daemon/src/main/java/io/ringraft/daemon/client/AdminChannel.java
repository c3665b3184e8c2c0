package io.ringraft.daemon.client;

import io.ringraft.codecs.sbe.AdminAction;

import java.time.Duration;

/**
 * Sends admin requests to members by their client endpoint and waits for the answer: what the {@code ringraft
 * cluster|member|leader|snapshot} commands need from a connection. One request at a time; not thread safe.
 */
public interface AdminChannel extends AutoCloseable
{
    /** The member at an endpoint did not answer in time, or could not be reached at all. */
    final class UnreachableException extends Exception
    {
        private static final long serialVersionUID = 1L;

        public UnreachableException(final String message)
        {
            super(message);
        }
    }

    /**
     * @param clientEndpoint the member's client endpoint, {@code host:port}.
     * @param groupId        the group, or -1 for every group (STATUS, SNAPSHOT).
     * @param memberId       the member acted on, or -1.
     * @param peerEndpoint   the peer endpoint of a member being added, else empty.
     * @throws UnreachableException naming the endpoint when it does not answer within {@code timeout}.
     */
    AdminReply request(
        String clientEndpoint, AdminAction action, int groupId, int memberId, String peerEndpoint, Duration timeout)
        throws UnreachableException;

    @Override
    void close();
}
