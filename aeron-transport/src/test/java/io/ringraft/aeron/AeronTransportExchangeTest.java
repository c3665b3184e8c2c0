package io.ringraft.aeron;

import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.sbe.PeerHeaderDecoder;
import io.ringraft.codecs.Frames;
import io.ringraft.raft.Message;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Members exchange every peer message type, small and fragmented, over UDP loopback and over IPC. */
class AeronTransportExchangeTest
{
    private static final int CLUSTER_ID = 7;
    private static final long TIMEOUT_MS = 20_000;

    @Test
    void encodedLengthIsExactForEveryType()
    {
        final PeerMessageCodec codec = new PeerMessageCodec();
        for (final Message message : SampleMessages.everyType(CLUSTER_ID, 1, 2))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[PeerMessageCodec.maxEncodedLength(message)]);
            assertThat(codec.encode(message, buffer, 0)).as(message.type.toString())
                .isEqualTo(PeerMessageCodec.encodedLength(message));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "UDP:2", "UDP:3", "IPC:3", "UDP-MTU8K:2" })
    void everyMemberReceivesEveryMessageTypeIntactAndInOrder(final String scenario)
    {
        final boolean bigMtu = scenario.startsWith("UDP-MTU8K");
        final ChannelMode mode = bigMtu ? ChannelMode.UDP : ChannelMode.valueOf(scenario.split(":")[0]);
        final int[] ids = new int[Integer.parseInt(scenario.split(":")[1])];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i + 1;
        }
        try (TransportCluster cluster = ChannelMode.UDP == mode ?
            TransportCluster.udp(CLUSTER_ID, (ctx) -> ctx.mtuLength(bigMtu ? 8192 : 0), ids) :
            TransportCluster.ipc(CLUSTER_ID, ids))
        {
            cluster.awaitConnected(TIMEOUT_MS);
            final Map<String, List<byte[]>> expected = new TreeMap<>();
            for (final int from : ids)
            {
                for (final int to : ids)
                {
                    if (from != to)
                    {
                        final List<byte[]> frames = new ArrayList<>();
                        for (final Message message : SampleMessages.everyType(CLUSTER_ID, from, to))
                        {
                            sendUntilAccepted(cluster.transport(from), message);
                            frames.add(encode(message));
                        }
                        expected.put(from + "->" + to, frames);
                    }
                }
            }

            final int perPair = SampleMessages.everyType(CLUSTER_ID, 1, 2).size();
            for (final int to : ids)
            {
                final RecordingHandler handler = cluster.handler(to);
                Await.until(() -> handler.count() == (long)perPair * (ids.length - 1), TIMEOUT_MS,
                    () -> "member " + to + " received " + handler.count() + " frames");
                final Map<String, List<byte[]>> received = new TreeMap<>();
                for (final byte[] frame : handler.frames())
                {
                    received.computeIfAbsent(fromMember(frame) + "->" + to, (k) -> new ArrayList<>()).add(frame);
                }
                for (final int from : ids)
                {
                    if (from != to)
                    {
                        final String pair = from + "->" + to;
                        assertThat(received.get(pair)).as(pair).containsExactlyElementsOf(expected.get(pair));
                        // On the wire: every message with its authentication trailer.
                        final long bytes = expected.get(pair).stream()
                            .mapToLong((f) -> f.length + FrameAuthenticator.TRAILER_LENGTH).sum();
                        final PeerCounters sent = cluster.transport(from).counters().peer(to);
                        final PeerCounters got = cluster.transport(to).counters().peer(from);
                        assertThat(sent.messagesSent()).as(pair + " sent").isEqualTo(perPair);
                        assertThat(sent.bytesSent()).as(pair + " bytes sent").isEqualTo(bytes);
                        assertThat(got.messagesReceived()).as(pair + " received").isEqualTo(perPair);
                        assertThat(got.bytesReceived()).as(pair + " bytes received").isEqualTo(bytes);
                    }
                }
                assertThat(cluster.transport(to).counters().totalReceiveDrops()).isZero();
                assertThat(cluster.transport(to).counters().handlerErrors()).isZero();
            }
        }
    }

    /**
     * The sending member's duty cycle idles in 2 s parks, and only that thread takes the message from the
     * publication to the network (and, when it hosts the pipeline's sends, from the pipeline to the publication):
     * without the wake-up each message would wait up to 2 s (1.8 s or more with probability 0.1 per round). The
     * receiver idles as by default.
     */
    @ParameterizedTest(name = "sends hosted by the transport: {0}")
    @ValueSource(booleans = { false, true })
    void aSendLeavesAtOnceWhileTheSendersDutyCycleIsParked(final boolean hosted) throws InterruptedException
    {
        final long parkNs = 2_000_000_000L;
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
        final Queue<Message> queued = new ConcurrentLinkedQueue<>();
        final RecordingHandler received = new RecordingHandler(true);
        try (AeronTransport sender = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints)
                .idleStrategySupplier(() -> new org.agrona.concurrent.BackoffIdleStrategy(0, 0, parkNs, parkNs)));
            AeronTransport receiver = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(2).memberEndpoints(endpoints)))
        {
            receiver.start(received);
            final Runnable wakeup = hosted ? sender.start(new RecordingHandler(true), () ->
            {
                // What the pipeline's hosted send stage does, on the transport's thread.
                int sent = 0;
                for (Message message; null != (message = queued.poll()); sent++)
                {
                    sendUntilAccepted(sender, message);
                }
                return sent;
            }) : null;
            if (!hosted)
            {
                sender.start(new RecordingHandler(true));
            }
            Await.until(() -> sender.isConnected(2), TIMEOUT_MS, () -> "member 1 connected to member 2");
            for (int round = 1; round <= 3; round++)
            {
                // Lets member 1's duty cycle run out of work and park (it parks as soon as it finds none).
                Thread.sleep(50);
                final long before = received.count();
                final long startNs = System.nanoTime();
                final Message heartbeat =
                    SampleMessages.small(io.ringraft.raft.MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, round);
                if (hosted)
                {
                    queued.add(heartbeat);
                    wakeup.run();
                }
                else
                {
                    sendUntilAccepted(sender, heartbeat);
                }
                Await.until(() -> received.count() > before, TIMEOUT_MS, () -> "the heartbeat to arrive");
                assertThat((System.nanoTime() - startNs) / 1_000_000).as("round %d: ms from send to receipt", round)
                    .isLessThan(200);
            }
        }
    }

    /** Retries like Raft would: a send may be refused while the window is full of the previous big message. */
    static void sendUntilAccepted(final AeronTransport transport, final Message message)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (!transport.send(message))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("send of " + message + " not accepted within " + TIMEOUT_MS + " ms");
            }
            Thread.onSpinWait();
        }
    }

    private static byte[] encode(final Message message)
    {
        final byte[] bytes = new byte[PeerMessageCodec.encodedLength(message)];
        new PeerMessageCodec().encode(message, new UnsafeBuffer(bytes), 0);
        return bytes;
    }

    private static int fromMember(final byte[] frame)
    {
        return new PeerHeaderDecoder().wrap(new UnsafeBuffer(frame), Frames.HEADER_LENGTH).fromMember();
    }
}
