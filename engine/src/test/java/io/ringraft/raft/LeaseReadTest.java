package io.ringraft.raft;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lease reads asked for per read ({@link RaftNode#leaseRead}) with {@link RaftConfig.ReadOnlyOption#LEASE_ON_REQUEST},
 * bounded, as the pipeline does, by a {@link LeaseClock} on a simulated monotonic clock.
 */
class LeaseReadTest
{
    private static final long TICK_NS = 10_000_000L;

    private final TestCluster cluster = new TestCluster(
        c -> c.readOnlyOption(RaftConfig.ReadOnlyOption.LEASE_ON_REQUEST), 1, 2, 3);
    private final Map<Integer, LeaseClock> clocks = new HashMap<>();
    private long nowNs = 1_000_000_000L;
    private long context = 1000;

    LeaseReadTest()
    {
        for (final int id : cluster.members.keySet())
        {
            final RaftConfig config = cluster.member(id).config;
            clocks.put(id, new LeaseClock(config.electionTicks(), config.heartbeatTicks(), TICK_NS));
        }
    }

    /** One tick interval passes; the members in {@code ids} tick (the others are stalled), then messages flow. */
    private void tick(final int... ids)
    {
        nowNs += TICK_NS;
        for (final int id : ids)
        {
            final RaftNode node = cluster.node(id);
            node.tick();
            clocks.get(id).ticked(node.ticks(), nowNs);
        }
        cluster.stabilize();
    }

    private void tickAll(final int times)
    {
        for (int i = 0; i < times; i++)
        {
            tick(1, 2, 3);
        }
    }

    /** Asks {@code id} for a lease read bounded by its clock now; returns the context. */
    private long leaseRead(final int id)
    {
        final RaftNode node = cluster.node(id);
        cluster.member(id).readStates.clear();
        cluster.sent.clear();
        assertThat(node.leaseRead(++context, clocks.get(id).sentSinceTick(node.ticks(), nowNs))).isTrue();
        cluster.process(id);
        return context;
    }

    /** 1 leads, committed an entry of its term, and a quorum acknowledged a recent heartbeat round. */
    private void leaderWithLease()
    {
        cluster.expireStartupLeases();
        cluster.elect(1);
        cluster.propose(1, "a");
        cluster.stabilize();
        tickAll(2);
    }

    @Test
    void leaseReadIsAnsweredAtOnceWithoutAHeartbeatRound()
    {
        leaderWithLease();
        final long read = leaseRead(1);

        assertThat(cluster.member(1).readStates).containsExactly(new ReadState(read, 2));
        assertThat(cluster.sentOfType(MessageType.HEARTBEAT)).isEmpty();
        assertThat(cluster.node(1).leaseReads()).isEqualTo(1);

        // The same member answers a read that did not ask for the lease with a heartbeat round.
        cluster.member(1).readStates.clear();
        assertThat(cluster.node(1).readIndex(++context)).isTrue();
        cluster.process(1);
        assertThat(cluster.member(1).readStates).isEmpty();
        assertThat(cluster.sentOfType(MessageType.HEARTBEAT)).hasSize(2);
    }

    @Test
    void leaseReadWithSafeReadsIsAReadIndexRead()
    {
        final TestCluster safe = new TestCluster(1, 2, 3);
        safe.elect(1);
        safe.propose(1, "a");
        safe.stabilize();
        safe.tickAll(2);
        safe.sent.clear();
        assertThat(safe.node(1).leaseRead(7, Long.MIN_VALUE)).isTrue();
        safe.process(1);

        assertThat(safe.member(1).readStates).isEmpty();
        assertThat(safe.sentOfType(MessageType.HEARTBEAT)).hasSize(2);
        safe.stabilize();
        assertThat(safe.member(1).readStates).containsExactly(new ReadState(7, 2));
    }

    @Test
    void leaseLapsesWhenHeartbeatsGoUnacknowledgedAndTheReadFallsBackToReadIndex()
    {
        leaderWithLease();
        // Appends are still acknowledged (check-quorum keeps 1 leading), heartbeat rounds are not.
        cluster.drop = m -> m.type == MessageType.HEARTBEAT_RESPONSE;
        for (int i = 0; i < 12; i++)
        {
            cluster.propose(1, "w" + i);
            tickAll(1);
        }
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);

        final long read = leaseRead(1);
        assertThat(cluster.member(1).readStates).isEmpty();
        assertThat(cluster.sentOfType(MessageType.HEARTBEAT)).as("a ReadIndex round instead").hasSize(2);

        cluster.heal();
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).containsExactly(new ReadState(read, cluster.node(1).commitIndex()));
    }

    @Test
    void leaseIsBoundedByTheMonotonicClockNotOnlyByTicks()
    {
        leaderWithLease();
        // 1's thread stalls: real time passes, its ticks do not.
        nowNs += 7 * TICK_NS;
        final long read = leaseRead(1);

        assertThat(cluster.member(1).readStates).isEmpty();
        assertThat(cluster.sentOfType(MessageType.HEARTBEAT)).hasSize(2);
        cluster.stabilize();
        assertThat(cluster.member(1).readStates).containsExactly(new ReadState(read, 2));
    }

    @Test
    void deposedLeaderInAMinorityServesNoLeaseReadAfterTheNewLeaderCommitted()
    {
        leaderWithLease();
        assertThat(cluster.member(1).readStates).isEmpty();
        leaseRead(1);
        assertThat(cluster.member(1).readStates).as("1 holds its lease before the partition").hasSize(1);

        // 1 is cut off and its thread stalls (no ticks, so it cannot notice it lost its quorum), while 2 and 3
        // elect a leader and commit a write.
        cluster.isolate(1);
        int newLeader = -1;
        for (int i = 0; i < 200 && newLeader < 0; i++)
        {
            tick(2, 3);
            for (final int id : new int[]{2, 3})
            {
                if (cluster.node(id).role() == Role.LEADER && cluster.node(id).commitIndex() > 2)
                {
                    newLeader = id;
                }
            }
        }
        assertThat(newLeader).as("2 or 3 leads and committed").isPositive();
        cluster.propose(newLeader, "new");
        cluster.stabilize();
        final long committedElsewhere = cluster.node(newLeader).commitIndex();
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).commitIndex()).isLessThan(committedElsewhere);

        // 1 resumes, still believing it leads.
        leaseRead(1);
        assertThat(cluster.member(1).readStates)
            .as("a lease read on the deposed leader (index behind %d)", committedElsewhere)
            .isEmpty();
    }
}
