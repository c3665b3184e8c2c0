package io.ringraft.raft.sim;

import java.util.Arrays;
import java.util.Random;

/**
 * The fault injector of the fault phase: every so often it cuts the network (isolates a member, splits the
 * cluster into a majority and a minority, cuts single directions), heals it, or crashes a member and schedules
 * its restart. Loss, duplication and delay are the {@link SimNetwork}'s own.
 */
final class Nemesis
{
    private final Simulation sim;
    private final Random random;
    private final SimNetwork network;
    long partitions;
    long crashes;

    Nemesis(final Simulation sim, final Random random, final SimNetwork network)
    {
        this.sim = sim;
        this.random = random;
        this.network = network;
    }

    void act()
    {
        final int[] members = sim.memberIds();
        final int dice = random.nextInt(100);
        if (dice < 15)
        {
            final int victim = members[random.nextInt(members.length)];
            network.isolate(victim, members);
            partitions++;
            sim.note("nemesis: isolate n" + victim);
        }
        else if (dice < 35)
        {
            final int[] shuffled = shuffled(members);
            final int minority = 1 + random.nextInt((members.length - 1) / 2);
            final int[] sideA = Arrays.copyOfRange(shuffled, 0, minority);
            final int[] sideB = Arrays.copyOfRange(shuffled, minority, shuffled.length);
            network.split(sideA, sideB);
            partitions++;
            sim.note("nemesis: split " + Arrays.toString(sideA) + " | " + Arrays.toString(sideB));
        }
        else if (dice < 50)
        {
            final int from = members[random.nextInt(members.length)];
            final int to = members[random.nextInt(members.length)];
            if (from != to)
            {
                network.cut(from, to);
                partitions++;
                sim.note("nemesis: cut one way n" + from + " -> n" + to);
            }
        }
        else if (dice < 62)
        {
            // Leaders are where the subtle bugs live: cut the leader off right when it is busiest.
            final SimNode leader = sim.leader();
            if (null != leader)
            {
                network.isolate(leader.id(), members);
                partitions++;
                sim.note("nemesis: isolate the leader n" + leader.id());
            }
        }
        else if (dice < 80)
        {
            network.healAll();
            sim.note("nemesis: heal");
        }
        else if (sim.config().crashes())
        {
            final SimNode leader = sim.leader();
            final SimNode victim = dice < 88 && null != leader ? leader : sim.node(members[random.nextInt(members.length)]);
            if (victim.isUp())
            {
                victim.crash();
                crashes++;
                final int downTicks = 1 + random.nextInt(5 * sim.config().electionTicks());
                sim.schedule((long)downTicks * SimConfig.TICK, SimEvent.Kind.RESTART, victim.id(), victim.incarnation());
            }
        }
        final int mean = sim.config().meanTicksBetweenFaults();
        sim.schedule((1L + random.nextInt(2 * mean)) * SimConfig.TICK, SimEvent.Kind.FAULT, 0, 0);
    }

    private int[] shuffled(final int[] members)
    {
        final int[] copy = members.clone();
        for (int i = copy.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
        }
        return copy;
    }
}
