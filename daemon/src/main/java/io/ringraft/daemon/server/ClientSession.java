package io.ringraft.daemon.server;

import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.Status;
import io.aeron.ExclusivePublication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.BiConsumer;

/**
 * One connected client as a member sees it: the publication to the client's response channel, and the callbacks that
 * route its requests' outcomes into the {@link ResponseQueue} (one instance per session, so a proposal allocates no
 * callback). Owned by the {@link ClientEndpoint}'s agent thread, except {@link #onResult}, which the pipeline calls.
 */
final class ClientSession implements ProposalCallback
{
    enum State
    {
        /** The response publication is being added or is not connected yet; the SessionEvent is still to be sent. */
        OPENING,
        OPEN,
        /** Refused (wrong cluster or version): the SessionEvent ERROR is still to be sent, then it closes. */
        REFUSING
    }

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    final long sessionId;
    final long connectCorrelationId;
    final long publicationRegistrationId;
    final String responseChannel;
    final String refusal;
    private final ResponseQueue responses;
    State state;
    ExclusivePublication publication;
    /** When the session was opened, or last seen connected: a session whose client is gone is closed after a while. */
    long lastConnectedNs;

    ClientSession(
        final long sessionId,
        final long connectCorrelationId,
        final long publicationRegistrationId,
        final String responseChannel,
        final String refusal,
        final ResponseQueue responses,
        final long nowNs)
    {
        this.sessionId = sessionId;
        this.connectCorrelationId = connectCorrelationId;
        this.publicationRegistrationId = publicationRegistrationId;
        this.responseChannel = responseChannel;
        this.refusal = refusal;
        this.responses = responses;
        this.state = null == refusal ? State.OPENING : State.REFUSING;
        this.lastConnectedNs = nowNs;
    }

    /** A proposal's outcome, from a pipeline thread. */
    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        responses.offer(ResponseQueue.COMMAND, sessionId, correlationId, groupId, ClientProtocol.toWire(status), index,
            leaderHint, result, offset, length);
    }

    /** A read's outcome, from the thread that completes its future. */
    BiConsumer<Result, Throwable> readCompletion(final long correlationId, final int groupId)
    {
        return (result, error) ->
        {
            if (null != error)
            {
                final byte[] text = String.valueOf(error).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                responses.offer(ResponseQueue.READ, sessionId, correlationId, groupId, ResponseStatus.ERROR, -1, -1,
                    new UnsafeBuffer(text), 0, text.length);
                return;
            }
            final byte[] value = result.value();
            responses.offer(ResponseQueue.READ, sessionId, correlationId, groupId,
                ClientProtocol.toWire(result.status()), result.index(), result.leaderHint(),
                0 == value.length ? EMPTY : new UnsafeBuffer(value), 0, value.length);
        };
    }
}
