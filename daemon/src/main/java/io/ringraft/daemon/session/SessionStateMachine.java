package io.ringraft.daemon.session;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.SessionCloseDecoder;
import io.ringraft.codecs.sbe.SessionCommandDecoder;
import io.ringraft.codecs.sbe.SessionOpenDecoder;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The exactly-once session layer around a user's state machine (docs/CLIENT-PROTOCOL.md, "Sessions: exactly once").
 * Every entry's payload is a session record ({@link SessionRecords}); a command of a session is applied to the user's
 * state machine at most once, and a retry of it is answered with the first application's result. Every result starts
 * with a {@link SessionOutcome} byte.
 * <p>
 * Every decision is a function of the log alone, so that replicas stay identical: session ids are log indexes, and
 * time is <em>log time</em>, the largest entry timestamp (the leader's wall clock, written in the entry) applied so
 * far; a session expires when log time passes its last use by its timeout, checked when it is used and when a session
 * is opened, with no timer. The table holds at most {@code maxSessions} sessions (an open evicts the least recently
 * used) and each session at most {@code maxSavedResults} results (a new command beyond that is refused, not applied).
 * Reads go straight to the user's state machine.
 * <p>
 * An open session's commands, with rising sequences and an advancing respondedTo, allocate nothing here. A record
 * that is not a session record is answered MALFORMED, never an exception, since it is committed on every member.
 */
public final class SessionStateMachine implements StateMachine
{
    /** The shortest timeout a session gets, whatever its SessionOpen asks. */
    public static final long MIN_TIMEOUT_MS = 1_000;
    /** The longest timeout a session gets, whatever its SessionOpen asks. */
    public static final long MAX_TIMEOUT_MS = 3_600_000;
    /**
     * Sessions per group. A client holds one session per group it writes to, so this is concurrent writers per group:
     * well above what one group's leader serves, yet it bounds the table to a few MB of heap and under 1 MB of
     * snapshot per group (some 400 and 60 bytes a session with a few small saved results). A client evicted while
     * idle gets SESSION_UNKNOWN and opens a new session.
     */
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    /** Results saved per session: more unanswered commands than a client pipelines in practice. */
    public static final int DEFAULT_MAX_SAVED_RESULTS = 4_096;

    private static final ByteOrder ORDER = MessageHeaderDecoder.BYTE_ORDER;
    private static final String NOT_A_RECORD = "not a session record (SessionOpen, SessionCommand or SessionClose): ";

    private final StateMachine inner;
    private final int maxSessions;
    private final int maxSavedResults;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SessionOpenDecoder open = new SessionOpenDecoder();
    private final SessionCommandDecoder command = new SessionCommandDecoder();
    private final SessionCloseDecoder close = new SessionCloseDecoder();
    private final ExpandableArrayBuffer innerResult = new ExpandableArrayBuffer(256);
    private SessionTable table;
    private long logTime;

    /** With {@link #DEFAULT_MAX_SESSIONS} and {@link #DEFAULT_MAX_SAVED_RESULTS}. */
    public SessionStateMachine(final StateMachine inner)
    {
        this(inner, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SAVED_RESULTS);
    }

    /**
     * Every replica of a group must use the same bounds: they decide evictions and refusals.
     *
     * @param inner           the user's state machine; this one owns it from now on (and closes it).
     * @param maxSessions     sessions of the group, at least 1.
     * @param maxSavedResults results one session saves, at least 1.
     */
    public SessionStateMachine(final StateMachine inner, final int maxSessions, final int maxSavedResults)
    {
        if (null == inner)
        {
            throw new IllegalArgumentException("inner state machine must be set");
        }
        if (maxSessions < 1 || maxSavedResults < 1)
        {
            throw new IllegalArgumentException("maxSessions " + maxSessions + " and maxSavedResults " +
                maxSavedResults + " must be at least 1");
        }
        this.inner = inner;
        this.maxSessions = maxSessions;
        this.maxSavedResults = maxSavedResults;
        table = new SessionTable(maxSessions);
    }

    /** Applies at the current log time: an entry without a timestamp does not move it. */
    @Override
    public int apply(
        final long index, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer result)
    {
        return apply(index, logTime, payload, offset, length, result);
    }

    @Override
    public int apply(
        final long index, final long timestamp, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer result)
    {
        // Timestamps may go back across a change of leader (their clocks differ); log time never does.
        logTime = Math.max(logTime, timestamp);
        final int check = Frames.validate(payload, offset, length);
        if (FrameCheck.OK != check)
        {
            return malformed(result, NOT_A_RECORD, FrameCheck.describe(check));
        }
        header.wrap(payload, offset);
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        switch (header.templateId())
        {
            case SessionCommandDecoder.TEMPLATE_ID:
                command.wrap(payload, bodyOffset, blockLength, version);
                return command(index, timestamp, payload, result);
            case SessionOpenDecoder.TEMPLATE_ID:
                open.wrap(payload, bodyOffset, blockLength, version);
                return open(index, result);
            case SessionCloseDecoder.TEMPLATE_ID:
                close.wrap(payload, bodyOffset, blockLength, version);
                return close(result);
            default:
                return otherTemplate(result, header.templateId());
        }
    }

    private static int otherTemplate(final MutableDirectBuffer result, final int templateId)
    {
        final int textLength = result.putStringWithoutLengthAscii(1, NOT_A_RECORD + "template id ");
        final int idLength = result.putNaturalIntAscii(1 + textLength, templateId);
        result.putByte(0, SessionOutcome.MALFORMED);
        return 1 + textLength + idLength;
    }

    private int command(
        final long index, final long timestamp, final DirectBuffer payload, final MutableDirectBuffer result)
    {
        final long sessionId = command.sessionId();
        final long sequence = command.sequence();
        final long respondedTo = command.respondedTo();
        final int commandLength = command.commandLength();
        final int commandOffset = command.limit() + SessionCommandDecoder.commandHeaderLength();
        if (SessionRecords.NO_SESSION == sessionId)
        {
            return applied(index, timestamp, payload, commandOffset, commandLength, result, null, 0);
        }
        if (sequence < 1 || respondedTo < 0)
        {
            return malformed(
                result, "SessionCommand: ", "a session's sequence must be 1 or more, its respondedTo 0 or more");
        }
        final Session session = table.get(sessionId);
        if (null == session)
        {
            return outcome(result, SessionOutcome.SESSION_UNKNOWN);
        }
        if (session.expiredAt(logTime))
        {
            table.remove(session);
            return outcome(result, SessionOutcome.SESSION_UNKNOWN);
        }
        table.touch(session, logTime);
        session.respondedTo(respondedTo);
        final SavedResults saved = session.saved;
        final int position = saved.find(sequence);
        if (position >= 0)
        {
            result.putByte(0, SessionOutcome.REPLAYED);
            return 1 + saved.copy(position, result, 1);
        }
        if (sequence <= session.respondedTo)
        {
            return outcome(result, SessionOutcome.ANSWER_DISCARDED);
        }
        if (saved.count() >= maxSavedResults)
        {
            return outcome(result, SessionOutcome.TOO_MANY_PENDING);
        }
        return applied(index, timestamp, payload, commandOffset, commandLength, result, session, -position - 1);
    }

    private int applied(
        final long index, final long timestamp, final DirectBuffer payload, final int commandOffset,
        final int commandLength, final MutableDirectBuffer result, final Session session, final int insertAt)
    {
        // The user's result goes after the outcome byte: it writes at 0 of a buffer of its own, then moves over.
        final int length = inner.apply(index, timestamp, payload, commandOffset, commandLength, innerResult);
        if (null != session)
        {
            session.saved.insert(insertAt, command.sequence(), innerResult, 0, length);
        }
        result.putByte(0, SessionOutcome.APPLIED);
        result.putBytes(1, innerResult, 0, length);
        return 1 + length;
    }

    private int open(final long index, final MutableDirectBuffer result)
    {
        final long timeoutMs = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, open.timeoutMs()));
        table.open(index, timeoutMs, logTime);
        result.putByte(0, SessionOutcome.OPENED);
        result.putLong(SessionRecords.RESULT_BODY_OFFSET, open.clientNonce(), ORDER);
        return SessionRecords.OPENED_LENGTH;
    }

    private int close(final MutableDirectBuffer result)
    {
        final Session session = table.get(close.sessionId());
        if (null != session)
        {
            table.remove(session);
        }
        return outcome(result, SessionOutcome.CLOSED);
    }

    private static int outcome(final MutableDirectBuffer result, final byte outcome)
    {
        result.putByte(0, outcome);
        return 1;
    }

    /** The reason in two parts, so that neither is built per call. */
    private static int malformed(final MutableDirectBuffer result, final String what, final String reason)
    {
        final int prefix = result.putStringWithoutLengthAscii(1, what);
        final int rest = result.putStringWithoutLengthAscii(1 + prefix, reason);
        result.putByte(0, SessionOutcome.MALFORMED);
        return 1 + prefix + rest;
    }

    /** Reads are not sessions' business: the user's state machine answers them as they are. */
    @Override
    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        return inner.query(query, offset, length, result);
    }

    /** The session table ({@link SessionSnapshot}), then the user's state machine's own bytes. */
    @Override
    public void snapshot(final WritableByteChannel out) throws IOException
    {
        SessionSnapshot.write(out, table, logTime);
        inner.snapshot(out);
    }

    /** Replaces the table only once the user's state machine has restored too. */
    @Override
    public void restore(final ReadableByteChannel in) throws IOException
    {
        final SessionSnapshot.Restored restored = SessionSnapshot.read(in, maxSessions);
        inner.restore(in);
        table = restored.table;
        logTime = restored.logTime;
    }

    @Override
    public void close()
    {
        inner.close();
    }

    /** Open sessions; for tests and status. */
    public int sessions()
    {
        return table.size();
    }

    /** The largest entry timestamp applied so far; for tests and status. */
    public long logTime()
    {
        return logTime;
    }
}
