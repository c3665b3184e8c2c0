package io.ringraft.daemon.session;

import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SessionCloseEncoder;
import io.ringraft.codecs.sbe.SessionCommandEncoder;
import io.ringraft.codecs.sbe.SessionOpenEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Encodes the log payloads of the session layer ({@code SessionOpen}, {@code SessionCommand}, {@code SessionClose}
 * of the SBE schema, each preceded by the SBE message header) and reads the outcome of a result
 * (docs/CLIENT-PROTOCOL.md, "Sessions: exactly once"). What a client proposes as a COMMAND is one of these records.
 * <p>
 * Static, allocation-free and thread-safe: it writes at the generated codecs' offsets, into the caller's buffer, so a
 * client can encode into the buffer it sends from. The buffer must have room for the record ({@link #OPEN_LENGTH},
 * {@link #commandLength}, {@link #CLOSE_LENGTH}); an expandable buffer grows.
 */
public final class SessionRecords
{
    /** Length of an encoded SessionOpen. */
    public static final int OPEN_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + SessionOpenEncoder.BLOCK_LENGTH;
    /** Length of an encoded SessionClose. */
    public static final int CLOSE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + SessionCloseEncoder.BLOCK_LENGTH;
    /** Where, in a result, what its outcome names begins (the user's result, the nonce, the reason). */
    public static final int RESULT_BODY_OFFSET = 1;
    /** Length of an OPENED result: the outcome and the client nonce. */
    public static final int OPENED_LENGTH = RESULT_BODY_OFFSET + Long.BYTES;
    /** The session id of a command outside any session: applied every time it is committed (at least once). */
    public static final long NO_SESSION = 0;

    private static final ByteOrder ORDER = MessageHeaderEncoder.BYTE_ORDER;
    private static final int SCHEMA_ID = MessageHeaderEncoder.SCHEMA_ID;
    private static final int SCHEMA_VERSION = MessageHeaderEncoder.SCHEMA_VERSION;
    private static final int BODY = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int COMMAND_DATA_LENGTH_OFFSET = BODY + SessionCommandEncoder.BLOCK_LENGTH;
    private static final int COMMAND_DATA_OFFSET =
        COMMAND_DATA_LENGTH_OFFSET + SessionCommandEncoder.commandHeaderLength();

    private SessionRecords()
    {
    }

    /** @return the length of a SessionCommand carrying a command of {@code commandLength} bytes. */
    public static int commandLength(final int commandLength)
    {
        return COMMAND_DATA_OFFSET + commandLength;
    }

    /**
     * Encodes a SessionOpen: the session it opens has the index of the entry that holds it as its id.
     *
     * @param clientNonce echoed in the OPENED result, so that the client knows which of its opens it sees.
     * @param timeoutMs   log time without a command after which the session expires; the state machine clamps it
     *                    to [{@link SessionStateMachine#MIN_TIMEOUT_MS}, {@link SessionStateMachine#MAX_TIMEOUT_MS}].
     * @return the record's length, {@link #OPEN_LENGTH}.
     */
    public static int encodeOpen(
        final MutableDirectBuffer buffer, final int offset, final long clientNonce, final long timeoutMs)
    {
        header(buffer, offset, SessionOpenEncoder.BLOCK_LENGTH, SessionOpenEncoder.TEMPLATE_ID);
        buffer.putLong(offset + BODY + SessionOpenEncoder.clientNonceEncodingOffset(), clientNonce, ORDER);
        buffer.putLong(offset + BODY + SessionOpenEncoder.timeoutMsEncodingOffset(), timeoutMs, ORDER);
        return OPEN_LENGTH;
    }

    /**
     * Encodes a SessionCommand around the user state machine's command.
     *
     * @param sessionId   the session's id (the index of its SessionOpen entry), or {@link #NO_SESSION}.
     * @param sequence    1, 2, 3 ... per session; a retry reuses its sequence.
     * @param respondedTo the client has the answer of every sequence up to here (0: none yet).
     * @return the record's length, {@link #commandLength commandLength(commandLength)}.
     */
    public static int encodeCommand(
        final MutableDirectBuffer buffer, final int offset, final long sessionId, final long sequence,
        final long respondedTo, final DirectBuffer command, final int commandOffset, final int commandLength)
    {
        header(buffer, offset, SessionCommandEncoder.BLOCK_LENGTH, SessionCommandEncoder.TEMPLATE_ID);
        buffer.putLong(offset + BODY + SessionCommandEncoder.sessionIdEncodingOffset(), sessionId, ORDER);
        buffer.putLong(offset + BODY + SessionCommandEncoder.sequenceEncodingOffset(), sequence, ORDER);
        buffer.putLong(offset + BODY + SessionCommandEncoder.respondedToEncodingOffset(), respondedTo, ORDER);
        buffer.putInt(offset + COMMAND_DATA_LENGTH_OFFSET, commandLength, ORDER);
        buffer.putBytes(offset + COMMAND_DATA_OFFSET, command, commandOffset, commandLength);
        return commandLength(commandLength);
    }

    /** Encodes a SessionClose; @return the record's length, {@link #CLOSE_LENGTH}. */
    public static int encodeClose(final MutableDirectBuffer buffer, final int offset, final long sessionId)
    {
        header(buffer, offset, SessionCloseEncoder.BLOCK_LENGTH, SessionCloseEncoder.TEMPLATE_ID);
        buffer.putLong(offset + BODY + SessionCloseEncoder.sessionIdEncodingOffset(), sessionId, ORDER);
        return CLOSE_LENGTH;
    }

    private static void header(
        final MutableDirectBuffer buffer, final int offset, final int blockLength, final int templateId)
    {
        buffer.putShort(offset + MessageHeaderEncoder.blockLengthEncodingOffset(), (short)blockLength, ORDER);
        buffer.putShort(offset + MessageHeaderEncoder.templateIdEncodingOffset(), (short)templateId, ORDER);
        buffer.putShort(offset + MessageHeaderEncoder.schemaIdEncodingOffset(), (short)SCHEMA_ID, ORDER);
        buffer.putShort(offset + MessageHeaderEncoder.versionEncodingOffset(), (short)SCHEMA_VERSION, ORDER);
    }

    /**
     * @return the {@link SessionOutcome} of the session layer's result in {@code [offset, offset + length)}, or -1
     * when the bytes are not one (empty, or an unknown outcome byte).
     */
    public static int outcome(final DirectBuffer result, final int offset, final int length)
    {
        if (length < 1)
        {
            return -1;
        }
        final int outcome = result.getByte(offset);
        return outcome >= SessionOutcome.APPLIED && outcome <= SessionOutcome.MALFORMED ? outcome : -1;
    }

    /** {@link #outcome(DirectBuffer, int, int)} of a whole array. */
    public static int outcome(final byte[] result)
    {
        if (result.length < 1)
        {
            return -1;
        }
        final int outcome = result[0];
        return outcome >= SessionOutcome.APPLIED && outcome <= SessionOutcome.MALFORMED ? outcome : -1;
    }

    /**
     * @return the client nonce of an {@link SessionOutcome#OPENED} result at {@code offset} (the caller checked the
     * outcome and that the result is {@link #OPENED_LENGTH} long).
     */
    public static long openedNonce(final DirectBuffer result, final int offset)
    {
        return result.getLong(offset + RESULT_BODY_OFFSET, ORDER);
    }
}
