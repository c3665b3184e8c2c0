package io.ringraft.daemon.sim;

import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.SessionCommandDecoder;
import io.ringraft.daemon.kv.KvStateMachine;
import io.ringraft.daemon.session.SessionOutcome;
import io.ringraft.daemon.session.SessionRecords;
import io.ringraft.daemon.session.SessionStateMachine;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The daemon's composition, as every member runs it: the exactly-once {@link SessionStateMachine} around the KV state
 * machine, reporting each entry applied and each restore to the {@link ApplyLedger}, and each command the session
 * layer lets through to the KV state machine (by session and sequence), so that the ledger sees a command applied
 * twice. Its snapshot is the session layer's (session table, then the KV store), behind the applied index.
 */
final class CheckedStateMachine implements StateMachine
{
    private final ApplyLedger ledger;
    private final int member;
    private final int group;
    private final PlantedNodeBug bug;
    private final KvStateMachine kv = new KvStateMachine();
    private final SessionStateMachine sessions;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SessionCommandDecoder command = new SessionCommandDecoder();
    private final ExpandableArrayBuffer replayed = new ExpandableArrayBuffer(64);
    private long lastApplied;
    /** The session and sequence of the entry being applied; 0 when it is not a session's command. */
    private long sessionId;
    private long sequence;

    CheckedStateMachine(final ApplyLedger ledger, final int member, final int group, final SimSettings settings,
        final PlantedNodeBug bug)
    {
        this.ledger = ledger;
        this.member = member;
        this.group = group;
        this.bug = bug;
        sessions = new SessionStateMachine(new Inner(), settings.maxSessions(), settings.maxSavedResults());
    }

    @Override
    public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer result)
    {
        throw new IllegalStateException("the pipeline applies with the entry's timestamp");
    }

    @Override
    public int apply(final long index, final long timestamp, final DirectBuffer payload, final int offset,
        final int length, final MutableDirectBuffer result)
    {
        ledger.applied(member, group, index, payload, offset, length);
        lastApplied = index;
        readSessionCommand(payload, offset, length);
        final int resultLength = sessions.apply(index, timestamp, payload, offset, length, result);
        if (PlantedNodeBug.SESSION_DEDUP_DISABLED == bug && sessionId != SessionRecords.NO_SESSION &&
            SessionOutcome.REPLAYED == result.getByte(0))
        {
            // The planted bug: a retry applied again, as if the session layer kept no results.
            final int commandOffset = command.limit() + SessionCommandDecoder.commandHeaderLength();
            final int again = kvApply(index, timestamp, payload, commandOffset, command.commandLength(), replayed);
            result.putByte(0, SessionOutcome.APPLIED);
            result.putBytes(1, replayed, 0, again);
            return 1 + again;
        }
        return resultLength;
    }

    private void readSessionCommand(final DirectBuffer payload, final int offset, final int length)
    {
        sessionId = SessionRecords.NO_SESSION;
        sequence = 0;
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        header.wrap(payload, offset);
        if (SessionCommandDecoder.TEMPLATE_ID == header.templateId() &&
            length >= MessageHeaderDecoder.ENCODED_LENGTH + SessionCommandDecoder.BLOCK_LENGTH)
        {
            command.wrap(payload, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(),
                header.version());
            sessionId = command.sessionId();
            sequence = command.sequence();
        }
    }

    private int kvApply(final long index, final long timestamp, final DirectBuffer payload, final int offset,
        final int length, final MutableDirectBuffer result)
    {
        if (SessionRecords.NO_SESSION != sessionId)
        {
            ledger.appliedCommand(member, group, index, sessionId, sequence);
        }
        return kv.apply(index, timestamp, payload, offset, length, result);
    }

    @Override
    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        return sessions.query(query, offset, length, result);
    }

    @Override
    public void snapshot(final WritableByteChannel out) throws IOException
    {
        // The index rides along so that a restore can tell the ledger where the state machine now is.
        final ByteBuffer header = ByteBuffer.allocate(Long.BYTES).putLong(0, lastApplied);
        out.write(header);
        sessions.snapshot(out);
    }

    @Override
    public void restore(final ReadableByteChannel in) throws IOException
    {
        final InputStream stream = Channels.newInputStream(in);
        final byte[] header = stream.readNBytes(Long.BYTES);
        final long index = ByteBuffer.wrap(header).getLong();
        sessions.restore(Channels.newChannel(stream));
        ledger.restored(member, group, index);
        lastApplied = index;
    }

    /** The state as the session layer snapshots it: its session table, then the KV store. */
    byte[] state() throws IOException
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        sessions.snapshot(Channels.newChannel(bytes));
        return bytes.toByteArray();
    }

    /** The KV state machine under the session layer: what reaches it is a command applied. */
    private final class Inner implements StateMachine
    {
        @Override
        public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
            final MutableDirectBuffer result)
        {
            throw new IllegalStateException("the session layer applies with the entry's timestamp");
        }

        @Override
        public int apply(final long index, final long timestamp, final DirectBuffer payload, final int offset,
            final int length, final MutableDirectBuffer result)
        {
            return kvApply(index, timestamp, payload, offset, length, result);
        }

        @Override
        public int query(final DirectBuffer query, final int offset, final int length,
            final MutableDirectBuffer result)
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
