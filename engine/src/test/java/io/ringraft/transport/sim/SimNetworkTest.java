package io.ringraft.transport.sim;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

class SimNetworkTest
{
    private static final long MS = 1_000_000;
    private static final int CLUSTER = 7;

    private final PeerMessageCodec decoder = new PeerMessageCodec();
    /** What each member received, as "from->to term" in delivery order. */
    private final TreeMap<Integer, List<String>> received = new TreeMap<>();
    private final List<String> deliveries = new ArrayList<>();

    private SimTransport start(final SimNetwork network, final int member)
    {
        final SimTransport transport = network.transport(member, CLUSTER);
        final List<String> into = received.computeIfAbsent(member, m -> new ArrayList<>());
        into.clear();
        transport.start((buffer, offset, length) ->
        {
            assertThat(Frames.validatePeer(buffer, offset, length, CLUSTER)).isEqualTo(FrameCheck.OK);
            final Message message = new Message().reset();
            decoder.decode(buffer, offset, message);
            assertThat(message.to).isEqualTo(member);
            into.add(message.from + "->" + message.to + " " + message.term);
            deliveries.add("t=" + network.nowNs() + " " + message.from + "->" + message.to + " " + message.term);
        });
        return transport;
    }

    private static Message heartbeat(final int from, final int to, final long term)
    {
        final Message message = new Message().reset();
        message.type = MessageType.HEARTBEAT;
        message.clusterId = CLUSTER;
        message.groupId = 1;
        message.from = from;
        message.to = to;
        message.term = term;
        message.commit = 42;
        return message;
    }

    private List<String> runScript(final long seed)
    {
        received.clear();
        deliveries.clear();
        final Random random = new Random(seed);
        final SimNetwork network = new SimNetwork(random, 1, 2, 3)
            .latency(100_000, 2 * MS).longDelays(0.1, 20 * MS).dropRate(0.1).duplicateRate(0.1).corruptRate(0.05);
        final SimTransport[] transports = {null, start(network, 1), start(network, 2), start(network, 3)};
        long now = 0;
        for (int step = 0; step < 3000; step++)
        {
            final int from = 1 + random.nextInt(3);
            final int to = 1 + (from + random.nextInt(2)) % 3;
            transports[from].send(heartbeat(from, to, step));
            if (step % 5 == 0)
            {
                now += random.nextInt(1_000_000);
                network.deliverDue(now);
            }
            if (step == 1000)
            {
                network.isolate(2);
            }
            if (step == 1500)
            {
                network.heal();
                network.cutOneWay(3, 1);
            }
            if (step == 2000)
            {
                network.calm();
            }
        }
        while (network.nextDeliveryTimeNs() != Long.MAX_VALUE)
        {
            network.deliverDue(network.nextDeliveryTimeNs());
        }
        final List<String> outcome = new ArrayList<>(deliveries);
        outcome.addAll(network.recentEvents());
        outcome.add(network.sent() + " " + network.dropped() + " " + network.duplicated() + " " +
            network.corrupted() + " " + network.rejected() + " " + network.delivered());
        return outcome;
    }

