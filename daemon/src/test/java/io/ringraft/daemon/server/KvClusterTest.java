package io.ringraft.daemon.server;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.ringraft.aeron.EmbeddedMediaDriver;
import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.sbe.ConnectEncoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.RequestBatchEncoder;
import io.ringraft.codecs.sbe.RequestKind;
import io.ringraft.codecs.sbe.ResponseBatchEncoder;
import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.Result;
import org.agrona.IoUtil;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Three daemons in this JVM over UDP on loopback, each with its own media driver, and clients of them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvClusterTest
{
    private static final int GROUPS = 4;

    @TempDir
    static Path root;
    private static InJvmDaemons cluster;
    private static ClusterFiles files;
    private static Map<Integer, KvDaemon> daemons;
    private static KvClient client;

    @BeforeAll
    static void startCluster() throws Exception
    {
        cluster = InJvmDaemons.start(root, GROUPS);
        files = cluster.files;
        daemons = cluster.daemons;
        client = cluster.client;
    }

    @AfterAll
    static void stopCluster()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void putThenGetReturnsTheValueOnEveryGroup()
    {
        final Map<String, String> written = new HashMap<>();
        final boolean[] groupWritten = new boolean[GROUPS];
        final List<CompletableFuture<Void>> puts = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            final String key = "key-" + i;
            groupWritten[client.groupOf(bytes(key))] = true;
            written.put(key, "value-" + i);
            puts.add(client.putAsync(bytes(key), bytes("value-" + i)));
        }
        assertThat(groupWritten).containsOnly(true);
        CompletableFuture.allOf(puts.toArray(new CompletableFuture<?>[0])).join();
        for (final Map.Entry<String, String> entry : written.entrySet())
        {
            assertThat(text(client.get(bytes(entry.getKey())))).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        for (int g = 0; g < GROUPS; g++)
        {
            assertThat(client.leaderOf(g)).as("group %d has a leader the client reached", g).isIn(1, 2, 3);
        }

        assertThat(client.get(bytes("never-written"))).isNull();
        assertThat(client.delete(bytes("key-0"))).isTrue();
        assertThat(client.get(bytes("key-0"))).isNull();
        assertThat(client.delete(bytes("key-0"))).isFalse();
        assertThat(client.compareAndSet(bytes("cas"), null, bytes("a"))).isTrue();
        assertThat(client.compareAndSet(bytes("cas"), bytes("b"), bytes("c"))).isFalse();
        assertThat(client.compareAndSet(bytes("cas"), bytes("a"), bytes("c"))).isTrue();
        assertThat(text(client.get(bytes("cas")))).isEqualTo("c");
    }

    @Test
    void notLeaderIsFollowedToTheNewLeader() throws Exception
    {
        final byte[] key = bytes("moving-key");
        final int group = client.groupOf(key);
        client.put(key, bytes("before"));
        final int oldLeader = client.leaderOf(group);
        final int newLeader = oldLeader % 3 + 1;
        final Result transfer = daemons.get(oldLeader).node().transferLeadership(group, newLeader).get(10, TimeUnit.SECONDS);
        assertThat(transfer.isOk()).as("transfer %s", transfer).isTrue();
        awaitEveryMemberSees(group, newLeader);
        final long redirectsBefore = client.redirectsFollowed();

        // The client still believes in the old leader, which answers NOT_LEADER naming the new one.
        client.put(key, bytes("after"));

        assertThat(client.leaderOf(group)).isNotEqualTo(oldLeader);
        assertThat(client.redirectsFollowed()).isGreaterThan(redirectsBefore);
        assertThat(text(client.get(key))).isEqualTo("after");
    }

    @Test
    void aRestartedMemberRejoinsAndTheClientConnectsThereAgain() throws Exception
    {
        final byte[] key = bytes("survives-restart");
        final int group = client.groupOf(key);
        client.put(key, bytes("durable"));
        final int restarted = client.leaderOf(group);
        daemons.remove(restarted).close();
        assertThat(new File(files.aeronDirOf(restarted))).doesNotExist();
        daemons.put(restarted, KvDaemon.start(DaemonConfig.load(files.configOf(restarted))));

        // Whoever leads now; then hand the group to the restarted member, so the client must reach it. The client's
        // connection there died with the member's previous run: its requests go unanswered until it connects again.
        client.put(key, bytes("durable"));
        final int current = client.leaderOf(group);
        if (current != restarted)
        {
            final Result transfer = daemons.get(current).node().transferLeadership(group, restarted).get(10, TimeUnit.SECONDS);
            assertThat(transfer.isOk()).as("transfer %s", transfer).isTrue();
        }
        awaitEveryMemberSees(group, restarted);
        client.put(key, bytes("after restart"));
        assertThat(text(client.get(key))).isEqualTo("after restart");
        assertThat(client.leaderOf(group)).isEqualTo(restarted);
    }

    @Test
    void aReadThroughAGivenMemberGoesThereOnlyAndSeesTheLatestWrite() throws Exception
    {
        final byte[] key = bytes("read-through-a-member");
        final int group = client.groupOf(key);
        client.put(key, bytes("first"));
        client.put(key, bytes("latest"));
        final int leader = client.leaderOf(group);
        for (final int member : ClusterFiles.MEMBERS)
        {
            assertThat(text(client.get(key, member))).as("through member %d", member).isEqualTo("latest");
        }
        assertThat(client.leaderOf(group)).as("a follower's answer names no leader").isEqualTo(leader);

        // A follower whose endpoint nobody listens on: a read through it fails, it never goes to another member.
        final int follower = leader % 3 + 1;
        final ClusterConfig real = ClusterConfig.load(files.configOf(1));
        final Map<Integer, String> endpoints = new HashMap<>(real.clientEndpoints());
        endpoints.put(follower, LoopbackEndpoints.pick(follower).get(follower));
        final ClusterConfig silentFollower = new ClusterConfig(real.clusterId(), real.members(), endpoints, GROUPS);
        try (KvClient reader = KvClient.connect(new KvClientOptions(silentFollower)
            .secret(ClusterSecret.load(files.secretFile()))
            .attemptTimeout(Duration.ofMillis(200))
            .requestTimeout(Duration.ofSeconds(1))))
        {
            assertThatThrownBy(() -> reader.get(key, follower))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("member " + follower)
                .matches(ex -> ((KvException)ex).memberId() == follower, "failed at member " + follower);
            assertThat(text(reader.get(key))).isEqualTo("latest");
            assertThatThrownBy(() -> reader.get(key, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("member 7 has no client endpoint");
        }
    }

    /** Until every member's counters name {@code leader} as the group's leader (a transfer is asynchronous). */
    private static void awaitEveryMemberSees(final int group, final int leader) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (final Map.Entry<Integer, KvDaemon> daemon : daemons.entrySet())
        {
            final String label = CounterLabels.group("leader", daemon.getKey(), group);
            while (daemon.getValue().node().counters().valueOf(label, -1) != leader)
            {
                assertThat(System.nanoTime() - deadline).as("member %d sees leader %d of group %d in time",
                    daemon.getKey(), leader, group).isNegative();
                Thread.sleep(5);
            }
        }
    }

    @Test
    void malformedRequestsAreCountedAndDroppedAndTheMemberKeepsServing() throws Exception
    {
        final String dir = files.aeronPrefix + "-rogue";
        final MediaDriver driver = EmbeddedMediaDriver.launch(dir, 1024 * 1024, new SleepingMillisIdleStrategy(1), e -> { });
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            ExclusivePublication rogue = aeron.addExclusivePublication(
                ClientProtocol.udpChannel(files.clientEndpoints.get(1)), ClientProtocol.REQUEST_STREAM_ID))
        {
            final ClientEndpointStats before = daemons.get(1).clientEndpointStats();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            new java.util.Random(3).nextBytes(buffer.byteArray());
            offer(rogue, buffer, 64); // noise
            final ResponseBatchEncoder wrongDirection = new ResponseBatchEncoder();
            wrongDirection.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).connectionId(1).responsesCount(0);
            offer(rogue, buffer, MessageHeaderEncoder.ENCODED_LENGTH + wrongDirection.encodedLength()); // not a request
            offer(rogue, buffer, 12); // a header and a truncated body
            final RequestBatchEncoder stranger = new RequestBatchEncoder();
            stranger.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).connectionId(424242).requestsCount(1)
                .next().correlationId(1).groupId(0).kind(RequestKind.READ).putPayload(new byte[0], 0, 0);
            offer(rogue, buffer, MessageHeaderEncoder.ENCODED_LENGTH + stranger.encodedLength()); // no such connection

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            ClientEndpointStats after = daemons.get(1).clientEndpointStats();
            while (after.badFrames() < before.badFrames() + 3 || after.unknownConnectionRequests() < before.unknownConnectionRequests() + 1)
            {
                assertThat(System.nanoTime() - deadline).as("counted in time: %s", after).isNegative();
                Thread.sleep(5);
                after = daemons.get(1).clientEndpointStats();
            }
            assertThat(after.badFrames()).isEqualTo(before.badFrames() + 3);
        }
        finally
        {
            driver.close();
            IoUtil.delete(new File(dir), true);
        }
        client.put(bytes("after-rogue"), bytes("fine"));
        assertThat(text(client.get(bytes("after-rogue")))).isEqualTo("fine");
    }

    /** Offers the message signed with this cluster's client key, as a client would: only its content is wrong. */
    private static void offer(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
        throws InterruptedException
    {
        offer(publication, buffer, length, ClusterSecret.load(files.secretFile()).clientAuthenticator());
    }

    /** Offers the message signed with {@code key}, or unsigned when it is null. */
    private static void offer(
        final ExclusivePublication publication, final UnsafeBuffer buffer, final int messageLength,
        final FrameAuthenticator key) throws InterruptedException
    {
        final int length = null == key ? messageLength : key.sign(buffer, 0, messageLength);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publication.offer(buffer, 0, length) < 0)
        {
            assertThat(System.nanoTime() - deadline).as("publication to member 1 connects").isNegative();
            Thread.sleep(1);
        }
    }

    @Test
    void unauthenticatedClientFramesAreDroppedAndCountedAndCostTheMemberNothing() throws Exception
    {
        final String dir = files.aeronPrefix + "-forger";
        final MediaDriver driver = EmbeddedMediaDriver.launch(dir, 1024 * 1024, new SleepingMillisIdleStrategy(1), e -> { });
        final KvDaemon member = daemons.get(1);
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            ExclusivePublication forger = aeron.addExclusivePublication(
                ClientProtocol.udpChannel(files.clientEndpoints.get(1)), ClientProtocol.REQUEST_STREAM_ID))
        {
            final long[] commitBefore = commitIndexes(member);
            final ClientEndpointStats before = member.clientEndpointStats();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
            final MessageHeaderEncoder header = new MessageHeaderEncoder();
            final ConnectEncoder connect = new ConnectEncoder();
            final int connectLength = MessageHeaderEncoder.ENCODED_LENGTH + connect.wrapAndApplyHeader(buffer, 0, header)
                .correlationId(1).clusterId(files.clusterId).clientVersion(ClientProtocol.CLIENT_VERSION)
                .responseChannel("127.0.0.1:9").encodedLength();
            offer(forger, buffer, connectLength, null); // (a) an unsigned Connect
            final FrameAuthenticator otherCluster = ClusterSecret.generate().clientAuthenticator();
            offer(forger, buffer, connectLength, otherCluster); // a Connect signed with another cluster's client key
            final RequestBatchEncoder batch = new RequestBatchEncoder();
            final byte[] put = bytes("a forged command"); // dropped before its payload is looked at, whatever it is
            batch.wrapAndApplyHeader(buffer, 0, header).connectionId(1).requestsCount(1)
                .next().correlationId(1).groupId(0).kind(RequestKind.COMMAND).putPayload(put, 0, put.length);
            offer(forger, buffer, MessageHeaderEncoder.ENCODED_LENGTH + batch.encodedLength(), otherCluster); // (b)
            // (c) correctly signed, naming a connection the member never opened
            batch.wrapAndApplyHeader(buffer, 0, header).connectionId(0x7777_0000_0000_0001L).requestsCount(1)
                .next().correlationId(2).groupId(0).kind(RequestKind.COMMAND).putPayload(put, 0, put.length);
            offer(forger, buffer, MessageHeaderEncoder.ENCODED_LENGTH + batch.encodedLength());

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            ClientEndpointStats after = member.clientEndpointStats();
            while (after.unauthenticatedFrames() < before.unauthenticatedFrames() + 3 ||
                after.unknownConnectionRequests() < before.unknownConnectionRequests() + 1)
            {
                assertThat(System.nanoTime() - deadline).as("counted in time: %s", after).isNegative();
                Thread.sleep(5);
                after = member.clientEndpointStats();
            }
            Thread.sleep(100); // anything the forged frames set off would show by now: nothing may
            after = member.clientEndpointStats();
            assertThat(after.unauthenticatedFrames()).isEqualTo(before.unauthenticatedFrames() + 3);
            assertThat(after.unknownConnectionRequests()).isEqualTo(before.unknownConnectionRequests() + 1);
            assertThat(after.connections()).as("no publication for a forged Connect").isEqualTo(before.connections());
            assertThat(after.connectsRefused()).isEqualTo(before.connectsRefused());
            assertThat(after.connectsOverRate()).isEqualTo(before.connectsOverRate());
            assertThat(after.badFrames()).isEqualTo(before.badFrames());
            assertThat(commitIndexes(member)).as("nothing proposed").isEqualTo(commitBefore);
        }
        finally
        {
            driver.close();
            IoUtil.delete(new File(dir), true);
        }
        assertThat(client.get(bytes("forged"))).as("no forged write applied").isNull();
        client.put(bytes("after-forger"), bytes("fine"));
        assertThat(text(client.get(bytes("after-forger")))).isEqualTo("fine");
    }

    private static long[] commitIndexes(final KvDaemon member)
    {
        final long[] indexes = new long[GROUPS];
        for (int g = 0; g < GROUPS; g++)
        {
            indexes[g] = member.node().counters().valueOf(CounterLabels.group("commit-index", 1, g), -1);
        }
        return indexes;
    }

    @Test
    void aClientWithAnotherClustersKeyGetsAnErrorThatPointsAtTheKey() throws Exception
    {
        try (KvClient stranger = KvClient.connect(new KvClientOptions(ClusterConfig.load(files.configOf(1)))
            .secret(ClusterSecret.generate())
            .attemptTimeout(Duration.ofMillis(300))
            .requestTimeout(Duration.ofSeconds(2))))
        {
            assertThatThrownBy(() -> stranger.get(bytes("k")))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("no member answered Connect at all: is the client key right?");
        }
    }

    @Test
    void aClientWithNoKeyIsRefusedUnlessItSaysInsecure() throws Exception
    {
        assertThatThrownBy(() -> KvClient.connect(new KvClientOptions(ClusterConfig.load(files.configOf(1)))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no key to sign its frames with");
        try (KvClient unsigned = KvClient.connect(new KvClientOptions(ClusterConfig.load(files.configOf(1)))
            .insecure(true)
            .attemptTimeout(Duration.ofMillis(300))
            .requestTimeout(Duration.ofSeconds(2))))
        {
            assertThatThrownBy(() -> unsigned.get(bytes("k")))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("is the client key right?");
        }
    }

    @Test
    void aClientWithAnotherGroupCountIsRefusedBeforeItScattersKeys() throws Exception
    {
        final ClusterConfig real = ClusterConfig.load(files.configOf(1));
        final ClusterConfig wrong = new ClusterConfig(real.clusterId(), real.members(), real.clientEndpoints(), GROUPS - 1);
        int i = 0;
        while (KvClient.groupOf(bytes("misrouted-" + i), GROUPS - 1) == KvClient.groupOf(bytes("misrouted-" + i), GROUPS))
        {
            i++;
        }
        final byte[] key = bytes("misrouted-" + i);
        try (KvClient misconfigured = KvClient.connect(new KvClientOptions(wrong)
            .secret(ClusterSecret.load(files.secretFile())).requestTimeout(Duration.ofSeconds(10))))
        {
            assertThatThrownBy(() -> misconfigured.put(key, bytes("v")))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("INVALID_REQUEST")
                .hasMessageContaining("does the client's config say groups = " + GROUPS);
            assertThatThrownBy(() -> misconfigured.get(key)).hasMessageContaining("INVALID_REQUEST");
        }
        assertThat(client.get(key)).isNull();
    }

    @Test
    void aClientOfAnotherClusterIsRefusedWithAClearError() throws Exception
    {
        final ClusterConfig real = ClusterConfig.load(files.configOf(1));
        final ClusterConfig other = new ClusterConfig(
            real.clusterId() + 1, real.members(), real.clientEndpoints(), real.groups());
        try (KvClient stranger = KvClient.connect(new KvClientOptions(other)
            .secret(ClusterSecret.load(files.secretFile())).requestTimeout(Duration.ofSeconds(5))))
        {
            assertThatThrownBy(() -> stranger.get(bytes("k")))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("refused the connection")
                .hasMessageContaining("belongs to cluster " + real.clusterId());
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes)
    {
        return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
