package io.ringraft.aeron;

import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A send that cannot leave now returns false at once and is counted: to a peer nobody listens for, and to a peer
 * whose receiver has stopped consuming. Call times are judged as a distribution over thousands of calls.
 */
class BackPressureTest
{
    private static final int CLUSTER_ID = 5;
    private static final long TIMEOUT_MS = 20_000;
    private static final int CALLS = 20_000;

    @Test
    void sendToUnconnectedPeerReturnsFalseAtOnceAndCounts()
    {
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
        try (AeronTransport transport = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
            .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints)))
        {
            transport.start((buffer, offset, length) -> {});
            final Message heartbeat = SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, 1);
            final Message append = SampleMessages.bigAppend(CLUSTER_ID, 1, 2);
            final long[] nanos = new long[CALLS];
            for (int i = 0; i < CALLS; i++)
            {
                final Message message = 0 == i % 100 ? append : heartbeat;
                final long start = System.nanoTime();
                final boolean sent = transport.send(message);
                nanos[i] = System.nanoTime() - start;
                assertThat(sent).as("send %d to a peer nobody listens for", i).isFalse();
            }
            assertThat(transport.counters().peer(2).sendDrops(PeerCounters.NOT_CONNECTED)).isEqualTo(CALLS);
            assertThat(transport.counters().peer(2).messagesSent()).isZero();
            assertBounded(nanos);
        }
    }

    @Test
    void sendToPeerThatStoppedConsumingIsBackPressuredWithoutBlockingThenRecovers() throws InterruptedException
    {
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch blocked = new CountDownLatch(1);
        try (AeronTransport sender = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
            .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints));
            AeronTransport stalled = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(2).memberEndpoints(endpoints)))
        {
            final RecordingHandler recorder = new RecordingHandler(false);
            sender.start((buffer, offset, length) -> {});
            stalled.start((buffer, offset, length) ->
            {
                blocked.countDown();
                awaitQuietly(release);
                recorder.onFrame(buffer, offset, length);
            });
            Await.until(() -> sender.isConnected(2), TIMEOUT_MS, () -> "publication 1->2 connected");

            // 64 KiB appends until the stalled receiver's window is full; then keep going to sample call times.
            final Message append = SampleMessages.snapshotChunk(CLUSTER_ID, 1, 2, 64 * 1024);
            final long[] nanos = new long[CALLS];
            int accepted = 0;
            for (int i = 0; i < CALLS; i++)
            {
                final long start = System.nanoTime();
                if (sender.send(append))
                {
                    accepted++;
                }
                nanos[i] = System.nanoTime() - start;
            }
            final PeerCounters peer = sender.counters().peer(2);
            assertThat(blocked.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(accepted).isPositive().isLessThan(CALLS);
            assertThat(peer.backPressureEvents()).isEqualTo(CALLS - accepted);
            assertThat(peer.messagesSent()).isEqualTo(accepted);
            assertBounded(nanos);

            release.countDown();
            final int acceptedBeforeRelease = accepted;
            Await.until(() -> recorder.count() == acceptedBeforeRelease, TIMEOUT_MS,
                () -> "stalled member consumed " + recorder.count() + " of " + acceptedBeforeRelease);
            final Message heartbeat = SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, 1);
            AeronTransportExchangeTest.sendUntilAccepted(sender, heartbeat);
            Await.until(() -> recorder.count() == acceptedBeforeRelease + 1, TIMEOUT_MS,
                () -> "heartbeat after recovery");
        }
        finally
        {
            release.countDown();
        }
    }

    /**
     * Aeron answers ADMIN_ACTION to the send that rotates a term; the transport retries that send once at once, so
     * crossing term boundaries (64 KiB terms: a rotation every ~60 messages here, three in all) loses nothing.
     */
    @Test
    void termRotationsLoseNoMessage()
    {
        final int messages = 200;
        try (TransportCluster cluster = TransportCluster.udp(CLUSTER_ID, (ctx) -> ctx.termBufferLength(64 * 1024), 1, 2))
        {
            cluster.awaitConnected(TIMEOUT_MS);
            final Message chunk = SampleMessages.snapshotChunk(CLUSTER_ID, 1, 2, 1000);
            int refused = 0;
            for (int i = 0; i < messages; i++)
            {
                if (!cluster.transport(1).send(chunk))
                {
                    refused++;
                }
                final long expected = i + 1 - refused;
                Await.until(() -> cluster.handler(2).count() == expected, TIMEOUT_MS, () -> "message delivered");
            }
            final PeerCounters peer = cluster.transport(1).counters().peer(2);
            assertThat(peer.sendDrops(PeerCounters.ADMIN_ACTION)).isZero();
            assertThat(refused).as("drops: " + peer.totalSendDrops()).isZero();
            assertThat(peer.messagesSent()).isEqualTo(messages);
        }
    }

    /**
     * Non-blocking means every call returns in about the time it takes to encode: judged on percentiles so that a
     * descheduled thread on a busy machine does not fail the test, while a send that waited for the network would.
     */
    private static void assertBounded(final long[] nanos)
    {
        final long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        final long p50 = sorted[sorted.length / 2];
        final long p99 = sorted[(int)(sorted.length * 0.99)];
        final long max = sorted[sorted.length - 1];
        final String distribution = "p50=" + p50 / 1000 + "us p99=" + p99 / 1000 + "us max=" + max / 1000 + "us";
        System.out.println("send call times: " + distribution);
        assertThat(p50).as(distribution).isLessThan(TimeUnit.MICROSECONDS.toNanos(200));
        assertThat(p99).as(distribution).isLessThan(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(max).as(distribution).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
