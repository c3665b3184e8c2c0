package io.ringraft.aeron;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.Membership;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/** Peer messages of every type with distinctive field values, including ones that Aeron has to fragment. */
final class SampleMessages
{
    /** Payload bytes of {@link #bigAppend}: a full default-sized append (RaftConfig.maxBytesPerAppend). */
    static final int BIG_APPEND_PAYLOAD_BYTES = 1024 * 1024;
    /** Chunk bytes of {@link #snapshotChunk}: the default RaftConfig.snapshotChunkBytes. */
    static final int SNAPSHOT_CHUNK_BYTES = 256 * 1024;

    private SampleMessages()
    {
    }

    /** One small message of every type, then a 1 MiB append and a 256 KiB snapshot chunk. */
    static List<Message> everyType(final int clusterId, final int from, final int to)
    {
        final List<Message> messages = new ArrayList<>();
        for (final MessageType type : MessageType.values())
        {
            messages.add(small(type, clusterId, from, to, 7));
        }
        messages.add(bigAppend(clusterId, from, to));
        messages.add(snapshotChunk(clusterId, from, to, SNAPSHOT_CHUNK_BYTES));
        return messages;
    }

    static Message small(final MessageType type, final int clusterId, final int from, final int to, final long seq)
    {
        final Message m = header(type, clusterId, from, to, seq);
        switch (type)
        {
            case VOTE_REQUEST ->
            {
                m.index = 1000 + seq;
                m.logTerm = 41;
                m.preVote = true;
                m.leadershipTransfer = true;
            }
            case VOTE_RESPONSE, SNAPSHOT_RESPONSE ->
            {
                m.reject = true;
                m.preVote = type == MessageType.VOTE_RESPONSE;
                m.index = 77 + seq;
                m.chunkOffset = 4096;
            }
            case APPEND ->
            {
                m.index = 500 + seq;
                m.logTerm = 40;
                m.commit = 499;
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[100]);
                for (int i = 0; i < 3; i++)
                {
                    payload.setMemory(0, 100, (byte)(i + seq));
                    m.entries.append(m.index + 1 + i, 42, i == 0 ? EntryType.NO_OP : EntryType.NORMAL,
                        1_700_000_000_000L + i, payload, 0, i * 50);
                }
            }
            case APPEND_RESPONSE ->
            {
                m.reject = true;
                m.index = 600 + seq;
                m.rejectHint = 590;
                m.conflictTerm = 39;
            }
            case HEARTBEAT, HEARTBEAT_RESPONSE, READ_INDEX, READ_INDEX_RESPONSE ->
            {
                m.commit = type == MessageType.HEARTBEAT ? 123 + seq : 0;
                m.context = 0xC0FFEE + seq;
                m.index = type == MessageType.READ_INDEX_RESPONSE ? 321 : 0;
            }
            case SNAPSHOT -> fillSnapshot(m, 1000);
            case TIMEOUT_NOW ->
            {
            }
            default -> throw new IllegalArgumentException("no sample for " + type);
        }
        return m;
    }

    static Message bigAppend(final int clusterId, final int from, final int to)
    {
        final Message m = header(MessageType.APPEND, clusterId, from, to, 0);
        m.index = 10_000;
        m.logTerm = 42;
        m.commit = 9_999;
        final int entryBytes = 1024;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[entryBytes]);
        for (int i = 0; i < BIG_APPEND_PAYLOAD_BYTES / entryBytes; i++)
        {
            for (int b = 0; b < entryBytes; b++)
            {
                payload.putByte(b, (byte)(i * 31 + b));
            }
            m.entries.append(m.index + 1 + i, 42, EntryType.NORMAL, i, payload, 0, entryBytes);
        }
        return m;
    }

    static Message snapshotChunk(final int clusterId, final int from, final int to, final int chunkBytes)
    {
        final Message m = header(MessageType.SNAPSHOT, clusterId, from, to, 0);
        fillSnapshot(m, chunkBytes);
        return m;
    }

    private static void fillSnapshot(final Message m, final int chunkBytes)
    {
        m.index = 90_000;
        m.logTerm = 40;
        m.chunkOffset = 3L * chunkBytes;
        m.totalLength = 10L * chunkBytes;
        m.done = false;
        m.membership = new Membership(new int[]{ 1, 2, 3 }, new int[]{ 1, 2, 4 }, new int[]{ 5 }, new int[0], true);
        for (int i = 0; i < chunkBytes; i++)
        {
            m.chunk.putByte(i, (byte)(i * 7 + 3));
        }
        m.chunkLength = chunkBytes;
    }

    private static Message header(
        final MessageType type, final int clusterId, final int from, final int to, final long seq)
    {
        final Message m = new Message();
        m.type = type;
        m.clusterId = clusterId;
        m.groupId = 3;
        m.from = from;
        m.to = to;
        m.term = 42 + seq;
        return m;
    }
}
