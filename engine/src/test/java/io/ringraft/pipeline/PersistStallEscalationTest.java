package io.ringraft.pipeline;

import io.ringraft.log.FsyncPolicy;
import io.ringraft.pipeline.testing.ApplyHook;
import io.ringraft.pipeline.testing.Gate;
import io.ringraft.pipeline.testing.RecordingStateMachine;
import io.ringraft.raft.MessageType;
import io.ringraft.raft.Role;
import io.ringraft.transport.InMemoryNetwork;
import org.agrona.IoUtil;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the raft stage does when its leader's persist stage stops ({@link RaftStage} checkPersistStall), run by the
 * caller on a clock the test moves: the leader's persist stage is simply never run again, a frozen disk as the raft
 * stage sees it. The transfer goes to the most caught-up voter, not the first one; a transfer that does not complete
 * ends in a step-down an election timeout later, not in transfer after transfer.
 */
class PersistStallEscalationTest
{
    private static final long TICK_NS = 10_000_000L;
    private static final int ELECTION_TICKS = 30;
    /** The stall bound's floor; the caller's persist waits are a tick at most, so the bound is the floor. */
    private static final int STALL_TICKS = 50;
    private Path root;
    private Run run;

    @BeforeEach
    void createRoot() throws IOException
    {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "ringraft-stall-");
    }

    @AfterEach
    void deleteRoot()
    {
        if (null != run)
        {
            run.close();
        }
        IoUtil.delete(root.toFile(), true);
    }

    @Test
    void aStalledLeaderHandsOverToTheMostCaughtUpVoterNotTheFirst()
    {
        run = new Run(root, 3);
        final int leader = run.electLeader();
        // The first other voter in member order is kept behind: appends to it are lost, heartbeats are not, so it
        // stays a quiet follower whose match index lags. A transfer to it could not complete.
        final int behind = leader == 1 ? 2 : 1;
        final int caughtUp = 6 - leader - behind;
        run.network.policy((from, to, type) ->
            from == leader && to == behind && MessageType.APPEND == type ? InMemoryNetwork.DROP : InMemoryNetwork.DELIVER);
        run.proposeAndRun(leader, 5);
        run.persistFrozen[leader - 1] = true;
        run.node(leader).propose(0, "after the freeze".getBytes());

        int newLeader = 0;
        int ticks = 0;
        for (; ticks < STALL_TICKS + ELECTION_TICKS / 3 && newLeader <= 0; ticks++)
        {
            run.step();
            newLeader = run.leaderSeenBy(caughtUp);
            newLeader = newLeader == leader ? 0 : newLeader;
        }

        assertThat(newLeader).as("within the stall bound and a few ticks, before any election timeout could elect; " +
            "member " + behind + " lags, member " + caughtUp + " is caught up").isEqualTo(caughtUp);
        assertThat(ticks).as("not before the bound").isGreaterThanOrEqualTo(STALL_TICKS);
        assertThat(run.nodeCounter(leader, "persist-stall-leadership-transfers")).isEqualTo(1);
        assertThat(run.groupCounter(caughtUp, "term")).as("one election, by the transfer")
            .isEqualTo(run.termAtElection + 1);
    }

    @Test
    void aTransferThatDoesNotCompleteEscalatesToSteppingDownOnce()
    {
        run = new Run(root, 5);
        final int leader = run.electLeader();
        // The transfer's TimeoutNow is lost: leadership cannot move by transfer.
        run.network.policy((from, to, type) ->
            MessageType.TIMEOUT_NOW == type ? InMemoryNetwork.DROP : InMemoryNetwork.DELIVER);
        run.proposeAndRun(leader, 5);
        run.persistFrozen[leader - 1] = true;
        run.node(leader).propose(0, "after the freeze".getBytes());

        int ticks = 0;
        for (; ticks < 4 * STALL_TICKS && Role.LEADER.ordinal() == run.groupCounter(leader, "role"); ticks++)
        {
            run.step();
        }

        assertThat(run.groupCounter(leader, "role")).as("the stalled leader stepped down")
            .isNotEqualTo(Role.LEADER.ordinal());
        // The stall is acted on again once it has lasted a whole bound more (the bound is at least an election
        // timeout, which is what the core gives a transfer): a step-down then, the second bound, and not sooner.
        assertThat(ticks).as("a second bound after the first, not sooner")
            .isGreaterThanOrEqualTo(2 * STALL_TICKS).isLessThanOrEqualTo(2 * STALL_TICKS + 2);
        assertThat(run.nodeCounter(leader, "persist-stall-leadership-transfers")).as("one transfer, not a loop")
            .isEqualTo(1);

        int newLeader = 0;
        for (int i = 0; i < 4 * ELECTION_TICKS && newLeader <= 0; i++)
        {
            run.step();
            final int seen = run.leaderSeenBy(leader % 3 + 1);
            newLeader = seen == leader ? 0 : seen;
        }
        assertThat(newLeader).as("the others elect a leader once their timeouts run out").isPositive();
    }

    /**
     * The core gives a transfer one election timeout, then drops it and takes proposals again. A stalled leader's
     * transfer must outlive that: on a loaded host a follower's acknowledgement of the entries it lacks (its own
     * fsync, contended by the very disk that froze) can take longer than an election timeout, and the transfer must
     * then complete when it comes, not wait out a second stall bound and an election. Here the followers' append
     * responses are lost for longer than an election timeout after the transfer starts, then arrive again.
     */
    @Test
    void aTransferWhoseTargetCatchesUpAfterAnElectionTimeoutStillCompletesWithinTheBound()
    {
        run = new Run(root, 11);
        final int leader = run.electLeader();
        final boolean[] responsesLost = {false};
        run.network.policy((from, to, type) -> responsesLost[0] && to == leader &&
            MessageType.APPEND_RESPONSE == type ? InMemoryNetwork.DROP : InMemoryNetwork.DELIVER);
        run.proposeAndRun(leader, 5);
        run.persistFrozen[leader - 1] = true;
        responsesLost[0] = true;
        run.node(leader).propose(0, "after the freeze".getBytes());

        int newLeader = 0;
        int ticks = 0;
        for (; ticks < 4 * STALL_TICKS && newLeader <= 0; ticks++)
        {
            if (ticks == STALL_TICKS + ELECTION_TICKS + 5)
            {
                responsesLost[0] = false; // the followers' acknowledgements get through again
            }
            run.step();
            for (int member = 1; member <= 3 && newLeader <= 0; member++)
            {
                final int seen = member == leader ? 0 : run.leaderSeenBy(member);
                newLeader = seen == leader ? 0 : seen;
            }
        }

        assertThat(newLeader).as("another member leads").isPositive();
        assertThat(ticks).as("leadership moved by the transfer once the acknowledgements came, not by a step-down " +
            "a second bound later (%d ticks) and an election", 2 * STALL_TICKS)
            .isLessThan(2 * STALL_TICKS);
        assertThat(run.groupCounter(newLeader, "term")).as("one election, by the transfer")
            .isEqualTo(run.termAtElection + 1);
        assertThat(run.nodeCounter(leader, "persist-stall-leadership-transfers")).as("one transfer, kept going")
            .isEqualTo(1);
    }

    /** Three members on one in-memory network, driven by the test's thread in a fixed order. */
    private static final class Run
    {
        private final CachedNanoClock nanoClock = new CachedNanoClock();
        private final CachedEpochClock epochClock = new CachedEpochClock();
        private final InMemoryNetwork network = new InMemoryNetwork();
        private final RingraftNode[] nodes = new RingraftNode[3];
        private final boolean[] persistFrozen = new boolean[3];
        private long termAtElection;

        Run(final Path dir, final long seed)
        {
            nanoClock.update(1_000_000_000L);
            epochClock.update(1_000_000L);
            for (int i = 0; i < 3; i++)
            {
                final int member = i + 1;
                nodes[i] = RingraftNode.launch(new NodeContext()
                    .memberId(member)
                    .members(1, 2, 3)
                    .dataDir(dir.resolve("member-" + member))
                    .threading(StageThreading.CALLER)
                    .tickInterval(Duration.ofNanos(TICK_NS))
                    .electionTicks(ELECTION_TICKS)
                    .persistStallTimeout(Duration.ofNanos(STALL_TICKS * TICK_NS))
                    .nanoClock(nanoClock)
                    .epochClock(epochClock)
                    .random(new SplittableRandom(seed * 31 + member))
                    .fsyncPolicy(FsyncPolicy.ALWAYS)
                    .raftConfigCustomizer(c -> c.random(new Random(seed * 17 + member)))
                    .stateMachineFactory(g -> new RecordingStateMachine(g, ApplyHook.NONE, new Gate()))
                    .transport(network.transport(member, 0)));
            }
            for (final RingraftNode node : nodes)
            {
                node.start();
            }
        }

        RingraftNode node(final int member)
        {
            return nodes[member - 1];
        }

        int electLeader()
        {
            for (int step = 0; step < 1_000; step++)
            {
                step();
                for (final RingraftNode node : nodes)
                {
                    if (leaderSeenBy(node.memberId()) == node.memberId())
                    {
                        termAtElection = groupCounter(node.memberId(), "term");
                        return node.memberId();
                    }
                }
            }
            throw new AssertionError("no leader within 1,000 ticks");
        }

        void proposeAndRun(final int leader, final int count)
        {
            for (int i = 0; i < count; i++)
            {
                node(leader).propose(0, ("entry-" + i).getBytes());
            }
            for (int i = 0; i < 5; i++)
            {
                step();
            }
        }

        int leaderSeenBy(final int member)
        {
            return (int)groupCounter(member, "leader");
        }

        /** Runs every stage of every member (but a frozen persist stage) until none has work, then one tick. */
        void step()
        {
            for (int pass = 0; pass < 1_000; pass++)
            {
                int handled = 0;
                for (int i = 0; i < 3; i++)
                {
                    final PipelineStages stages = nodes[i].stages();
                    handled += stages.runRaft();
                    handled += persistFrozen[i] ? 0 : stages.runPersist();
                    handled += stages.runApply();
                    handled += stages.runSend();
                }
                if (0 == handled)
                {
                    break;
                }
            }
            nanoClock.advance(TICK_NS);
            epochClock.advance(TICK_NS / 1_000_000);
            for (final RingraftNode node : nodes)
            {
                node.stages().tick();
            }
        }

        long groupCounter(final int member, final String name)
        {
            return node(member).counters().valueOf(CounterLabels.group(name, member, 0), -1);
        }

        long nodeCounter(final int member, final String name)
        {
            return node(member).counters().valueOf(CounterLabels.node(name, member), -1);
        }

        void close()
        {
            for (final RingraftNode node : nodes)
            {
                node.close();
            }
            network.close();
        }
    }
}
