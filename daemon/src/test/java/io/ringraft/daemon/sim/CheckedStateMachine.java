package io.ringraft.daemon.sim;

import io.ringraft.daemon.kv.KvStateMachine;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The daemon's KV state machine, as every member runs it, reporting each apply and restore to the {@link ApplyLedger}.
 */
final class CheckedStateMachine implements StateMachine
{
    private final KvStateMachine kv = new KvStateMachine();
    private final ApplyLedger ledger;
    private final int member;
    private final int group;
    private long lastApplied;

    CheckedStateMachine(final ApplyLedger ledger, final int member, final int group)
    {
        this.ledger = ledger;
        this.member = member;
        this.group = group;
    }

    @Override
    public int apply(final long index, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer result)
    {
        ledger.applied(member, group, index, payload, offset, length);
        lastApplied = index;
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
        // The index rides along so that a restore can tell the ledger where the state machine now is.
        final ByteBuffer header = ByteBuffer.allocate(Long.BYTES).putLong(0, lastApplied);
        out.write(header);
        kv.snapshot(out);
    }

    @Override
    public void restore(final ReadableByteChannel in) throws IOException
    {
        final InputStream stream = Channels.newInputStream(in);
        final byte[] header = stream.readNBytes(Long.BYTES);
        final long index = ByteBuffer.wrap(header).getLong();
        kv.restore(Channels.newChannel(stream));
        ledger.restored(member, group, index);
        lastApplied = index;
    }
}
