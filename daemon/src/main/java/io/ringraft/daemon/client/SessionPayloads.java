package io.ringraft.daemon.client;

import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SessionCloseEncoder;
import io.ringraft.codecs.sbe.SessionCommandEncoder;
import io.ringraft.codecs.sbe.SessionOpenEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The client's side of the session layer's records (docs/CLIENT-PROTOCOL.md, "Sessions: exactly once"): the log
 * payloads a client proposes (SessionOpen, SessionCommand, SessionClose, each an SBE message with its header) and
 * the outcome byte that leads the session layer's result. Reusable encoders; one instance per thread.
 */
public final class SessionPayloads
{
    /** Applied now, for the first time; the user state machine's result follows. */
    public static final byte APPLIED = 0;
    /** A retry, applied before and not again; the saved result of the first application follows. */
    public static final byte REPLAYED = 1;
    /** No such session (never opened, expired, evicted or closed); not applied. */
    public static final byte SESSION_UNKNOWN = 2;
    /** Sequence at or below respondedTo whose result is no longer saved; not applied again. */
    public static final byte ANSWER_DISCARDED = 3;
    /** The session already saves its maximum of results; not applied. */
    public static final byte TOO_MANY_PENDING = 4;
    /** The session is open; the i64 little-endian client nonce follows. */
    public static final byte OPENED = 5;
    /** The session is closed (or was not open). */
    public static final byte CLOSED = 6;
    /** Not a session record; not applied; UTF-8 text follows. */
    public static final byte MALFORMED = 7;
    /** Bytes before what an outcome names. */
    public static final int OUTCOME_LENGTH = 1;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SessionOpenEncoder open = new SessionOpenEncoder();
    private final SessionCommandEncoder command = new SessionCommandEncoder();
    private final SessionCloseEncoder close = new SessionCloseEncoder();

    /** @return the length of the SessionOpen written at {@code offset}. */
    public int encodeOpen(final MutableDirectBuffer buffer, final int offset, final long clientNonce, final long timeoutMs)
    {
        open.wrapAndApplyHeader(buffer, offset, header).clientNonce(clientNonce).timeoutMs(timeoutMs);
        return MessageHeaderEncoder.ENCODED_LENGTH + open.encodedLength();
    }

    /** @return the length of the SessionCommand carrying {@code userCommand}, written at {@code offset}. */
    public int encodeCommand(
        final MutableDirectBuffer buffer, final int offset, final long sessionId, final long sequence,
        final long respondedTo, final DirectBuffer userCommand, final int commandOffset, final int commandLength)
    {
        command.wrapAndApplyHeader(buffer, offset, header)
            .sessionId(sessionId)
            .sequence(sequence)
            .respondedTo(respondedTo)
            .putCommand(userCommand, commandOffset, commandLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + command.encodedLength();
    }

    /** @return the length of the SessionClose written at {@code offset}. */
    public int encodeClose(final MutableDirectBuffer buffer, final int offset, final long sessionId)
    {
        close.wrapAndApplyHeader(buffer, offset, header).sessionId(sessionId);
        return MessageHeaderEncoder.ENCODED_LENGTH + close.encodedLength();
    }

    /** The outcome's name, for messages; an unknown byte as its number. */
    public static String outcomeName(final int outcome)
    {
        switch (outcome)
        {
            case APPLIED: return "APPLIED";
            case REPLAYED: return "REPLAYED";
            case SESSION_UNKNOWN: return "SESSION_UNKNOWN";
            case ANSWER_DISCARDED: return "ANSWER_DISCARDED";
            case TOO_MANY_PENDING: return "TOO_MANY_PENDING";
            case OPENED: return "OPENED";
            case CLOSED: return "CLOSED";
            case MALFORMED: return "MALFORMED";
            default: return "outcome " + outcome;
        }
    }
}
