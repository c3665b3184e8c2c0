package io.ringraft.raft.sim;

import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.raft.Role;
import io.ringraft.raft.SafetyRules;

import java.util.Arrays;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario of the Raft paper's figure 8, scripted on five simulated members: an entry of an old term
 * reaches a majority through a later leader, that leader dies before an entry of its own term is replicated, and
 * a member holding a conflicting entry of a higher term becomes leader. With the correct commit rule the old
 * entry was never committed and may be overwritten; committing it "by counting replicas" is what makes the
 * last election lose a committed entry, and the checker must say so.
 * <p>
 * Every step waits on a condition with a deadline; who wins each election is decided by partitions and by
 * dropping exactly the appends the scenario names, so it does not depend on the seed's timeouts.
 */
final class FigureEight
{
    private static final long STEP_TICKS = 300;

    /** What the scenario reached; {@code failure} is the checker's verdict (null: no invariant broken). */
    record Outcome(boolean oldEntryCommittedByCounting, boolean conflictingLeaderElected, SimulationFailure failure)
    {
    }

    private FigureEight()
    {
    }

    static Outcome run(final long seed, final SafetyRules rules)
    {
        final Simulation sim = new Simulation(SimConfig.scripted(seed, 5)).plant(rules);
        final SimNetwork network = sim.network();
        final int[] all = sim.memberIds();
        boolean committedByCounting = false;
        try
        {
            sim.start();
            assertThat(sim.runUntil(() -> allInSync(sim), STEP_TICKS)).as("a leader and five equal logs").isTrue();

            // (a) The leader A appends x (index i) and it reaches only F before A is cut off from the others.
            final SimNode a = sim.leader();
            final int f = other(all, id -> id != a.id());
            final int[] rest = Arrays.stream(all).filter(id -> id != a.id() && id != f).toArray();
            for (final int id : rest)
            {
                network.cut(a.id(), id);
                network.cut(id, a.id());
            }
            final long x = sim.workload().propose(a);
            assertThat(x).as("x accepted by the leader").isPositive();
            assertThat(sim.runUntil(() -> a.storage().lastIndex() >= x && sim.node(f).storage().lastIndex() >= x,
                STEP_TICKS)).as("x durable on A and F").isTrue();

            // (b) A crashes, F is cut off; the other three elect C, whose first entry (at i too) reaches nobody.
            sim.crash(a.id());
            network.isolate(f, all);
            network.dropWhen(m -> MessageType.APPEND == m.type && contains(rest, m.from));
            assertThat(sim.runUntil(() -> leaderAmong(sim, rest) != null &&
                leaderAmong(sim, rest).storage().lastIndex() >= x, STEP_TICKS))
                .as("a leader among the other three with its own entry at " + x).isTrue();
            final SimNode c = leaderAmong(sim, rest);
            final int[] voters = Arrays.stream(rest).filter(id -> id != c.id()).toArray();
            final int d = voters[0];
            final int e = voters[1];
            sim.crash(c.id());

            // (c) A comes back; A or F leads and gets x onto D, but its own first entry (i + 1) reaches nobody,
            // and E gets nothing. x is now on a majority (A, F, D) without any entry of the leader's term.
            network.healAll();
            sim.restart(a.id());
            network.intercept(m -> MessageType.APPEND != m.type ? m : m.to == e ? null : upTo(m, x));
            final int[] holders = {a.id(), f};
            assertThat(sim.runUntil(() -> leaderAmong(sim, holders) != null &&
                sim.node(d).storage().lastIndex() >= x, STEP_TICKS)).as(() -> "A or F leads and x reached D " + sim.describe()).isTrue();
            committedByCounting = sim.runUntil(() -> null != leaderAmong(sim, holders) &&
                leaderAmong(sim, holders).raft().commitIndex() >= x, STEP_TICKS);

            // (d) That leader dies and the other holder is cut off: C, whose entry at i has a higher term than x,
            // can win with the votes of D and E alone.
            final SimNode second = leaderAmong(sim, holders);
            sim.crash(second.id());
            network.isolate(second.id() == a.id() ? f : a.id(), all);
            network.dropWhen(null);
            sim.restart(c.id());
            final boolean conflictingLeader = sim.runUntil(
                () -> c.isUp() && Role.LEADER == c.raft().role(), STEP_TICKS);
            return new Outcome(committedByCounting, conflictingLeader, null);
        }
        catch (final SimulationFailure failure)
        {
            return new Outcome(committedByCounting, false, failure);
        }
    }

    /** The append without its entries beyond {@code last} (it still probes the follower's log at its index). */
    private static Message upTo(final Message append, final long last)
    {
        if (append.entries.isEmpty() || append.entries.lastIndex() <= last)
        {
            return append;
        }
        if (append.entries.firstIndex() > last)
        {
            append.entries.clear();
            return append;
        }
        final EntryBatch kept = new EntryBatch();
        append.entries.forEach(append.entries.firstIndex(), last, kept::append);
        append.entries.copyFrom(kept.encodedBuffer(), 0, kept.encodedLength());
        return append;
    }

    private static boolean allInSync(final Simulation sim)
    {
        final SimNode leader = sim.leader();
        if (null == leader || leader.raft().commitIndex() < leader.raft().lastIndex())
        {
            return false;
        }
        for (final int id : sim.memberIds())
        {
            if (sim.node(id).storage().lastIndex() != leader.raft().lastIndex())
            {
                return false;
            }
        }
        return true;
    }

    private static SimNode leaderAmong(final Simulation sim, final int[] ids)
    {
        for (final int id : ids)
        {
            final SimNode node = sim.node(id);
            if (node.isUp() && Role.LEADER == node.raft().role())
            {
                return node;
            }
        }
        return null;
    }

    private static int other(final int[] ids, final IntPredicate predicate)
    {
        return Arrays.stream(ids).filter(predicate).findFirst().orElseThrow();
    }

    private static boolean contains(final int[] ids, final int id)
    {
        return Arrays.stream(ids).anyMatch(x -> x == id);
    }
}
