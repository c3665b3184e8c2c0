/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SessionCloseEncoder;
import io.ringraft.codecs.sbe.SessionCommandEncoder;
import io.ringraft.codecs.sbe.SessionOpenEncoder;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.log.DurableLog;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.log.LogConfig;
import io.ringraft.raft.ConfChange;
import io.ringraft.raft.ConfChangeCodec;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.HardState;
import io.ringraft.raft.Membership;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A member data directory as the KV daemon writes it, through the engine's {@link DurableLog}: group 1 holds a
 * session's records around KV commands, bare KV commands of every op, a configuration change, a no-op, an opaque
 * payload, a snapshot of the KV store and a saved hard state; group 2 holds bare PUTs in three terms.
 */
final class KvMember
{
    static final int CLUSTER_ID = 42;
    static final int MEMBER_ID = 1;
    static final long SNAPSHOT_INDEX = 5;

    private KvMember()
    {
    }

    static LogConfig config(final Path dataDirectory, final int groupId)
    {
        return new LogConfig().dataDirectory(dataDirectory).clusterId(CLUSTER_ID).memberId(MEMBER_ID)
            .groupId(groupId).segmentLength(LogConfig.MIN_SEGMENT_LENGTH).fsyncPolicy(FsyncPolicy.ALWAYS);
    }

    static void write(final Path dataDirectory) throws IOException
    {
        try (Writer group = new Writer(DurableLog.open(config(dataDirectory, 1))))
        {
            group.append(1, EntryType.NORMAL, sessionOpen(77, 30_000));
            group.append(1, EntryType.NORMAL, sessionCommand(1, 1, 0,
                KvCommands.put(bytes("alpha"), bytes("hello world!"))));
            group.append(1, EntryType.NORMAL, KvCommands.put(bytes("beta"), bytes("x")));
            group.append(1, EntryType.NORMAL, KvCommands.compareAndSet(bytes("alpha"), bytes("hello world!"),
                bytes("bye")));
            group.append(1, EntryType.NORMAL, KvCommands.compareAndSet(bytes("gamma"), null, bytes("g")));
            group.log.snapshots().write(SNAPSHOT_INDEX, 1, Membership.ofVoters(1, 2, 3), kvSnapshot(), 0,
                kvSnapshot().capacity());
            group.append(1, EntryType.NORMAL, KvCommands.delete(bytes("beta")));
            final ExpandableArrayBuffer confChange = new ExpandableArrayBuffer();
            final int length = new ConfChangeCodec().encode(
                ConfChange.single(ConfChangeType.ADD_VOTER, 4, "10.0.0.4:9000"), confChange, 0);
            group.append(1, EntryType.CONF_CHANGE, Arrays.copyOf(confChange.byteArray(), length));
            group.append(2, EntryType.NO_OP, new byte[0]);
            group.append(2, EntryType.NORMAL, sessionClose(1));
            group.append(2, EntryType.NORMAL, new byte[] {1, 2, (byte)0xFF});
            group.log.saveHardState(new HardState(2, 1, 8));
            group.log.force();
        }
        try (Writer group = new Writer(DurableLog.open(config(dataDirectory, 2))))
        {
            for (int i = 1; i <= 6; i++)
            {
                group.append(1 + (i - 1) / 2, EntryType.NORMAL, KvCommands.put(bytes("k" + i),
                    new byte[i * 100]));
            }
            group.log.saveHardState(new HardState(3, 1, 6));
            group.log.force();
        }
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sessionOpen(final long nonce, final long timeoutMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final SessionOpenEncoder encoder = new SessionOpenEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).clientNonce(nonce).timeoutMs(timeoutMs);
        return Arrays.copyOf(buffer.byteArray(), MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    static byte[] sessionCommand(final long sessionId, final long sequence, final long respondedTo,
        final byte[] command)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 + command.length]);
        final SessionCommandEncoder encoder = new SessionCommandEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).sessionId(sessionId).sequence(sequence)
            .respondedTo(respondedTo).putCommand(command, 0, command.length);
        return Arrays.copyOf(buffer.byteArray(), MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    static byte[] sessionClose(final long sessionId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final SessionCloseEncoder encoder = new SessionCloseEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).sessionId(sessionId);
        return Arrays.copyOf(buffer.byteArray(), MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /** The KV store's snapshot format (KvStateMachine): "RKV1", count, then key and value lengths and bytes. */
    static UnsafeBuffer kvSnapshot() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream data = new DataOutputStream(bytes);
        data.writeBytes("RKV1");
        data.writeLong(2);
        for (final String[] entry : new String[][] {{"alpha", "hello world!"}, {"beta", "x"}})
        {
            data.writeInt(entry[0].length());
            data.writeInt(entry[1].length());
            data.writeBytes(entry[0]);
            data.writeBytes(entry[1]);
        }
        return new UnsafeBuffer(bytes.toByteArray());
    }

    /** Appends one entry at a time, durably. */
    static final class Writer implements AutoCloseable
    {
        final DurableLog log;
        private final EntryBatch batch = new EntryBatch();
        private long index;

        Writer(final DurableLog log)
        {
            this.log = log;
        }

        void append(final long term, final EntryType type, final byte[] payload)
        {
            index++;
            batch.clear();
            batch.append(index, term, type, 1_700_000_000_000L + index * 1000, new UnsafeBuffer(payload), 0,
                payload.length);
            log.append(batch);
            log.force();
        }

        @Override
        public void close()
        {
            log.close();
        }
    }
}
