package io.ringraft.raft.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The churn ringraft exists to prevent: a follower cut off for ten election timeouts must not, on its return,
 * push the term up and unseat a healthy leader. Pre-vote is what prevents it; the same scenario without
 * pre-vote shows the term rising, so the first test is known to be able to fail.
 */
class PreVoteChurnTest
{
    private static final long SEED = 2024;

    private record Outcome(int leaderBefore, long termBefore, int leaderAfter, long termAfter, long leaderChanges)
    {
    }

    @Test
    void rejoiningFollowerDoesNotDisturbAStableLeaderWithPreVote()
    {
        final Outcome outcome = isolateAFollowerThenHeal(true);

        assertThat(outcome.termAfter()).as("leader's term").isEqualTo(outcome.termBefore());
        assertThat(outcome.leaderAfter()).as("leader").isEqualTo(outcome.leaderBefore());
        assertThat(outcome.leaderChanges()).as("leader changes after the first election").isZero();
    }

    @Test
    void withoutPreVoteTheRejoiningFollowerForcesATermChange()
    {
        final Outcome outcome = isolateAFollowerThenHeal(false);

        assertThat(outcome.termAfter()).as("term once the follower is back").isGreaterThan(outcome.termBefore());
    }

    private static Outcome isolateAFollowerThenHeal(final boolean preVote)
    {
        final SimConfig config = SimConfig.calm(SEED, 3).withPreVote(preVote);
        final Simulation sim = new Simulation(config);
        sim.start();
        final int electionTicks = config.electionTicks();
        sim.runFor(5L * electionTicks);
        final SimNode leader = sim.leader();
        assertThat(leader).as("a leader after five election timeouts").isNotNull();
        final long termBefore = leader.raft().term();
        final long leaderChangesBefore = sim.checker().leaderChanges();
        final int follower = leader.id() == 1 ? 2 : 1;

        sim.network().isolate(follower, sim.memberIds());
        sim.runFor(10L * electionTicks);
        assertThat(sim.leader()).as("the majority keeps its leader while the follower is away").isSameAs(leader);
        sim.network().healAll();
        sim.runFor(5L * electionTicks);

        final SimNode leaderAfter = sim.leader();
        assertThat(leaderAfter).as("a leader once healed").isNotNull();
        return new Outcome(leader.id(), termBefore, leaderAfter.id(), leaderAfter.raft().term(),
            sim.checker().leaderChanges() - leaderChangesBefore);
    }
}
