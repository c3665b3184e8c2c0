package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.raft.MessageType;
import io.ringraft.raft.Role;
import io.ringraft.transport.InMemoryNetwork;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, observation 1: a read never returns a state from before a write acknowledged before the read began; it
 * may wait, or fail with a retry status. {@link io.ringraft.pipeline.testing.RecordingStateMachine} answers a query
 * with the number of writes it applied, so "stale" is a number below the writes acknowledged.
 */
class LinearizableReadTest
{
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(15);
    private static final byte[] QUERY = {1};

    /** What the network does now, changed by the test as the scenario goes. */
    private static final class Faults implements InMemoryNetwork.LinkPolicy
    {
        volatile int cutOff = -1;
        /** Appends from this member to {@link #appendsTo} are lost: its first entry cannot commit. */
        volatile int appendsFrom = -1;
        volatile int appendsTo = -1;
        volatile int delayReadAnswersTo = -1;
        volatile long readAnswerDelayNs;

        @Override
        public long decide(final int from, final int to, final MessageType type)
        {
            if (from == cutOff || to == cutOff)
            {
                return InMemoryNetwork.DROP;
            }
            if (from == appendsFrom && to == appendsTo && type == MessageType.APPEND)
            {
                return InMemoryNetwork.DROP;
            }
            if (to == delayReadAnswersTo && type == MessageType.READ_INDEX_RESPONSE)
            {
                return readAnswerDelayNs;
            }
            return InMemoryNetwork.DELIVER;
        }
    }

