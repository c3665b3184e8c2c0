package io.ringraft.wire;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.Membership;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PeerMessageCodecTest
{
    private final PeerMessageCodec codec = new PeerMessageCodec();

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyMessageTypeRoundTripsWithEveryFieldItCarries(final MessageType type)
    {
        final Message original = sample(type, new Random(type.ordinal()));
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(PeerMessageCodec.maxEncodedLength(original) + 16);

        final int length = codec.encode(original, buffer, 16);
        assertThat(length).isLessThanOrEqualTo(PeerMessageCodec.maxEncodedLength(original));

        final Message decoded = new Message();
        decoded.entries.append(99, 9, EntryType.NORMAL, 9, new UnsafeBuffer(new byte[1]), 0, 1); // must be reset
        assertThat(codec.decode(buffer, 16, decoded)).isTrue();

        assertThat(decoded.toString()).isEqualTo(original.toString());
        assertThat(fieldsOf(decoded)).isEqualTo(fieldsOf(original));
        assertThat(entriesOf(decoded)).isEqualTo(entriesOf(original));
        if (type == MessageType.SNAPSHOT)
        {
            assertThat(decoded.membership).isEqualTo(original.membership);
            assertThat(bytes(decoded.chunk, decoded.chunkLength)).isEqualTo(bytes(original.chunk, original.chunkLength));
        }
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void aDecodedMessageReEncodesToTheSameBytes(final MessageType type)
    {
        final Message original = sample(type, new Random(42 + type.ordinal()));
        final ExpandableArrayBuffer first = new ExpandableArrayBuffer(4096);
        final ExpandableArrayBuffer second = new ExpandableArrayBuffer(4096);
        final int length = codec.encode(original, first, 0);
        final Message decoded = new Message();
        codec.decode(first, 0, decoded);

        assertThat(codec.encode(decoded, second, 0)).isEqualTo(length);
        assertThat(bytes(second, length)).isEqualTo(bytes(first, length));
    }

    private static Message sample(final MessageType type, final Random random)
    {
        final Message m = new Message();
        m.type = type;
        m.clusterId = 7;
        m.groupId = 3;
        m.from = 1;
        m.to = 2;
        m.term = 1 + random.nextInt(1000);
        switch (type)
        {
            case VOTE_REQUEST ->
            {
                m.index = random.nextInt(10_000);
                m.logTerm = random.nextInt(100);
                m.preVote = true;
                m.leadershipTransfer = true;
                m.commit = random.nextInt(10_000);
                m.commitTerm = random.nextInt(100);
            }
            case VOTE_RESPONSE ->
            {
                m.reject = true;
                m.preVote = true;
                m.commit = 125;
                m.commitTerm = 3;
            }
            case APPEND ->
            {
                m.index = 100;
                m.logTerm = 4;
                m.commit = 97;
                for (int i = 0; i < 5; i++)
                {
                    final byte[] payload = ("entry-" + i).repeat(i).getBytes(StandardCharsets.UTF_8);
                    m.entries.append(101 + i, 5, i == 0 ? EntryType.NO_OP : EntryType.NORMAL, 1_700_000_000_000L + i,
                        new UnsafeBuffer(payload), 0, payload.length);
                }
            }
            case APPEND_RESPONSE ->
            {
                m.reject = true;
                m.index = 55;
                m.rejectHint = 40;
                m.conflictTerm = 3;
            }
            case HEARTBEAT ->
            {
                m.commit = 77;
                m.context = 12345;
            }
            case HEARTBEAT_RESPONSE, READ_INDEX -> m.context = 999;
            case SNAPSHOT ->
            {
                m.index = 5000;
                m.logTerm = 6;
                m.chunkOffset = 65536;
                m.totalLength = 200_000;
                m.done = true;
                m.membership = new Membership(new int[]{1, 2, 3}, new int[]{1, 2, 4}, new int[]{5}, new int[]{4}, true);
                final byte[] chunk = new byte[3000];
                random.nextBytes(chunk);
                m.chunk.putBytes(0, chunk);
                m.chunkLength = chunk.length;
            }
            case SNAPSHOT_RESPONSE ->
            {
                m.index = 5000;
                m.chunkOffset = 131072;
                m.reject = false;
                m.done = true;
            }
            case READ_INDEX_RESPONSE ->
            {
                m.context = 888;
                m.index = 4321;
            }
            case TIMEOUT_NOW ->
            {
            }
        }
        return m;
    }

    private static List<Object> fieldsOf(final Message m)
    {
        return List.of(m.type, m.clusterId, m.groupId, m.from, m.to, m.term, m.index, m.logTerm, m.commit, m.reject,
            m.rejectHint, m.conflictTerm, m.commitTerm, m.preVote, m.leadershipTransfer, m.context, m.chunkOffset,
            m.totalLength, m.done, m.chunkLength);
    }

    private static List<String> entriesOf(final Message m)
    {
        final List<String> entries = new ArrayList<>();
        m.entries.forEach((index, term, type, timestamp, payload, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            payload.getBytes(offset, bytes);
            entries.add(index + "/" + term + "/" + type + "/" + timestamp + "/" + new String(bytes, StandardCharsets.UTF_8));
        });
        return entries;
    }

    private static byte[] bytes(final org.agrona.DirectBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
