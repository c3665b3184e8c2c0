package io.ringraft.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A rogue Aeron publication aims a million random and mutated frames at a member's endpoint. Every frame is either
 * delivered (and then decodes) or dropped and counted; nothing escapes the receiver, which keeps delivering the
 * valid frames a real peer sends afterwards. The rogue holds the cluster's secret and signs most of its frames (a
 * member gone bad), so they reach the structural checks behind the authentication; the others go unsigned.
 */
class RogueFramesTest
{
    private static final int CLUSTER_ID = 11;
    private static final int FRAMES = 1_000_000;
    private static final long TIMEOUT_MS = 180_000;

    @Test
    void millionRandomAndMutatedFramesAreCountedAndDroppedWithoutStoppingTheReceiver()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        MediaDriver rogueDriver = null;
        Aeron rogueClient = null;
        try (TransportCluster cluster = TransportCluster.udp(CLUSTER_ID, 1, 2))
        {
            cluster.awaitConnected(TIMEOUT_MS);
            final AeronTransport target = cluster.transport(1);
            final String endpoint = target.context().memberEndpoints().get(1);

            rogueDriver = EmbeddedMediaDriver.launch("/dev/shm/ringraft-aeron-test-rogue-" +
                ProcessHandle.current().pid() + "-" + System.nanoTime(), 4 * 1024 * 1024,
                AeronTransportContext.defaultIdleStrategy(), Throwable::printStackTrace);
            rogueClient = Aeron.connect(new Aeron.Context().aeronDirectoryName(rogueDriver.aeronDirectoryName()));
            final ExclusivePublication rogue = rogueClient.addExclusivePublication(
                "aeron:udp?endpoint=" + endpoint, AeronTransportContext.DEFAULT_STREAM_ID);
            Await.until(rogue::isConnected, TIMEOUT_MS, () -> "rogue publication connected");

            final List<byte[]> valid = validFrames();
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[4096]);
            final FrameAuthenticator signer = TransportCluster.SECRET.peerAuthenticator();
            final long deadlineNs = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
            for (int i = 0; i < FRAMES; i++)
            {
                final int message = nextRogueFrame(random, valid, frame);
                final int length = 0 == random.nextInt(10) ? message : signer.sign(frame, 0, message);
                while (rogue.offer(frame, 0, length) < 0)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        fail("rogue could only send " + i + " frames within " + TIMEOUT_MS + " ms (seed " + seed + ")");
                    }
                    Thread.yield();
                }
            }

            final RecordingHandler handler = cluster.handler(1);
            final TransportCounters counters = target.counters();
            Await.until(() -> handler.count() + counters.totalReceiveDrops() == FRAMES, TIMEOUT_MS,
                () -> "delivered " + handler.count() + " + dropped " + counters.totalReceiveDrops() + " == " + FRAMES +
                " (seed " + seed + ")");

            assertThat(counters.handlerErrors()).as("validated frames that failed to decode, seed " + seed).isZero();
            assertThat(counters.receiverErrors()).as("seed " + seed).isZero();
            assertThat(counters.totalReceiveDrops()).as("seed " + seed).isGreaterThan(FRAMES / 2);
            for (final int reason : new int[]{ FrameCheck.TRUNCATED_HEADER, FrameCheck.WRONG_SCHEMA,
                FrameCheck.UNKNOWN_TEMPLATE, FrameCheck.TRAILING_BYTES, FrameCheck.WRONG_CLUSTER,
                TransportCounters.UNAUTHENTICATED,
                TransportCounters.UNKNOWN_SENDER, TransportCounters.NOT_ADDRESSED_TO_ME,
                TransportCounters.BAD_MEMBERSHIP, TransportCounters.NON_CONSECUTIVE_ENTRIES })
            {
                assertThat(counters.receiveDrops(reason)).as(TransportCounters.describeReceiveDrop(reason)).isPositive();
            }

            final long before = handler.count();
            final List<Message> messages = SampleMessages.everyType(CLUSTER_ID, 2, 1);
            for (final Message message : messages)
            {
                AeronTransportExchangeTest.sendUntilAccepted(cluster.transport(2), message);
            }
            Await.until(() -> handler.count() == before + messages.size(), TIMEOUT_MS,
                () -> "valid frames after the flood: " + (handler.count() - before) + " of " + messages.size());
            final List<byte[]> frames = handler.frames();
            final byte[] last = frames.get(frames.size() - 1);
            assertThat(last.length).isEqualTo(PeerMessageCodec.encodedLength(messages.get(messages.size() - 1)));
        }
        finally
        {
            CloseHelper.quietCloseAll(rogueClient, rogueDriver);
        }
    }

    /** Small encodings of every type, from member 2 to member 1 of this cluster. */
    private static List<byte[]> validFrames()
    {
        final PeerMessageCodec codec = new PeerMessageCodec();
        final List<byte[]> frames = new ArrayList<>();
        for (final MessageType type : MessageType.values())
        {
            final Message message = SampleMessages.small(type, CLUSTER_ID, 2, 1, 1);
            final byte[] bytes = new byte[PeerMessageCodec.encodedLength(message)];
            codec.encode(message, new UnsafeBuffer(bytes), 0);
            frames.add(bytes);
        }
        return frames;
    }

    /** Writes one rogue frame into {@code frame} and returns its length. */
    private static int nextRogueFrame(final Random random, final List<byte[]> valid, final UnsafeBuffer frame)
    {
        final byte[] base = valid.get(random.nextInt(valid.size()));
        final int kind = random.nextInt(6);
        if (0 == kind)
        {
            final int length = random.nextInt(300);
            for (int i = 0; i < length; i++)
            {
                frame.putByte(i, (byte)random.nextInt());
            }
            return length;
        }
        frame.putBytes(0, base);
        int length = base.length;
        switch (kind)
        {
            case 1 ->
            {
                for (int n = 1 + random.nextInt(4); n > 0; n--)
                {
                    frame.putByte(random.nextInt(length), (byte)random.nextInt());
                }
            }
            case 2 -> // one header field, or one PeerHeader field: cluster, group, from, to
            {
                final int offset = random.nextBoolean() ? 2 * random.nextInt(4) : Frames.HEADER_LENGTH + 4 * random.nextInt(4);
                if (offset < Frames.HEADER_LENGTH)
                {
                    frame.putShort(offset, (short)(random.nextBoolean() ? random.nextInt() : random.nextInt(30)));
                }
                else
                {
                    frame.putInt(offset, random.nextInt(4));
                }
            }
            case 3 -> length = random.nextInt(length);
            case 4 ->
            {
                final int extra = 1 + random.nextInt(64);
                for (int i = 0; i < extra; i++)
                {
                    frame.putByte(length + i, (byte)random.nextInt());
                }
                length += extra;
            }
            default -> // a random length or count in a random aligned place
                frame.putInt(4 * random.nextInt(length / 4), random.nextBoolean() ? random.nextInt() : random.nextInt(9000));
        }
        return length;
    }
}
