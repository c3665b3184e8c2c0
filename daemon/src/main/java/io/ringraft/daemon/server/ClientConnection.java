package io.ringraft.daemon.server;

import io.aeron.ExclusivePublication;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.pipeline.ProposalCallback;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.Status;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * One connected client as a member sees it: the publication to the client's response endpoint, the answers waiting
 * to go there, and the callbacks that route its requests' outcomes into the {@link ResponseQueue} (one instance per
 * connection, so a proposal allocates no callback). Owned by the {@link ClientEndpoint}'s agent thread, except
 * {@link #onResult} and the read completions, which the pipeline calls.
 * <p>
 * Answers wait in {@link #pending} until the publication takes them: a back-pressured publication delays them, it
 * does not lose them. A record there: correlationId i64, index i64, groupId i32, leaderHint i32, status i32, result
 * length i32, then the result bytes.
 */
final class ClientConnection implements ProposalCallback
{
    enum State
    {
        /** The response publication is being added or is not connected yet; the SessionEvent is still to be sent. */
        OPENING,
        OPEN,
        /** Refused (wrong cluster, version, channel, or no room): the SessionEvent ERROR is still to be sent. */
        REFUSING
    }

    static final int CORRELATION_ID_OFFSET = 0;
    static final int INDEX_OFFSET = 8;
    static final int GROUP_ID_OFFSET = 16;
    static final int LEADER_HINT_OFFSET = 20;
    static final int STATUS_OFFSET = 24;
    static final int RESULT_LENGTH_OFFSET = 28;
    static final int RESULT_OFFSET = 32;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    final long connectionId;
    final long connectCorrelationId;
    final long publicationRegistrationId;
    /** host:port the client listens on. */
    final String responseEndpoint;
    final String refusal;
    private final ResponseQueue responses;
    State state;
    ExclusivePublication publication;
    /** When the connection was opened, or last seen connected: one whose client is gone is closed after a while. */
    long lastConnectedNs;
    /** When the client last sent a request: an idle connection expires. */
    long lastRequestNs;
    /** Answers not yet taken by the publication, from {@link #pendingStart} to {@link #pendingEnd}. */
    final ExpandableDirectByteBuffer pending = new ExpandableDirectByteBuffer(4096);
    int pendingStart;
    int pendingEnd;
    /** On the endpoint's list of connections with answers to send. */
    boolean queued;

    ClientConnection(
        final long connectionId,
        final long connectCorrelationId,
        final long publicationRegistrationId,
        final String responseEndpoint,
        final String refusal,
        final ResponseQueue responses,
        final long nowNs)
    {
        this.connectionId = connectionId;
        this.connectCorrelationId = connectCorrelationId;
        this.publicationRegistrationId = publicationRegistrationId;
        this.responseEndpoint = responseEndpoint;
        this.refusal = refusal;
        this.responses = responses;
        this.state = null == refusal ? State.OPENING : State.REFUSING;
        this.lastConnectedNs = nowNs;
        this.lastRequestNs = nowNs;
    }

    /** A proposal's outcome, from a pipeline thread. */
    @Override
    public void onResult(
        final long correlationId, final int groupId, final Status status, final long index, final int leaderHint,
        final DirectBuffer result, final int offset, final int length)
    {
        responses.offer(connectionId, correlationId, groupId, ClientProtocol.toWire(status), index, leaderHint,
            result, offset, length);
    }

    /** A read's outcome, from the thread that completes its future. */
    BiConsumer<Result, Throwable> readCompletion(final long correlationId, final int groupId)
    {
        return (result, error) ->
        {
            if (null != error)
            {
                final byte[] text = String.valueOf(error).getBytes(StandardCharsets.UTF_8);
                responses.offer(connectionId, correlationId, groupId, ResponseStatus.ERROR, -1, -1,
                    new UnsafeBuffer(text), 0, text.length);
                return;
            }
            final byte[] value = result.value();
            responses.offer(connectionId, correlationId, groupId, ClientProtocol.toWire(result.status()),
                result.index(), result.leaderHint(), 0 == value.length ? EMPTY : new UnsafeBuffer(value), 0,
                value.length);
        };
    }

    /** Keeps an answer until the publication takes it; endpoint thread only. */
    void append(
        final long correlationId, final int groupId, final ResponseStatus status, final long index,
        final int leaderHint, final DirectBuffer result, final int offset, final int length)
    {
        if (pendingStart == pendingEnd)
        {
            pendingStart = 0;
            pendingEnd = 0;
        }
        else if (pendingStart > pending.capacity() / 2)
        {
            // Most of the buffer was sent: move the rest to the front rather than grow.
            pending.putBytes(0, pending, pendingStart, pendingEnd - pendingStart);
            pendingEnd -= pendingStart;
            pendingStart = 0;
        }
        final int at = pendingEnd;
        pending.putLong(at + CORRELATION_ID_OFFSET, correlationId);
        pending.putLong(at + INDEX_OFFSET, index);
        pending.putInt(at + GROUP_ID_OFFSET, groupId);
        pending.putInt(at + LEADER_HINT_OFFSET, leaderHint);
        pending.putInt(at + STATUS_OFFSET, status.value());
        pending.putInt(at + RESULT_LENGTH_OFFSET, length);
        if (length > 0)
        {
            pending.putBytes(at + RESULT_OFFSET, result, offset, length);
        }
        pendingEnd = at + RESULT_OFFSET + length;
    }

    int pendingBytes()
    {
        return pendingEnd - pendingStart;
    }
}
