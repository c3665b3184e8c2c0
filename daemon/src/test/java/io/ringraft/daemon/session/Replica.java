package io.ringraft.daemon.session;

import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvStateMachine;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * One replica's session layer over the KV state machine, fed log entries as the apply stage would (index by index,
 * with the entry's timestamp), counting how often the KV machine applies.
 */
final class Replica
{
    final SessionStateMachine machine;
    private static final byte[] KEY = {'k'};
    private final Counting kv = new Counting();
    private final ExpandableArrayBuffer record = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer result = new ExpandableArrayBuffer(64);
    private long index;

    Replica()
    {
        this(SessionStateMachine.DEFAULT_MAX_SESSIONS, SessionStateMachine.DEFAULT_MAX_SAVED_RESULTS);
    }

    Replica(final int maxSessions, final int maxSavedResults)
    {
        machine = new SessionStateMachine(kv, maxSessions, maxSavedResults);
    }

    /** How often the KV state machine applied a command. */
    long kvApplies()
    {
        return kv.applies;
    }

    long lastIndex()
    {
        return index;
    }

    /** Opens a session at log entry {@code timestamp}; @return its id (the entry's index). */
    long open(final long timestamp, final long timeoutMs)
    {
        final byte[] answer = entry(timestamp, SessionRecords.encodeOpen(record, 0, 42, timeoutMs));
        if (SessionOutcome.OPENED != SessionRecords.outcome(answer))
        {
            throw new AssertionError("open answered " + SessionOutcome.name(SessionRecords.outcome(answer)));
        }
        return index;
    }

    byte[] command(
        final long timestamp, final long sessionId, final long sequence, final long respondedTo, final byte[] command)
    {
        return entry(timestamp, SessionRecords.encodeCommand(
            record, 0, sessionId, sequence, respondedTo, new UnsafeBuffer(command), 0, command.length));
    }

    /** The outcome of a command deleting key "k": for tests that care only whether a session took it. */
    int deleteOutcome(final long timestamp, final long sessionId, final long sequence, final long respondedTo)
    {
        return SessionRecords.outcome(command(timestamp, sessionId, sequence, respondedTo, KvCommands.delete(KEY)));
    }

    byte[] close(final long timestamp, final long sessionId)
    {
        return entry(timestamp, SessionRecords.encodeClose(record, 0, sessionId));
    }

    /** Applies the first {@code length} bytes of the record buffer as the next entry. */
    private byte[] entry(final long timestamp, final int length)
    {
        return raw(timestamp, Arrays.copyOf(record.byteArray(), length));
    }

    /** Applies any bytes as the next entry's payload; @return the result. */
    byte[] raw(final long timestamp, final byte[] payload)
    {
        final int length = machine.apply(++index, timestamp, new UnsafeBuffer(payload), 0, payload.length, result);
        return Arrays.copyOf(result.byteArray(), length);
    }

    byte[] query(final byte[] query)
    {
        final int length = machine.query(new UnsafeBuffer(query), 0, query.length, result);
        return Arrays.copyOf(result.byteArray(), length);
    }

    byte[] snapshot()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try
        {
            machine.snapshot(Channels.newChannel(out));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** Restores a snapshot taken at {@code atIndex}: the next entry is {@code atIndex + 1}. */
    void restore(final byte[] snapshot, final long atIndex) throws IOException
    {
        machine.restore(Channels.newChannel(new ByteArrayInputStream(snapshot)));
        index = atIndex;
    }

    /** The KV machine, counting its applies. */
    private static final class Counting implements StateMachine
    {
        private final KvStateMachine kv = new KvStateMachine();
        private long applies;

        @Override
        public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
            final MutableDirectBuffer result)
        {
            applies++;
            return kv.apply(index, payload, offset, length, result);
        }

        @Override
        public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
        {
            return kv.query(query, offset, length, result);
        }

        @Override
        public void snapshot(final WritableByteChannel out) throws IOException
        {
            kv.snapshot(out);
        }

        @Override
        public void restore(final ReadableByteChannel in) throws IOException
        {
            kv.restore(in);
        }
    }
}
