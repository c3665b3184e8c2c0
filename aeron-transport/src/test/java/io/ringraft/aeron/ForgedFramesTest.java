package io.ringraft.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.FrameCheck;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forgery of issue 16: a local process that knows a member's peer endpoint sends it a heartbeat of the right
 * cluster, "from member 2", in term 1,000,000. Unsigned, with a wrong trailer, or signed with another cluster's secret
 * (a frame replayed from another cluster) it is dropped and counted before any field is read, and no member's term
 * moves; the same heartbeat signed with this cluster's secret gets through (so the drops are the check's doing).
 */
class ForgedFramesTest
{
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(30);
    private static final long TIMEOUT_MS = 30_000;
    private static final long FORGED_TERM = 1_000_000;
    private static final int TARGET = 1;
    private static final int CLAIMED_SENDER = 2;

    @Test
    void forgedHeartbeatsAreDroppedAndCountedAndMoveNoTerm()
    {
        MediaDriver rogueDriver = null;
        Aeron rogueClient = null;
        try (AeronCluster aeron = AeronCluster.start(ChannelMode.UDP, 3, 1, (ctx) -> {}))
        {
            final InProcessCluster cluster = aeron.cluster;
            cluster.awaitLeaders(LEADERS_TIMEOUT);
            final AeronTransport target = aeron.transport(TARGET).current();
            final TransportCounters counters = target.counters();
            final long termBefore = cluster.groupCounter(TARGET, "term", 0);

            rogueDriver = EmbeddedMediaDriver.launch("/dev/shm/ringraft-aeron-test-forger-" +
                ProcessHandle.current().pid() + "-" + System.nanoTime(), 4 * 1024 * 1024,
                AeronTransportContext.defaultIdleStrategy(), Throwable::printStackTrace);
            rogueClient = Aeron.connect(new Aeron.Context().aeronDirectoryName(rogueDriver.aeronDirectoryName()));
            final ExclusivePublication forger = rogueClient.addExclusivePublication(
                "aeron:udp?endpoint=" + target.context().memberEndpoints().get(TARGET),
                AeronTransportContext.DEFAULT_STREAM_ID);
            Await.until(forger::isConnected, TIMEOUT_MS, () -> "forger's publication connected");

            final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
            final int length = new PeerMessageCodec().encode(forgedHeartbeat(), frame, 0);

            // No trailer at all, as the forger sent it.
            offer(forger, frame, length);
            // A wrong trailer.
            final byte[] garbage = new byte[FrameAuthenticator.TRAILER_LENGTH];
            ThreadLocalRandom.current().nextBytes(garbage);
            frame.putBytes(length, garbage);
            offer(forger, frame, length + FrameAuthenticator.TRAILER_LENGTH);
            // Signed with another cluster's secret: a frame replayed from another cluster (same id, other secret).
            offer(forger, frame, ClusterSecret.generate().peerAuthenticator().sign(frame, 0, length));
            // Signed with this cluster's client key: a client cannot speak for a member.
            offer(forger, frame, aeron.secret.clientAuthenticator().sign(frame, 0, length));

            Await.until(() -> counters.receiveDrops(TransportCounters.UNAUTHENTICATED) == 4, TIMEOUT_MS,
                () -> "unauthenticated drops " + counters.receiveDrops(TransportCounters.UNAUTHENTICATED) +
                " of 4; term of member " + TARGET + " now " + cluster.groupCounter(TARGET, "term", 0));
            for (int member = 1; member <= 3; member++)
            {
                assertThat(cluster.groupCounter(member, "term", 0)).as("term of member " + member)
                    .isLessThan(FORGED_TERM);
            }
            assertThat(cluster.groupCounter(TARGET, "term", 0)).isGreaterThanOrEqualTo(termBefore);
            assertThat(counters.receiveDrops(FrameCheck.WRONG_CLUSTER)).isZero();

            // The control: the same frame with this cluster's peer key is taken, and the term moves.
            offer(forger, frame, aeron.secret.peerAuthenticator().sign(frame, 0, length));
            Await.until(() -> cluster.groupCounter(TARGET, "term", 0) >= FORGED_TERM, TIMEOUT_MS,
                () -> "a correctly signed heartbeat moves the term: " + cluster.groupCounter(TARGET, "term", 0));
            assertThat(counters.receiveDrops(TransportCounters.UNAUTHENTICATED)).isEqualTo(4);
        }
        finally
        {
            CloseHelper.quietCloseAll(rogueClient, rogueDriver);
        }
    }

    /**
     * Two members with one cluster id but different secrets (or one running insecure): nothing either sends is
     * delivered, and each side counts why.
     */
    @Test
    void membersWithAnotherSecretOrNoneAreNotHeard()
    {
        final int messages = 20;
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2, 3);
        try (TransportCluster cluster = new TransportCluster())
        {
            final AeronTransport one = cluster.add(1, context(1, endpoints).secret(TransportCluster.SECRET));
            final AeronTransport two = cluster.add(2, context(2, endpoints).secret(ClusterSecret.generate()));
            final AeronTransport three = cluster.add(3, context(3, endpoints).insecure(true));
            cluster.awaitConnected(TIMEOUT_MS);
            for (int i = 0; i < messages; i++)
            {
                AeronTransportExchangeTest.sendUntilAccepted(two, heartbeat(2, 1, i));
                AeronTransportExchangeTest.sendUntilAccepted(three, heartbeat(3, 1, i));
                AeronTransportExchangeTest.sendUntilAccepted(one, heartbeat(1, 3, i));
            }
            Await.until(() -> one.counters().receiveDrops(TransportCounters.UNAUTHENTICATED) == 2 * messages &&
                three.counters().receiveDrops(FrameCheck.TRAILING_BYTES) == messages, TIMEOUT_MS,
                () -> "member 1 unauthenticated " + one.counters().receiveDrops(TransportCounters.UNAUTHENTICATED) +
                " of " + 2 * messages + ", insecure member 3 trailing bytes " +
                three.counters().receiveDrops(FrameCheck.TRAILING_BYTES) + " of " + messages);
            assertThat(cluster.handler(1).count()).isZero();
            assertThat(cluster.handler(3).count()).isZero();
            assertThat(one.counters().peer(2).messagesReceived() + one.counters().peer(3).messagesReceived()).isZero();
        }
    }

    private static AeronTransportContext context(final int member, final Map<Integer, String> endpoints)
    {
        return new AeronTransportContext().clusterId(AeronCluster.CLUSTER_ID).memberId(member).memberEndpoints(endpoints);
    }

    private static Message heartbeat(final int from, final int to, final long seq)
    {
        return SampleMessages.small(MessageType.HEARTBEAT, AeronCluster.CLUSTER_ID, from, to, seq);
    }

    private static Message forgedHeartbeat()
    {
        final Message m = new Message();
        m.type = MessageType.HEARTBEAT;
        m.clusterId = AeronCluster.CLUSTER_ID;
        m.groupId = 0;
        m.from = CLAIMED_SENDER;
        m.to = TARGET;
        m.term = FORGED_TERM;
        m.commit = 0;
        return m;
    }

    private static void offer(final ExclusivePublication publication, final UnsafeBuffer frame, final int length)
    {
        Await.until(() -> publication.offer(frame, 0, length) > 0, TIMEOUT_MS, () -> "forged frame offered");
    }
}
