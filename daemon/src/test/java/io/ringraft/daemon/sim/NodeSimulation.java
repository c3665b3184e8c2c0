package io.ringraft.daemon.sim;

import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.linearizability.CheckResult;
import io.ringraft.linearizability.History;
import io.ringraft.linearizability.LinearizabilityChecker;
import io.ringraft.transport.sim.SimNetwork;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One seed of the whole-node simulation: real members (pipeline stages, durable log with its recovery, KV state
 * machine) on a simulated disk and network, run on this one thread in an order drawn from the seed. A fault phase
 * (partitions, loss, duplication, corruption, crashes, damaged disks, slow and stalled disks, failing fsync,
 * leadership transfers) is followed by a calm phase in which every group must commit again and every member catch up.
 * The properties ({@link Property}) are checked as the run goes (the {@link ApplyLedger} on every apply, election
 * safety on every raft stage run) and at its end (replicas equal, the clients' history linearizable).
 */
final class NodeSimulation
{
    private static final long EPOCH_MS = 1_800_000_000_000L;
    private static final int TIMELINE_EVENTS = 400;

    private final SimSettings settings;
    private final PlantedNodeBug bug;
    private final Random random;
    private final CachedNanoClock nanoClock = new CachedNanoClock();
    private final CachedEpochClock epochClock = new CachedEpochClock();
    private final SimNetwork network;
    private final ApplyLedger ledger;
    private final Timeline timeline = new Timeline(TIMELINE_EVENTS);
    private final History history;
    private final SimClients clients;
    private final SimMember[] members;
    private final int[] memberIds;
    private final Long2LongHashMap[] leaderByTerm;
    private final long[] restartAtNs;
    private final long[] diskSlowUntilNs;
    private final long[] diskStalledUntilNs;
    private final long[] raftPausedUntilNs;
    private final long[] livenessWriteNs;
    /** Whether this seed changes memberships (drawn apart from the settings, so other seeds run as before). */
    private final boolean membershipChanges;
    /** Per group: the configuration change in flight, and the member it is about. */
    private final java.util.concurrent.CompletableFuture<?>[] membershipChange;
    private final int[] membershipChangeMember;
    private final boolean[] membershipChangeAdds;
    private final int[] membershipChangeLeader;
    private int membershipChangesApplied;
    /** Per group: members a removal was asked for (it may have taken effect even if its answer did not come). */
    private final java.util.List<java.util.TreeSet<Integer>> maybeRemoved = new ArrayList<>();
    private final int damageVictim;
    /** The Raft paper's figure 8 as faults, on some five-member seeds (null on the others). */
    private final FigureEightFaults figureEight;
    /**
     * Whether this seed reads every key of a group from each new leader the moment it is elected, and now and then cuts
     * a leader off right after it acknowledged a write (its commit notice still on the way): the new leader's commit
     * index then lags that write until it commits an entry of its own term, which is when it may serve reads.
     */
    private final boolean readProbes;
    /** The group whose leader is cut off after its next acknowledged write (-1: none), and the count to exceed. */
    private int cutLeaderGroup = -1;
    private long cutLeaderAfterAcks;
    private long nowNs;
    private long nextNemesisNs;
    private boolean calm;
    private long steps;

    NodeSimulation(final SimSettings settings, final PlantedNodeBug bug, final Path countersRoot)
    {
        this.settings = settings;
        this.bug = bug;
        random = new Random(settings.seed());
        memberIds = new int[settings.members()];
        for (int i = 0; i < memberIds.length; i++)
        {
            memberIds[i] = i + 1;
        }
        network = new SimNetwork(new Random(random.nextLong()), memberIds)
            .latency(50_000, 1_000_000)
            .dropRate(settings.dropRate())
            .duplicateRate(settings.duplicateRate())
            .corruptRate(settings.corruptRate())
            .longDelays(settings.longDelayRate(), 3 * settings.electionTicks() * settings.tickNs());
        ledger = new ApplyLedger(settings.groups(), memberIds.length);
        history = new History(() -> nowNs);
        clients = new SimClients(settings, new Random(random.nextLong()), history, ledger, timeline);
        final SnapshotConfigurations configurations = new SnapshotConfigurations(
            settings.groups(), io.ringraft.raft.Membership.ofVoters(memberIds), ledger);
        members = new SimMember[memberIds.length];
        for (int i = 0; i < members.length; i++)
        {
            members[i] = new SimMember(memberIds[i], memberIds, settings, network, nanoClock, epochClock, ledger,
                configurations, countersRoot, bug, new Random(random.nextLong()));
        }
        leaderByTerm = new Long2LongHashMap[settings.groups()];
        for (int g = 0; g < leaderByTerm.length; g++)
        {
            leaderByTerm[g] = new Long2LongHashMap(-1);
        }
        restartAtNs = new long[members.length];
        java.util.Arrays.fill(restartAtNs, -1);
        diskSlowUntilNs = new long[members.length];
        diskStalledUntilNs = new long[members.length];
        raftPausedUntilNs = new long[members.length];
        // Not with damage: removing a voter can make the one damaged member half of the voters, no longer a minority
        // that the others can repair (two voters, one repairing, elect no one: seed 62 of the first try).
        membershipChanges = !settings.damage() && new Random(settings.seed() * 31 + 17).nextInt(3) == 0;
        membershipChange = new java.util.concurrent.CompletableFuture<?>[settings.groups()];
        membershipChangeMember = new int[settings.groups()];
        membershipChangeAdds = new boolean[settings.groups()];
        membershipChangeLeader = new int[settings.groups()];
        for (int g = 0; g < settings.groups(); g++)
        {
            maybeRemoved.add(new java.util.TreeSet<>());
        }
        livenessWriteNs = new long[settings.groups()];
        java.util.Arrays.fill(livenessWriteNs, -1);
        // Drawn apart from the settings and the run's random, like membership changes.
        readProbes = new Random(settings.seed() * 71 + 37).nextInt(3) == 0;
        damageVictim = settings.maxDamagedMembers() > 0 ? random.nextInt(members.length) : -1;
        // Drawn apart from the settings and the run's random, like membership changes, so other seeds run as before.
        final Random figureEightDraw = new Random(settings.seed() * 53 + 29);
        if (5 == settings.members() && !membershipChanges && figureEightDraw.nextInt(3) == 0)
        {
            // Appends of one or a few entries, few in flight: a new leader's old entries and its own reach a
            // follower in separate appends, acknowledged separately.
            final int maxBytesPerAppend = figureEightDraw.nextBoolean() ? 1 : 64 + figureEightDraw.nextInt(192);
            final int maxInflightMessages = 1 + figureEightDraw.nextInt(3);
            figureEight = new FigureEightFaults(members, memberIds, network, timeline,
                new Random(figureEightDraw.nextLong()), ledger);
            for (final SimMember member : members)
            {
                member.appendLimits(maxBytesPerAppend, maxInflightMessages);
                member.watchSends(message -> figureEight.onSend(nowNs, message));
            }
            timeline.add("figure-8 faults; appends of at most " + maxBytesPerAppend + " B, " + maxInflightMessages +
                " in flight");
        }
        else
        {
            figureEight = null;
        }
    }

    /** Runs the seed; the outcome holds the first property violated, if any, and the timeline before it. */
    SimOutcome run()
    {
        try
        {
            clock(0);
            for (final SimMember member : members)
            {
                member.start(timeline);
            }
            nextNemesisNs = nextNemesisDelay();
            final long endNs = settings.faultPhaseNs() + settings.livenessBoundNs();
            while (true)
            {
                step();
                if (!calm && nowNs >= settings.faultPhaseNs())
                {
                    enterCalm();
                }
                if (calm && converged())
                {
                    break;
                }
                if (nowNs > endNs)
                {
                    throw new PropertyViolation(Property.LIVENESS, livenessReport());
                }
            }
            checkReplicasEqual();
            checkLinearizable();
            return SimOutcome.passed(settings, bug, steps, nowNs, clients.writesAcknowledged(), clients.readsAnswered(),
                history.size(), membershipChangesApplied, clients.sessionCounts());
        }
        catch (final PropertyViolation violation)
        {
            return SimOutcome.failed(settings, bug, steps, nowNs, violation, report(violation));
        }
        catch (final RuntimeException ex)
        {
            final java.io.StringWriter trace = new java.io.StringWriter();
            ex.printStackTrace(new java.io.PrintWriter(trace));
            final PropertyViolation violation = new PropertyViolation(Property.UNEXPECTED_EXCEPTION, trace.toString());
            return SimOutcome.failed(settings, bug, steps, nowNs, violation, report(violation));
        }
        finally
        {
            for (final SimMember member : members)
            {
                try
                {
                    member.close();
                }
                catch (final RuntimeException ignored)
                {
                    // The outcome is decided; a member that fails to close does not change it.
                }
            }
        }
    }

    private void step()
    {
        steps++;
        final long next = nextEventNs();
        clock(Math.max(nowNs, next));
        if (network.nextDeliveryTimeNs() <= nowNs)
        {
            network.deliverDue(nowNs);
        }
        for (int i = 0; i < members.length; i++)
        {
            final SimMember member = members[i];
            if (!member.up())
            {
                if (restartAtNs[i] >= 0 && restartAtNs[i] <= nowNs)
                {
                    restart(i);
                }
                continue;
            }
            if (member.nextTickNs <= nowNs)
            {
                member.stages().tick();
                member.nextTickNs += settings.tickNs();
            }
            for (int stage = 0; stage < 4; stage++)
            {
                final long due = member.stageDueNs[stage];
                if (due >= 0 && due <= nowNs)
                {
                    member.stageDueNs[stage] = -1;
                    if (SimMember.PERSIST == stage && !member.persistTaken)
                    {
                        // The persist thread wakes and takes the Readies queued so far; they are written, forced and
                        // acknowledged when its fsync ends, while the raft stage goes on (and may cut under them).
                        member.persistTaken = member.stages().takePersistBatch() > 0;
                        if (member.persistTaken)
                        {
                            member.stageDueNs[stage] = nowNs + latencyNs(i, stage);
                        }
                        continue;
                    }
                    member.persistTaken &= SimMember.PERSIST != stage;
                    member.run(stage);
                    if (null != ledger.firstViolation())
                    {
                        throw ledger.firstViolation();
                    }
                    if (SimMember.RAFT == stage)
                    {
                        checkElectionSafety(member);
                    }
                }
            }
            if (member.stages().persistStopped() || member.stages().applyStopped())
            {
                // A stage stopped on a failure (a failed fsync): the process exits and its supervisor restarts it.
                timeline.add("m" + member.id + " stopped after a disk or state machine failure; restarting it");
                crash(i, nowNs + SimSettings.MS * (10 + random.nextInt(200)));
            }
        }
        clients.collect(nowNs);
        cutLeaderAfterAcknowledgement();
        collectMembershipChanges();
        if (null != figureEight)
        {
            figureEight.onTime(nowNs);
        }
        if (!calm && nowNs >= nextNemesisNs)
        {
            // A fault that moved leadership is often followed closely by another: that is how entries are left on a
            // minority, elections overlap slow disks, and a leader comes back to find its old entries half-replicated.
            final boolean followUp = nemesis();
            nextNemesisNs = nowNs + (followUp && random.nextBoolean() ? SimSettings.MS * (2 + random.nextInt(60)) :
                nextNemesisDelay());
        }
        clients.act(nowNs, members);
        noteLivenessWrites();
        schedule();
    }

    private long nextEventNs()
    {
        long next = Math.min(network.nextDeliveryTimeNs(), clients.nextActionNs());
        if (!calm)
        {
            next = Math.min(next, Math.min(nextNemesisNs, settings.faultPhaseNs()));
            if (null != figureEight)
            {
                next = Math.min(next, figureEight.nextDueNs());
            }
        }
        for (int i = 0; i < members.length; i++)
        {
            final SimMember member = members[i];
            if (!member.up())
            {
                if (restartAtNs[i] >= 0)
                {
                    next = Math.min(next, restartAtNs[i]);
                }
                continue;
            }
            next = Math.min(next, member.nextTickNs);
            for (final long due : member.stageDueNs)
            {
                if (due >= 0)
                {
                    next = Math.min(next, due);
                }
            }
        }
        return next;
    }

    private void clock(final long timeNs)
    {
        nowNs = timeNs;
        nanoClock.update(timeNs);
        epochClock.update(EPOCH_MS + timeNs / SimSettings.MS);
        timeline.now(timeNs);
    }

    /** Every stage with work and no run scheduled gets one, after a latency drawn for that stage and member. */
    private void schedule()
    {
        for (int i = 0; i < members.length; i++)
        {
            final SimMember member = members[i];
            if (!member.up())
            {
                continue;
            }
            for (int stage = 0; stage < 4; stage++)
            {
                if (member.stageDueNs[stage] < 0 && member.hasWork(stage))
                {
                    // The persist stage first wakes to take a batch; the latency drawn for it is its fsync's.
                    member.stageDueNs[stage] = nowNs + (SimMember.PERSIST == stage ? 1_000 + random.nextInt(10_000) :
                        latencyNs(i, stage));
                }
            }
        }
    }

    private long latencyNs(final int member, final int stage)
    {
        switch (stage)
        {
            case SimMember.PERSIST:
                if (diskStalledUntilNs[member] > nowNs)
                {
                    return diskStalledUntilNs[member] - nowNs;
                }
                if (diskSlowUntilNs[member] > nowNs || (member + 1 == settings.slowFollowerDisk() && !calm))
                {
                    return SimSettings.MS * (5 + random.nextInt(random.nextInt(4) == 0 ? 400 : 100));
                }
                return 20_000 + random.nextInt(random.nextInt(10) == 0 ? 5_000_000 : 500_000);
            case SimMember.APPLY:
                return 5_000 + random.nextInt(random.nextInt(200) == 0 ? 300_000_000 : 200_000);
            case SimMember.RAFT:
                if (raftPausedUntilNs[member] > nowNs)
                {
                    return raftPausedUntilNs[member] - nowNs;
                }
                if (member + 1 == settings.slowFollowerDisk() && !calm && random.nextInt(3) == 0)
                {
                    // The member with the slow disk is overloaded as a whole: its raft thread is late too, so
                    // persist acknowledgements and messages from a new leader queue up behind each other.
                    return SimSettings.MS * (1 + random.nextInt(40));
                }
                return 2_000 + random.nextInt(30_000);
            default:
                return 1_000 + random.nextInt(10_000);
        }
    }

    // ------------------------------------------------------------------ faults

    /** A storm acts every few tens of ms (leaders crash before their entries commit); otherwise every few hundred. */
    private long nextNemesisDelay()
    {
        return settings.storm() ? SimSettings.MS * (20 + random.nextInt(random.nextBoolean() ? 150 : 400)) :
            SimSettings.MS * (50 + random.nextInt(600));
    }

    private boolean nemesis()
    {
        if (null != figureEight)
        {
            // One schedule at a time, undisturbed; between them, now and then, the other faults.
            if (figureEight.active() || (random.nextInt(3) != 0 && figureEight.start(nowNs, settings.groups())))
            {
                return false;
            }
        }
        if (readProbes && cutLeaderGroup < 0 && random.nextInt(4) == 0)
        {
            cutLeaderGroup = random.nextInt(settings.groups());
            cutLeaderAfterAcks = clients.acknowledged(cutLeaderGroup);
            timeline.add("the leader of group " + cutLeaderGroup + " is cut off after its next acknowledged write");
            return false;
        }
        final int choice = random.nextInt(100);
        final int target = random.nextInt(members.length);
        if (settings.storm() && random.nextBoolean())
        {
            // A flapping network: a new random split about every election timeout, so that leadership moves
            // between sides while entries of each leader sit on a minority and slow disks lag behind.
            partition();
            return true;
        }
        if (choice < 20)
        {
            partition();
        }
        else if (choice < 26)
        {
            // The leader cut off, often just after its clients' proposals reached it and some followers.
            final int leader = leaderIndex(random.nextInt(settings.groups()), -1);
            if (leader >= 0)
            {
                network.isolate(memberIds[leader]);
                timeline.add("network: leader m" + memberIds[leader] + " isolated: " + network.describeFaults());
                return true;
            }
        }
        else if (choice < 35 && (settings.crashes() || settings.storm()))
        {
            // Half the time a leader: that is where acknowledged and half-replicated entries meet.
            final int victim = random.nextBoolean() ? leaderIndex(random.nextInt(settings.groups()), target) : target;
            if (members[victim].up() && upCount() > 1)
            {
                final boolean leader = leads(victim);
                crash(victim, nowNs + SimSettings.MS * (settings.storm() || random.nextBoolean() ? 5 +
                    random.nextInt(300) : 10 + random.nextInt(2_000)));
                return leader;
            }
        }
        else if (choice < 47 && settings.slowDisks())
        {
            if (random.nextBoolean())
            {
                diskSlowUntilNs[target] = nowNs + SimSettings.MS * (200 + random.nextInt(2_000));
                timeline.add("m" + members[target].id + " disk slow until " + diskSlowUntilNs[target] / SimSettings.MS +
                    " ms");
            }
            else
            {
                diskStalledUntilNs[target] = nowNs + SimSettings.MS * (500 + random.nextInt(3_500));
                timeline.add("m" + members[target].id + " disk stalled until " +
                    diskStalledUntilNs[target] / SimSettings.MS + " ms");
            }
        }
        else if (choice < 57)
        {
            transferLeadership(target);
            return true;
        }
        else if (choice < 62 && settings.failingFsync() && members[target].up())
        {
            members[target].disk.failNextForces(1);
            timeline.add("m" + members[target].id + " next fsync fails");
        }
        else if (choice < 75)
        {
            network.heal();
            timeline.add("network healed");
        }
        else if (choice >= 85 && choice < 93 && membershipChanges)
        {
            changeMembership(random.nextInt(settings.groups()));
        }
        else if (choice < 85 && members[target].up())
        {
            // The raft thread descheduled or paused (a collector, a noisy neighbour): messages and persist
            // acknowledgements queue up behind each other in its ring while the other stages go on.
            raftPausedUntilNs[target] = nowNs + SimSettings.MS * (1 + random.nextInt(random.nextBoolean() ? 20 : 150));
            timeline.add("m" + members[target].id + " raft stage paused until " +
                raftPausedUntilNs[target] / SimSettings.MS + " ms");
        }
        return false;
    }

    /** Isolates the leader of {@link #cutLeaderGroup} once it acknowledged a write since that was armed. */
    private void cutLeaderAfterAcknowledgement()
    {
        if (cutLeaderGroup < 0 || clients.acknowledged(cutLeaderGroup) <= cutLeaderAfterAcks)
        {
            return;
        }
        final int leader = leaderIndex(cutLeaderGroup, -1);
        if (leader >= 0 && !calm)
        {
            network.isolate(memberIds[leader]);
            timeline.add("network: leader m" + memberIds[leader] + " isolated right after acknowledging a write of " +
                "group " + cutLeaderGroup + ": " + network.describeFaults());
        }
        cutLeaderGroup = -1;
    }

    private void partition()
    {
        final int kind = random.nextInt(4);
        final int a = memberIds[random.nextInt(memberIds.length)];
        if (0 == kind)
        {
            network.isolate(a);
        }
        else if (1 == kind)
        {
            final int b = memberIds[random.nextInt(memberIds.length)];
            if (a != b)
            {
                network.cutOneWay(a, b);
            }
        }
        else if (2 == kind && memberIds.length >= 3)
        {
            // Two halves joined by one bridge member.
            final List<Integer> others = new ArrayList<>();
            for (final int id : memberIds)
            {
                if (id != a)
                {
                    others.add(id);
                }
            }
            java.util.Collections.shuffle(others, random);
            final int half = others.size() / 2;
            network.bridge(others.subList(0, half).stream().mapToInt(Integer::intValue).toArray(), a,
                others.subList(half, others.size()).stream().mapToInt(Integer::intValue).toArray());
        }
        else
        {
            final List<Integer> shuffled = new ArrayList<>();
            for (final int id : memberIds)
            {
                shuffled.add(id);
            }
            java.util.Collections.shuffle(shuffled, random);
            final int size = 1 + random.nextInt(memberIds.length - 1);
            network.partition(shuffled.subList(0, size).stream().mapToInt(Integer::intValue).toArray());
        }
        timeline.add("network: " + network.describeFaults());
    }

    private void crash(final int index, final long restartAt)
    {
        members[index].crash(timeline);
        restartAtNs[index] = restartAt;
    }

    private void restart(final int index)
    {
        restartAtNs[index] = -1;
        final SimMember member = members[index];
        long[] syncedTerm = null;
        long[] syncedIndex = null;
        if (index == damageVictim && !calm && random.nextBoolean())
        {
            syncedTerm = new long[settings.groups()];
            syncedIndex = new long[settings.groups()];
            boolean repairPending = false;
            boolean hardStatesKept = true;
            for (int g = 0; g < settings.groups(); g++)
            {
                final io.ringraft.log.LogInspector.Report report = io.ringraft.log.LogInspector.inspect(
                    member.disk, member.groupDirectory(g), g, null);
                repairPending |= io.ringraft.log.RecoveryVerdict.Kind.REPAIR == report.verdict().kind();
                hardStatesKept &= null != report.hardState();
                if (null != report.hardState())
                {
                    syncedTerm[g] = report.hardState().state().term();
                    syncedIndex[g] = report.hardState().syncedIndex();
                }
            }
            // Damage again before the last repair completed may take the log a second time: the member keeps its
            // term and vote (it cannot vote twice, nor take itself for new) and the others, never damaged, hold
            // every committed entry, so a correct system repairs it again. Not its hard state, nor after a hard state
            // was lost: a lost log and then a lost hard state are everything the member ever had, which nothing on
            // the disk can tell from a new member; no system survives that without outside help.
            if (!repairPending)
            {
                damage(member, true);
            }
            else if (hardStatesKept)
            {
                timeline.add("m" + member.id + " is damaged again while its repair is pending (not its hard state)");
                damage(member, false);
            }
            else
            {
                syncedTerm = null;
            }
        }
        try
        {
            member.start(timeline);
            if (null != syncedTerm)
            {
                checkSyncedStateKeptOrRepaired(member, syncedTerm, syncedIndex);
            }
        }
        catch (final PropertyViolation violation)
        {
            throw violation;
        }
        catch (final RuntimeException ex)
        {
            // The disk failed it (an fsync while recovering): the process exits, its supervisor starts it again.
            timeline.add("m" + member.id + " failed to start: " + ex.getMessage() + "; retrying");
            restartAtNs[index] = nowNs + SimSettings.MS * (50 + random.nextInt(500));
        }
    }

    /** Damages synced bytes of the one member that may be damaged: a correct system repairs it from the others. */
    private void damage(final SimMember member, final boolean hardStateToo)
    {
        // Not the directory header: a member must refuse to start on a damaged one (it cannot tell whose data it is).
        final List<Path> files = new ArrayList<>();
        for (final Path candidate : member.disk.files())
        {
            final String name = candidate.getFileName().toString();
            if (!name.startsWith("directory-header") && (hardStateToo || !name.startsWith("hardstate")))
            {
                files.add(candidate);
            }
        }
        if (files.isEmpty())
        {
            return;
        }
        // A third of the time the hard state: losing the term and vote is as dangerous as losing records.
        Path file = files.get(random.nextInt(files.size()));
        if (random.nextInt(3) == 0)
        {
            for (final Path candidate : files)
            {
                if (candidate.getFileName().toString().equals("hardstate"))
                {
                    file = candidate;
                }
            }
        }
        final int kind = random.nextInt(4);
        switch (kind)
        {
            case 0 -> member.disk.flipRandomBit(file);
            case 1 -> member.disk.zeroRandomSector(file);
            case 2 -> member.disk.lose(file);
            default -> member.disk.truncate(file, random.nextInt((int)Math.max(1, Math.min(Integer.MAX_VALUE,
                sizeOf(member, file)))));
        }
        timeline.add("m" + member.id + " disk damaged: " + new String[]{"bit flipped", "sector zeroed", "file lost",
            "file truncated"}[kind] + " in " + file);
    }

    private static long sizeOf(final SimMember member, final Path file)
    {
        try
        {
            return member.disk.size(file);
        }
        catch (final java.io.IOException ex)
        {
            return 0;
        }
    }

    /** The index of a member that leads {@code group}, or {@code otherwise}. */
    private int leaderIndex(final int group, final int otherwise)
    {
        for (int i = 0; i < members.length; i++)
        {
            if (members[i].up() && members[i].leads(group))
            {
                return i;
            }
        }
        return otherwise;
    }

    private void transferLeadership(final int target)
    {
        final int group = random.nextInt(settings.groups());
        final int leader = leaderIndex(group, -1);
        if (leader >= 0)
        {
            final int to = memberIds[target];
            members[leader].node().transferLeadership(group, to);
            timeline.add("m" + members[leader].id + " asked to transfer group " + group + " to m" + to);
        }
    }

    private boolean leads(final int index)
    {
        for (int g = 0; g < settings.groups(); g++)
        {
            if (members[index].leads(g))
            {
                return true;
            }
        }
        return false;
    }

    private int upCount()
    {
        int up = 0;
        for (final SimMember member : members)
        {
            up += member.up() ? 1 : 0;
        }
        return up;
    }

    private void enterCalm()
    {
        calm = true;
        if (null != figureEight)
        {
            figureEight.end(nowNs, "faults stop");
        }
        network.calm();
        java.util.Arrays.fill(diskSlowUntilNs, 0);
        java.util.Arrays.fill(diskStalledUntilNs, 0);
        java.util.Arrays.fill(raftPausedUntilNs, 0);
        for (int i = 0; i < members.length; i++)
        {
            members[i].disk.failNextForces(0);
            if (!members[i].up() && restartAtNs[i] < 0)
            {
                restartAtNs[i] = nowNs;
            }
            else if (restartAtNs[i] > nowNs)
            {
                restartAtNs[i] = nowNs;
            }
        }
        timeline.add("calm: faults stop, every member (re)starts; every group must commit again");
    }

    // ------------------------------------------------------------------ properties

    private void checkElectionSafety(final SimMember member)
    {
        for (int g = 0; g < settings.groups(); g++)
        {
            if (member.leads(g))
            {
                final long term = member.term(g);
                final long known = leaderByTerm[g].get(term);
                if (-1 == known)
                {
                    leaderByTerm[g].put(term, member.id);
                    timeline.add("m" + member.id + " leads group " + g + " in term " + term);
                    if (readProbes)
                    {
                        clients.probeReads(nowNs, member, g);
                    }
                    if (null != figureEight)
                    {
                        figureEight.onLeader(nowNs, member.id - 1, g, term);
                    }
                }
                else if (known != member.id)
                {
                    throw new PropertyViolation(Property.ELECTION_SAFETY, "group " + g + " term " + term +
                        " has two leaders: m" + known + " and m" + member.id);
                }
            }
        }
    }

    /** After damage to synced bytes: what the member's cores start from holds what was synced, or they repair. */
    private void checkSyncedStateKeptOrRepaired(
        final SimMember member, final long[] syncedTerm, final long[] syncedIndex)
    {
        for (int g = 0; g < settings.groups(); g++)
        {
            final io.ringraft.pipeline.GroupStorage storage = member.storage(g);
            if (storage.repair().needed())
            {
                timeline.add("m" + member.id + " group " + g + " starts repairing: " + storage.repair());
                continue;
            }
            final long term = storage.hardState().term();
            final long lastIndex = storage.reader().lastIndex();
            if (term < syncedTerm[g] || lastIndex < syncedIndex[g])
            {
                throw new PropertyViolation(Property.SYNCED_STATE_KEPT_OR_REPAIRED, "m" + member.id + " group " + g +
                    " restarted with term " + term + " and last index " + lastIndex +
                    " after its disk had synced term " +
                    syncedTerm[g] + " and entries through " + syncedIndex[g] + ", without repairing");
            }
        }
    }

    private void noteLivenessWrites()
    {
        if (!calm)
        {
            return;
        }
        for (int g = 0; g < settings.groups(); g++)
        {
            if (livenessWriteNs[g] < 0 && clients.acknowledgedSince(g, settings.faultPhaseNs()))
            {
                livenessWriteNs[g] = nowNs;
                timeline.add("group " + g + " commits again after the faults stopped");
            }
        }
    }

    /** Every group committed a write after the faults stopped, every member is up and every member applied as much. */
    /** Removes a member from a group through its leader, or adds back one that was removed. */
    private void changeMembership(final int group)
    {
        final int leader = leaderIndex(group, -1);
        if (null != membershipChange[group] || leader < 0)
        {
            return;
        }
        final java.util.TreeSet<Integer> removed = maybeRemoved.get(group);
        if (!removed.isEmpty() && (calm || random.nextBoolean()))
        {
            membershipChangeMember[group] = removed.first();
            membershipChangeAdds[group] = true;
            membershipChange[group] = members[leader].node().addMember(group, removed.first());
        }
        else if (!calm && removed.isEmpty())
        {
            final int member = memberIds[random.nextInt(memberIds.length)];
            removed.add(member);
            membershipChangeMember[group] = member;
            membershipChangeAdds[group] = false;
            membershipChange[group] = members[leader].node().removeMember(group, member);
        }
        else
        {
            return;
        }
        membershipChangeLeader[group] = leader;
        timeline.add("m" + members[leader].id + " asked to " + (membershipChangeAdds[group] ? "add" : "remove") +
            " m" + membershipChangeMember[group] + (membershipChangeAdds[group] ? " to" : " from") + " group " + group);
    }

    /**
     * Takes in answered configuration changes. A removal counts as possibly done whatever its answer (it may apply
     * after a timeout); an addition that answers OK makes the member a voter again.
     */
    private void collectMembershipChanges()
    {
        for (int g = 0; g < membershipChange.length; g++)
        {
            final java.util.concurrent.CompletableFuture<?> change = membershipChange[g];
            if (null == change)
            {
                continue;
            }
            if (change.isDone())
            {
                membershipChange[g] = null;
                final Object result = change.getNow(null);
                timeline.add("group " + g + ": " + (membershipChangeAdds[g] ? "adding" : "removing") + " m" +
                    membershipChangeMember[g] + " answered " + result);
                final boolean ok = result instanceof io.ringraft.pipeline.Result answer && answer.isOk();
                membershipChangesApplied += ok ? 1 : 0;
                if (membershipChangeAdds[g] && ok)
                {
                    maybeRemoved.get(g).remove(membershipChangeMember[g]);
                }
            }
            else if (!members[membershipChangeLeader[g]].up())
            {
                // The leader that took it crashed, and its answer with it; a removal may still have applied.
                membershipChange[g] = null;
            }
        }
    }

    private boolean converged()
    {
        for (int g = 0; g < settings.groups(); g++)
        {
            if (!maybeRemoved.get(g).isEmpty() || null != membershipChange[g])
            {
                changeMembership(g);
                return false;
            }
        }
        for (final long at : livenessWriteNs)
        {
            if (at < 0)
            {
                return false;
            }
        }
        clients.stop();
        if (!clients.idle())
        {
            return false;
        }
        for (int g = 0; g < settings.groups(); g++)
        {
            long applied = -1;
            for (final SimMember member : members)
            {
                if (!member.up() || !member.stages().idle())
                {
                    return false;
                }
                final long index = ledger.appliedIndex(member.id, g);
                if (applied >= 0 && index != applied)
                {
                    return false;
                }
                applied = index;
            }
        }
        return true;
    }

    private String livenessReport()
    {
        final StringBuilder report = new StringBuilder("no convergence within " +
            settings.livenessBoundNs() / SimSettings.MS +
            " ms of the faults stopping:");
        for (int g = 0; g < settings.groups(); g++)
        {
            report.append(" group ").append(g)
                .append(livenessWriteNs[g] < 0 ? " committed nothing new;" : " committed;");
            for (final SimMember member : members)
            {
                report.append(" m").append(member.id).append(member.up() ?
                    " applied " + ledger.appliedIndex(member.id, g) +
                    (member.leads(g) ? " (leader)" : "") + " repairing " + member.counter("repairing", g) : " down");
            }
        }
        return report.toString();
    }

    private void checkReplicasEqual()
    {
        final org.agrona.ExpandableArrayBuffer result = new org.agrona.ExpandableArrayBuffer(64);
        for (final byte[] key : clients.keys())
        {
            final byte[] query = KvCommands.get(key);
            final int group = io.ringraft.daemon.kv.KeyPartitioner.groupOf(key, settings.groups());
            String first = null;
            for (final SimMember member : members)
            {
                final int length = member.machine(group).query(new org.agrona.concurrent.UnsafeBuffer(query), 0,
                    query.length, result);
                final String answer = result.getStringWithoutLengthAscii(0, length);
                if (null == first)
                {
                    first = answer;
                }
                else if (!first.equals(answer))
                {
                    throw new PropertyViolation(Property.REPLICAS_EQUAL, "key " + new String(key) +
                        " differs between " +
                        "members at the same applied index of group " + group);
                }
            }
        }
        // The whole state, session table included: a replica that diverges in sessions answers retries differently.
        for (int group = 0; group < settings.groups(); group++)
        {
            byte[] first = null;
            for (final SimMember member : members)
            {
                final byte[] state;
                try
                {
                    state = member.machine(group).state();
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
                if (null == first)
                {
                    first = state;
                }
                else if (!java.util.Arrays.equals(first, state))
                {
                    throw new PropertyViolation(Property.REPLICAS_EQUAL, "member " + member.id + " holds another " +
                        "session table or store than member " + members[0].id + " at the same applied index of " +
                        "group " + group);
                }
            }
        }
    }

    private void checkLinearizable()
    {
        final CheckResult result = new LinearizabilityChecker().check(history);
        if (CheckResult.Verdict.NOT_LINEARIZABLE == result.verdict())
        {
            throw new PropertyViolation(Property.LINEARIZABLE, result.explanation());
        }
    }

    private String report(final PropertyViolation violation)
    {
        return "whole-node simulation failed: " + violation.getMessage() + "\n" +
            settings + (null == figureEight ? "" : ", figure-8 faults") + ", planted bug " + bug + "\n" +
            "replay: mvn -o -B -pl daemon -am test -Dtest=NodeSimulationTest -Dsurefire.failIfNoSpecifiedTests=false " +
            "-Dringraft.sim.seed=" + settings.seed() +
            (PlantedNodeBug.NONE == bug ? "" : " -Dringraft.sim.bug=" + bug) +
            "\nlast events (sim time):\n" + timeline.render() + "\nlast network events:\n" +
            String.join("\n", network.recentEvents());
    }
}