    @Test
    void theSameSeedGivesTheSameDeliveriesAtTheSameTimes()
    {
        final List<String> first = runScript(42);
        final List<String> again = runScript(42);
        final List<String> other = runScript(43);
        assertThat(first.size()).isGreaterThan(2000);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    /** Sends one frame on every ordered pair of members. */
    private static void sendOnEveryLink(final SimTransport[] transports, final long term)
    {
        for (int from = 1; from < transports.length; from++)
        {
            for (int to = 1; to < transports.length; to++)
            {
                if (from != to)
                {
                    assertThat(transports[from].send(heartbeat(from, to, term))).isTrue();
                }
            }
        }
    }

    /**
     * Frames in flight on every link, then the fault, then frames on every link again: a cut link delivers
     * neither, an open one both.
     */
    private void assertFaultCutsExactly(final int members, final java.util.function.Consumer<SimNetwork> fault,
        final String... cutLinks)
    {
        received.clear();
        final int[] ids = new int[members];
        for (int i = 0; i < members; i++)
        {
            ids[i] = i + 1;
        }
        final SimNetwork network = new SimNetwork(new Random(1), ids).latency(MS, MS);
        final SimTransport[] transports = new SimTransport[members + 1];
        for (int member = 1; member <= members; member++)
        {
            transports[member] = start(network, member);
        }
        sendOnEveryLink(transports, 1);
        network.deliverDue(MS / 2);
        fault.accept(network);
        sendOnEveryLink(transports, 2);
        network.deliverDue(10 * MS);
        final List<String> cut = List.of(cutLinks);
        for (int from = 1; from <= members; from++)
        {
            for (int to = 1; to <= members; to++)
            {
                if (from == to)
                {
                    continue;
                }
                final String link = from + "->" + to;
                final List<String> expected = cut.contains(link) ? List.of() : List.of(link + " 1", link + " 2");
                assertThat(received.get(to).stream().filter(line -> line.startsWith(link + " ")).toList())
                    .as("link %s", link).isEqualTo(expected);
                assertThat(network.isCut(from, to)).as("link %s", link).isEqualTo(cut.contains(link));
            }
        }
        assertThat(network.dropped()).isEqualTo(2L * cut.size());
        network.heal();
        sendOnEveryLink(transports, 3);
        network.deliverDue(20 * MS);
        for (int to = 1; to <= members; to++)
        {
            assertThat(received.get(to).stream().filter(line -> line.endsWith(" 3")).count())
                .as("after heal, to %d", to).isEqualTo(members - 1);
        }
    }

    @Test
    void symmetricPartitionCutsBothWaysBetweenTheSidesIncludingFramesInFlight()
    {
        assertFaultCutsExactly(3, network -> network.partition(1), "1->2", "1->3", "2->1", "3->1");
        assertFaultCutsExactly(4, network -> network.partition(new int[]{1, 2}, new int[]{3, 4}),
            "1->3", "1->4", "2->3", "2->4", "3->1", "3->2", "4->1", "4->2");
    }

    @Test
    void oneWayCutBlocksOneDirectionOnly()
    {
        assertFaultCutsExactly(3, network -> network.cutOneWay(1, 2), "1->2");
    }

    @Test
    void bridgeLetsOnlyTheBridgeMemberTalkToBothHalves()
    {
        assertFaultCutsExactly(5, network -> network.bridge(new int[]{1, 2}, 3, new int[]{4, 5}),
            "1->4", "1->5", "2->4", "2->5", "4->1", "4->2", "5->1", "5->2");
    }

    @Test
    void isolationCutsEveryLinkOfOneMember()
    {
        assertFaultCutsExactly(3, network -> network.isolate(2), "1->2", "2->1", "2->3", "3->2");
    }

    @Test
    void calmHealsAndStopsRandomFaults()
    {
        assertFaultCutsExactly(3, network ->
        {
            network.isolate(1);
            network.cutOneWay(2, 3);
            network.calm();
        });
    }

    private static List<Long> termsReceived(final List<String> lines)
    {
        return lines.stream().map(line -> Long.parseLong(line.substring(line.indexOf(' ') + 1))).toList();
    }

    private static int overtaken(final List<Long> terms)
    {
        int count = 0;
        long highest = -1;
        for (final long term : terms)
        {
            if (term < highest)
            {
                count++;
            }
            highest = Math.max(highest, term);
        }
        return count;
    }

    @Test
    void dropsDuplicatesAndReorderingHappenAtTheConfiguredRates()
    {
        final int frames = 10_000;
        final SimNetwork network = new SimNetwork(new Random(7), 1, 2)
            .latency(100_000, MS).longDelays(0.05, 50 * MS).dropRate(0.1).duplicateRate(0.2);
        final SimTransport one = start(network, 1);
        start(network, 2);
        for (int i = 0; i < frames; i++)
        {
            one.send(heartbeat(1, 2, i));
            network.deliverDue(network.nowNs() + 50_000);
        }
        network.deliverDue(network.nowNs() + 100 * MS);
        final List<Long> terms = termsReceived(received.get(2));
        assertThat(network.dropped()).isBetween((long)(0.08 * frames), (long)(0.12 * frames));
        assertThat(network.duplicated()).isBetween((long)(0.16 * 0.9 * frames), (long)(0.24 * 0.9 * frames));
        assertThat(terms).hasSize((int)(frames - network.dropped() + network.duplicated()));
        assertThat(terms.stream().distinct().count()).isEqualTo(frames - network.dropped());
        assertThat(one.sent()).isEqualTo(frames);
        assertThat(one.dropped()).isEqualTo(network.dropped());
        assertThat(one.duplicated()).isEqualTo(network.duplicated());
        // Latency spread over 0.1..1 ms with a frame every 50 us reorders many; long delays reorder more.
        assertThat(overtaken(terms)).isGreaterThan(frames / 10);

        received.clear();
        final SimNetwork fifo = new SimNetwork(new Random(7), 1, 2).latency(MS, MS);
        final SimTransport sender = start(fifo, 1);
        start(fifo, 2);
        for (int i = 0; i < 1000; i++)
        {
            sender.send(heartbeat(1, 2, i));
            if (i % 3 == 0)
            {
                fifo.deliverDue(fifo.nowNs() + 10_000);
            }
        }
        fifo.deliverDue(fifo.nowNs() + 10 * MS);
        assertThat(overtaken(termsReceived(received.get(2)))).as("fixed latency, no long delay: FIFO").isZero();
        assertThat(received.get(2)).hasSize(1000);
    }

    @Test
    void corruptedFramesAreRejectedByValidationAndNeverReachTheHandler()
    {
        final int frames = 3000;
        final SimNetwork network = new SimNetwork(new Random(11), 1, 2).corruptRate(0.3);
        final SimTransport one = start(network, 1);
        final SimTransport two = start(network, 2);
        for (int i = 0; i < frames; i++)
        {
            final Message append = heartbeat(1, 2, i);
            append.type = (i & 1) == 0 ? MessageType.HEARTBEAT : MessageType.APPEND;
            append.entries.append(i + 1, 1, EntryType.NORMAL, 0, new UnsafeBuffer(new byte[i % 50]), 0, i % 50);
            one.send(append);
        }
        network.deliverDue(100 * MS);
        // The handler (see start) asserts that every frame it gets validates and decodes.
        assertThat(network.corrupted()).isBetween((long)(0.25 * frames), (long)(0.35 * frames));
        assertThat(network.rejected()).isEqualTo(network.corrupted());
        assertThat(two.rejected()).isEqualTo(network.corrupted());
        assertThat(two.delivered()).isEqualTo(frames - network.corrupted());
        assertThat(received.get(2)).hasSize((int)(frames - network.corrupted()));
        assertThat(network.recentEvents()).anyMatch(line -> line.contains("rejected by m2: wrong schema id"))
            .anyMatch(line -> line.contains("rejected by m2: peer message from another cluster"));
    }

    @Test
    void aClosedEndpointReceivesNothingAndARestartedOneDoes()
    {
        final SimNetwork network = new SimNetwork(new Random(3), 1, 2).latency(MS, MS);
        final SimTransport one = start(network, 1);
        final SimTransport crashed = start(network, 2);
        one.send(heartbeat(1, 2, 1));
        crashed.close();
        assertThat(crashed.send(heartbeat(2, 1, 1))).as("a crashed member sends nothing").isFalse();
        network.deliverDue(5 * MS);
        assertThat(received.get(2)).isEmpty();
        assertThat(crashed.delivered()).isZero();
        assertThat(one.dropped()).isEqualTo(1);
        assertThat(received.get(1)).isEmpty();

        one.send(heartbeat(1, 2, 2));
        network.deliverDue(5 * MS + 1);
        final SimTransport restarted = start(network, 2);
        one.send(heartbeat(1, 2, 3));
        network.deliverDue(10 * MS);
        assertThat(received.get(2)).as("frames in flight across the restart reach the new endpoint")
            .containsExactly("1->2 2", "1->2 3");
        assertThat(restarted.delivered()).isEqualTo(2);
        assertThat(crashed.delivered()).isZero();
        assertThat(restarted.send(heartbeat(2, 1, 4))).isTrue();
        network.deliverDue(20 * MS);
        assertThat(received.get(1)).containsExactly("2->1 4");

        // A new endpoint replaces an open one: the old is closed.
        final SimTransport replacement = start(network, 2);
        assertThat(restarted.isOpen()).isFalse();
        assertThat(restarted.send(heartbeat(2, 1, 5))).isFalse();
        assertThat(replacement.send(heartbeat(2, 1, 6))).isTrue();
        network.deliverDue(30 * MS);
        assertThat(received.get(1)).containsExactly("2->1 4", "2->1 6");
    }

    @Test
    void theTraceKeepsTheLastEventsReadably()
    {
        final SimNetwork network = new SimNetwork(new Random(5), 1, 2, 3).latency(MS, MS).traceCapacity(8);
        final List<String> everything = new ArrayList<>();
        network.traceListener(everything::add);
        final SimTransport one = start(network, 1);
        start(network, 2);
        start(network, 3);
        one.send(heartbeat(1, 2, 3));
        network.partition(new int[]{1}, new int[]{2});
        one.send(heartbeat(1, 3, 3));
        network.deliverDue(1_500_000);
        assertThat(everything).containsExactly(
            "t=0.000ms m1->m2 HEARTBEAT{g=1 1->2 t=3 i=0 lt=0 c=42} sent, due t=1.000ms",
            "t=0.000ms network: partition [1] | [2]",
            "t=0.000ms m1->m3 HEARTBEAT{g=1 1->3 t=3 i=0 lt=0 c=42} sent, due t=1.000ms",
            "t=1.500ms m1->m2 HEARTBEAT{g=1 1->2 t=3 i=0 lt=0 c=42} dropped (partition, in flight)",
            "t=1.500ms m1->m3 HEARTBEAT{g=1 1->3 t=3 i=0 lt=0 c=42} delivered");
        for (int i = 0; i < 20; i++)
        {
            one.send(heartbeat(1, 3, i));
        }
        assertThat(network.recentEvents()).hasSize(8).last().asString().contains("t=19");
        assertThat(network.describeFaults()).contains("cut=[1->2 2->1]");
    }

    /**
     * Three real nodes (two groups each) on their own threads over the simulated network; a driver thread moves the
     * network's clock with wall time. Elect, commit through drops, duplicates and delays, lose the leader of group 0
     * to isolation, elect another, heal, and every member applies every write.
     */
    @Test
    void realNodesElectAndCommitOverTheSimulatedNetwork() throws Exception
    {
        final SimNetwork network = new SimNetwork(new Random(17), 1, 2, 3).latency(100_000, 2 * MS);
        final Thread driver = new Thread(() ->
        {
            final long origin = System.nanoTime();
            while (!Thread.currentThread().isInterrupted())
            {
                network.deliverDue(System.nanoTime() - origin);
                LockSupport.parkNanos(200_000);
            }
        }, "sim-network-driver");
        driver.setDaemon(true);
        driver.start();
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(2)
            .transportFactory(network::transport).start())
        {
            int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(20));
            network.dropRate(0.05).duplicateRate(0.05).longDelays(0.02, 20 * MS);
            long id = 0;
            for (int g = 0; g < 2; g++)
            {
                for (int i = 0; i < 5; i++)
                {
                    assertThat(propose(cluster, leaders[g], g, ++id)).as("group %d", g).isEqualTo(Status.OK);
                }
            }
            final int isolated = leaders[0];
            network.isolate(isolated);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int newLeader = cluster.leaderOf(0);
            while ((newLeader == isolated || newLeader <= 0) && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(10);
                newLeader = cluster.leaderOf(0);
            }
            assertThat(newLeader).as(cluster.describe()).isNotEqualTo(isolated).isPositive();
            assertThat(propose(cluster, newLeader, 0, ++id)).isEqualTo(Status.OK);

            network.calm();
            leaders = cluster.awaitLeaders(Duration.ofSeconds(20));
            assertThat(propose(cluster, leaders[0], 0, ++id)).isEqualTo(Status.OK);
            for (int member = 1; member <= 3; member++)
            {
                for (int g = 0; g < 2; g++)
                {
                    final long expected = 0 == g ? 7 : 5;
                    final long applyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (cluster.machine(member, g).applyCount() < expected && System.nanoTime() - applyDeadline < 0)
                    {
                        Thread.sleep(5);
                    }
                    assertThat(cluster.machine(member, g).applyCount()).as("member %d group %d", member, g)
                        .isGreaterThanOrEqualTo(expected);
                    assertThat(cluster.machine(member, g).firstViolation()).isNull();
                }
            }
            assertThat(network.dropped()).isPositive();
            assertThat(network.duplicated()).isPositive();
            assertThat(network.rejected()).isZero();
        }
        finally
        {
            driver.interrupt();
            driver.join(5_000);
        }
    }

    private static Status propose(final InProcessCluster cluster, final int leader, final int group, final long id)
        throws Exception
    {
        final byte[] payload = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(0, id).array();
        final Result result = cluster.node(leader).propose(group, payload).get(10, TimeUnit.SECONDS);
        return result.status();
    }
}