    /**
     * A follower is cut off while ten writes are acknowledged, restarts, and reads through a new leader whose first
     * entry cannot commit yet. Before the fix that leader answered -1 ("retry"), the -1 went to the apply stage as the
     * read index, and the restarted follower answered at once from its own state, without the ten writes.
     */
    @Test
    void readThroughANewLeaderWithoutACommitNeverReturnsAStateBeforeAcknowledgedWrites() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1).start())
        {
            final Faults faults = new Faults();
            cluster.network().policy(faults);
            final Scenario scenario = cutOffWriteAndElectSuccessor(cluster, faults);

            final CompletableFuture<Result> read = cluster.node(scenario.lagging).read(0, QUERY);
            // Until the successor commits an entry of its term it can vouch for no read index: the read waits.
            final Result early = awaitQuietly(read, Duration.ofSeconds(1));
            if (null != early)
            {
                assertNotStale(early, scenario, "read while the new leader had no commit");
            }

            faults.appendsFrom = -1;
            if (null == early || !early.isOk())
            {
                final Result result = (null == early ? read : cluster.node(scenario.lagging).read(0, QUERY))
                    .get(15, TimeUnit.SECONDS);
                assertThat(result.status()).as("%s %s", result, cluster.describe()).isEqualTo(Status.OK);
                assertNotStale(result, scenario, "read once the new leader committed");
            }
        }
    }

    /** The new leader's own reads wait for its first commit of the term, rather than being refused. */
    @Test
    void newLeaderAnswersItsOwnReadOnceItCommittedAnEntryOfItsTerm() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1).start())
        {
            final Faults faults = new Faults();
            cluster.network().policy(faults);
            final Scenario scenario = cutOffWriteAndElectSuccessor(cluster, faults);
            final CompletableFuture<Result> read = cluster.node(scenario.successor).read(0, QUERY);
            assertThat(awaitQuietly(read, Duration.ofMillis(500))).as("no answer before a commit of its term").isNull();

            faults.appendsFrom = -1;
            final Result result = read.get(15, TimeUnit.SECONDS);
            assertThat(result.status()).as("%s %s", result, cluster.describe()).isEqualTo(Status.OK);
            assertNotStale(result, scenario, "the new leader's read");
        }
    }

    /**
     * Read contexts must not repeat across restarts: an answer to a read sent before a restart, arriving after it,
     * confirmed an index from before the new read began. Before the fix the restarted member numbered its reads
     * from 1 again, took that late answer for its new read and served it without a write acknowledged meanwhile.
     */
    @Test
    void lateAnswerToAReadSentBeforeARestartDoesNotAnswerANewRead() throws Exception
    {
        try (InProcessCluster cluster = InProcessCluster.builder().members(3).groups(1).start())
        {
            final Faults faults = new Faults();
            cluster.network().policy(faults);
            final int leader = cluster.awaitLeaders(LEADERS_TIMEOUT)[0];
            final int follower = leader % 3 + 1;
            final long first = write(cluster, leader, 1);
            awaitApplied(cluster, follower, first);

            faults.readAnswerDelayNs = TimeUnit.SECONDS.toNanos(3);
            faults.delayReadAnswersTo = follower;
            final long delayedFromNs = System.nanoTime();
            final CompletableFuture<Result> beforeRestart = cluster.node(follower).read(0, QUERY);
            // Once the leader answered it, in flight with its answer: the member restarts and stops getting appends.
            awaitQuietly(beforeRestart, Duration.ofMillis(200));
            faults.appendsFrom = leader;
            faults.appendsTo = follower;
            cluster.restart(follower);
            awaitFollowerOf(cluster, follower, leader);
            final long written = write(cluster, leader, 2);

            final CompletableFuture<Result> read = cluster.node(follower).read(0, QUERY);
            final long lateAnswerDueNs = delayedFromNs + faults.readAnswerDelayNs + TimeUnit.MILLISECONDS.toNanos(500);
            final Result early = awaitQuietly(read, Duration.ofNanos(Math.max(0, lateAnswerDueNs - System.nanoTime())));
            if (null != early && early.isOk())
            {
                assertThat(applied(early)).as("read after write %d was acknowledged: %s", written, early)
                    .isGreaterThanOrEqualTo(2);
            }
            faults.appendsFrom = -1;
            faults.delayReadAnswersTo = -1;
            if (null == early || !early.isOk())
            {
                final Result result = (null == early ? read : cluster.node(follower).read(0, QUERY))
                    .get(15, TimeUnit.SECONDS);
                assertThat(result.status()).as("%s %s", result, cluster.describe()).isEqualTo(Status.OK);
                assertThat(applied(result)).isGreaterThanOrEqualTo(2);
                assertThat(result.index()).isGreaterThanOrEqualTo(written);
            }
        }
    }

    private record Scenario(int lagging, int successor, long acknowledgedWrites, long lastAcknowledgedIndex)
    {
    }

    /**
     * A first write every member applies, then {@code lagging} is cut off while ten more are acknowledged and
     * restarted (its state machine replays its log, without them); then the old leader is cut off and the member
     * holding the writes becomes leader, but its appends cannot reach {@code lagging}: nothing of its term commits.
     */
    private static Scenario cutOffWriteAndElectSuccessor(final InProcessCluster cluster, final Faults faults)
        throws Exception
    {
        final int oldLeader = cluster.awaitLeaders(LEADERS_TIMEOUT)[0];
        final int lagging = oldLeader % 3 + 1;
        final int successor = lagging % 3 + 1;
        final long first = write(cluster, oldLeader, 1);
        awaitApplied(cluster, lagging, first);

        faults.cutOff = lagging;
        long last = first;
        for (int i = 2; i <= 11; i++)
        {
            last = write(cluster, oldLeader, i);
        }
        final long oldTerm = cluster.groupCounter(oldLeader, "term", 0);
        cluster.restart(lagging);

        faults.appendsFrom = successor;
        faults.appendsTo = lagging;
        faults.cutOff = oldLeader;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(cluster.groupCounter(successor, "role", 0) == Role.LEADER.ordinal() &&
            cluster.groupCounter(successor, "term", 0) > oldTerm &&
            cluster.groupCounter(lagging, "leader", 0) == successor &&
            cluster.groupCounter(lagging, "term", 0) == cluster.groupCounter(successor, "term", 0)) &&
            System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(cluster.groupCounter(lagging, "leader", 0))
            .as("member %d follows member %d;%s", lagging, successor, cluster.describe()).isEqualTo(successor);
        assertThat(cluster.groupCounter(successor, "role", 0)).isEqualTo(Role.LEADER.ordinal());
        assertThat(cluster.machine(lagging, 0).applyCount()).as("the lagging member has not got the writes")
            .isLessThan(11);
        return new Scenario(lagging, successor, 11, last);
    }

    private static void assertNotStale(final Result result, final Scenario scenario, final String what)
    {
        if (!result.isOk())
        {
            assertThat(result.status()).as("%s: %s", what, result)
                .isIn(Status.TIMEOUT, Status.NOT_LEADER, Status.BACK_PRESSURED);
            return;
        }
        assertThat(applied(result))
            .as("%s: writes seen (%d were acknowledged before it began): %s", what, scenario.acknowledgedWrites, result)
            .isGreaterThanOrEqualTo(scenario.acknowledgedWrites);
        assertThat(result.index()).as("%s: read index", what).isGreaterThanOrEqualTo(scenario.lastAcknowledgedIndex);
    }

    private static long applied(final Result read)
    {
        return ByteBuffer.wrap(read.value()).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long write(final InProcessCluster cluster, final int leader, final long id) throws Exception
    {
        final Result result = cluster.node(leader).propose(0, ClusterBasicsTest.payload(id)).get(10, TimeUnit.SECONDS);
        assertThat(result.status()).as("write %d: %s %s", id, result, cluster.describe()).isEqualTo(Status.OK);
        return result.index();
    }

    private static void awaitApplied(final InProcessCluster cluster, final int member, final long index)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.groupCounter(member, "applied-index", 0) < index && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
        }
        assertThat(cluster.groupCounter(member, "applied-index", 0)).isGreaterThanOrEqualTo(index);
    }

    private static void awaitFollowerOf(final InProcessCluster cluster, final int member, final int leader)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.groupCounter(member, "leader", 0) != leader && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
        }
        assertThat(cluster.groupCounter(member, "leader", 0)).as(cluster.describe()).isEqualTo(leader);
    }

    /** The result if the read completes within {@code wait}, else null (it is still pending). */
    private static Result awaitQuietly(final CompletableFuture<Result> read, final Duration wait) throws Exception
    {
        try
        {
            return read.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            return null;
        }
    }
}
