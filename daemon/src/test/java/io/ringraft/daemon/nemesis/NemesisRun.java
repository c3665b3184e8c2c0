package io.ringraft.daemon.nemesis;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.AdminChannel;
import io.ringraft.daemon.client.AdminClient;
import io.ringraft.daemon.client.AdminReply;
import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.server.LoopDisks;
import io.ringraft.linearizability.Bytes;
import io.ringraft.linearizability.CheckResult;
import io.ringraft.linearizability.History;
import io.ringraft.linearizability.LinearizabilityChecker;
import io.ringraft.linearizability.Operation;
import io.ringraft.log.LogInspector;
import io.ringraft.log.SegmentScan;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * One nemesis run: a cluster of member processes, concurrent clients recording every operation, a seeded sequence
 * of faults each followed by its recovery, then healing and the checks: the history is linearizable, no
 * acknowledged write is lost, every member answers every key with the same value, every group's logs agree on the
 * term of every index they share, every member's replicated state (session table and KV map) has the same digest at
 * the same applied index, and the healed cluster serves again within a bound.
 * <p>
 * The seed picks the faults, their victims and their timing; it does not fix the interleaving of the clients'
 * operations with them, so a seed repeats a run's plan, not its history. A failed run keeps its directory (configs,
 * data, member output, history, timeline) and says where.
 */
final class NemesisRun
{
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

    record Settings(
        int members, int groups, int keys, int clients, int workers, Duration duration, long seed,
        boolean longPauses, Duration recoveryBound, Duration healBound, Path directory, boolean plantStaleRead,
        boolean namespaces)
    {
    }

    /** What a run did and found. */
    static final class Report
    {
        final long seed;
        final Path directory;
        final List<String> problems = new ArrayList<>();
        final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        final Map<Fault, Double> worstUnavailableS = new EnumMap<>(Fault.class);
        final Map<Fault, String> skipped = new EnumMap<>(Fault.class);
        long operations;
        long ok;
        long unknown;
        long failedReads;
        int anomalies;
        int lostWrites;
        /** Acknowledged write-once keys read through a member after healing, summed over the members. */
        long writtenOnceChecked;
        boolean diverged;
        double healS;
        /** Per group, the applied index at which every member's state digest was found equal. */
        final Map<Integer, Long> digestsEqualAt = new TreeMap<>();
        String timeline = "";

        Report(final long seed, final Path directory)
        {
            this.seed = seed;
            this.directory = directory;
        }

        boolean passed()
        {
            return problems.isEmpty();
        }

        /** An anomaly, a lost write or members that disagree: never a flake, whatever a rerun does. */
        boolean unsafe()
        {
            return anomalies > 0 || lostWrites > 0 || diverged;
        }

        String summary()
        {
            return String.format("seed %d: %s; %d operations (%d ok, %d unknown, %d reads failed); faults %s; " +
                "worst unavailability s %s; anomalies %d; lost writes %d (write-once reads %d); healed in %.1f s; " +
                "state digests equal (group=applied index) %s%s", seed,
                passed() ? "PASSED" : "FAILED", operations, ok, unknown, failedReads, faults,
                rounded(worstUnavailableS),
                anomalies, lostWrites, writtenOnceChecked, healS, digestsEqualAt, skipped.isEmpty() ? "" : "; skipped " + skipped.keySet());
        }

        String failure()
        {
            return "nemesis run FAILED, seed " + seed + " (-Dringraft.nemesis.seed=" + seed + " repeats its plan):\n" +
                String.join("\n", problems) + "\nconfigs, data, member output, history and timeline kept in " +
                directory + "\nfault timeline:\n" + timeline;
        }

        private static Map<Fault, String> rounded(final Map<Fault, Double> seconds)
        {
            final Map<Fault, String> out = new EnumMap<>(Fault.class);
            seconds.forEach((fault, s) -> out.put(fault, String.format("%.1f", s)));
            return out;
        }
    }

    private final Settings settings;
    private final Random random;
    private final Timeline timeline = new Timeline();
    private final Report report;
    private final Set<Integer> killedByNemesis = new HashSet<>();
    private Members members;
    private Network network;
    private final List<KvClient> clients = new ArrayList<>();
    private Workload workload;
    /** Times in its reports: microseconds since the run started, as the timeline's seconds. */
    private final History history = new History(() -> Math.round(timeline.seconds(System.nanoTime()) * 1e6));
    private byte[][] keys;
    /** Connected for one admin task (a transfer, the digest check) and closed after it. */
    private AdminClient admin;
    /** One member's data directory on a loop-mounted ext4 the nemesis freezes; null where that cannot be made. */
    private LoopDisks disk;
    private Path diskMount;
    private int diskMember = -1;

    NemesisRun(final Settings settings)
    {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.report = new Report(settings.seed(), settings.directory());
    }

    Report run() throws Exception
    {
        try
        {
            final String noNamespaces = settings.namespaces() ? Network.unavailable() :
                "this run keeps every member on 127.0.0.1";
            if (null == noNamespaces)
            {
                network = new Network(settings.members());
                timeline.event("members in network namespaces, at " + network.addressOf(1) + ".." +
                    network.addressOf(settings.members()) + "; clients at " + network.hostAddress());
            }
            members = new Members(settings.directory(), settings.members(), settings.groups(), timeline, network);
            final String noLoopDisk = LoopDisks.unavailable();
            if (null == noLoopDisk)
            {
                diskMember = members.ids[random.nextInt(members.ids.length)];
                disk = new LoopDisks();
                diskMount = members.dataDirOf(diskMember);
                disk.mount(settings.directory().resolve("disk-" + diskMember + ".img"), diskMount);
                timeline.event("member " + diskMember + "'s data directory is a loop-mounted ext4 of its own");
            }
            else
            {
                skip(Fault.DISK_FREEZE, "fsfreeze of a loop-mounted data disk: " + noLoopDisk);
            }
            members.startAll(READY_TIMEOUT);
            for (int c = 0; c < settings.clients(); c++)
            {
                final KvClientOptions options = new KvClientOptions(ClientConfig.load(members.configOf(1)))
                    .attemptTimeout(Duration.ofMillis(200))
                    .requestTimeout(Duration.ofSeconds(3));
                clients.add(KvClient.connect(null == network ? options : options.responseHost(network.hostAddress())));
            }
            keys = new byte[settings.keys()][];
            for (int k = 0; k < keys.length; k++)
            {
                keys[k] = ("key-" + k).getBytes(StandardCharsets.UTF_8);
            }
            workload = new Workload(clients, history, keys, settings.groups(), settings.workers(), settings.seed(), 20,
                members.ids);
            if (settings.plantStaleRead())
            {
                workload.plantStaleRead();
            }
            workload.start();
            awaitServing(System.nanoTime(), settings.healBound(), "before the first fault");
            faults();
            heal();
            check();
        }
        catch (final AssertionError | Exception ex)
        {
            report.problems.add("run aborted: " + ex);
        }
        finally
        {
            finish();
        }
        return report;
    }

    // ------------------------------------------------------------------ faults

    private void faults() throws Exception
    {
        final long endNs = System.nanoTime() + settings.duration().toNanos();
        final List<Fault> kinds = new ArrayList<>(List.of(Fault.KILL_ONE, Fault.KILL_LEADER, Fault.KILL_FOLLOWERS,
            Fault.KILL_ALL, Fault.PAUSE, Fault.KILL_AND_PAUSE, Fault.DAMAGED_TAIL, Fault.TORN_TAIL,
            Fault.TRANSFER_LEADER));
        if (null != disk)
        {
            kinds.add(Fault.DISK_FREEZE);
        }
        if (settings.longPauses())
        {
            kinds.add(Fault.PAUSE_LONG);
        }
        if (null == network)
        {
            for (final Fault partition : new Fault[]{Fault.PARTITION_LEADER, Fault.PARTITION_HALVES,
                Fault.PARTITION_ONE_WAY, Fault.PARTITION_BRIDGE})
            {
                skip(partition, "partitions need members in network namespaces: " + (settings.namespaces() ?
                    Network.unavailable() : "this run keeps every member on 127.0.0.1"));
            }
        }
        else
        {
            // Twice: partitions are what members in namespaces are for, and a short run draws only a few faults.
            for (int twice = 0; twice < 2; twice++)
            {
                kinds.addAll(List.of(Fault.PARTITION_LEADER, Fault.PARTITION_HALVES, Fault.PARTITION_ONE_WAY,
                    Fault.PARTITION_BRIDGE));
            }
        }
        while (System.nanoTime() - endNs < 0 && report.problems.isEmpty())
        {
            final Fault fault = kinds.get(random.nextInt(kinds.size()));
            report.faults.merge(fault, 1, Integer::sum);
            timeline.event("FAULT " + fault);
            workload.resetGaps();
            final long recoveredNs = inject(fault);
            awaitServing(recoveredNs, settings.recoveryBound(), "after " + fault + " was undone");
            final double unavailableS = workload.longestGapS();
            timeline.event(String.format("%s undone; every group serves; longest time a group served nothing: %.1f s",
                fault, unavailableS));
            report.worstUnavailableS.merge(fault, unavailableS, Math::max);
            final String crashed = members.exitedOnTheirOwn(killedByNemesis);
            if (!crashed.isEmpty())
            {
                report.problems.add("members exited on their own: " + crashed);
            }
            Thread.sleep(500 + random.nextInt(1000)); // quiet between faults: the workload runs unfaulted
        }
    }

    private void skip(final Fault fault, final String why)
    {
        report.skipped.put(fault, why);
        timeline.event("skip " + fault + ": " + why);
    }

    /** Injects the fault and undoes it; returns when it was undone (every member running again). */
    private long inject(final Fault fault) throws Exception
    {
        final int[] ids = members.ids;
        final int group = random.nextInt(settings.groups());
        final int victim = ids[random.nextInt(ids.length)];
        switch (fault)
        {
            case KILL_ONE ->
            {
                kill(victim);
                hold(500, 3000);
                restart(victim);
            }
            case KILL_LEADER ->
            {
                final int leader = leaderOf(group);
                timeline.event("group " + group + " led by " + leader + " as the client last saw");
                kill(leader);
                hold(300, 3000);
                restart(leader);
            }
            case KILL_FOLLOWERS ->
            {
                final int leader = leaderOf(group);
                final List<Integer> followers = new ArrayList<>();
                for (final int id : ids)
                {
                    if (id != leader)
                    {
                        followers.add(id);
                    }
                }
                final boolean staggered = random.nextBoolean();
                timeline.event("group " + group + " led by " + leader + "; kill its followers " + followers +
                    (staggered ? " one after the other" : " at once"));
                for (final int follower : followers)
                {
                    kill(follower);
                    if (staggered)
                    {
                        hold(500, 2000);
                    }
                }
                hold(0, 1000);
                for (final int follower : followers)
                {
                    restart(follower);
                }
            }
            case KILL_ALL ->
            {
                for (final int id : ids)
                {
                    kill(id);
                }
                hold(0, 1000);
                for (final int id : ids)
                {
                    restart(id);
                }
            }
            case PAUSE ->
            {
                members.pause(victim);
                hold(1000, 4000);
                members.resume(victim);
            }
            case PAUSE_LONG ->
            {
                members.pause(victim);
                hold(15_500, 20_000);
                members.resume(victim);
            }
            case KILL_AND_PAUSE ->
            {
                final int other = ids[(indexOf(victim) + 1 + random.nextInt(ids.length - 1)) % ids.length];
                members.pause(other);
                hold(0, 500);
                kill(victim);
                hold(500, 2500);
                members.resume(other);
                hold(0, 500);
                restart(victim);
            }
            case DAMAGED_TAIL, TORN_TAIL ->
            {
                kill(victim);
                damage(victim, group, Fault.DAMAGED_TAIL == fault);
                restart(victim);
            }
            case PARTITION_LEADER ->
            {
                final int leader = leaderOf(group);
                final List<Integer> others = others(List.of(leader));
                timeline.event("cut group " + group + "'s leader " + leader + " off from " + others);
                cut(List.of(leader), others, true);
                hold(1000, 4000);
                healNetwork();
            }
            case PARTITION_HALVES ->
            {
                final List<Integer> minority = pick(random.nextInt((ids.length - 1) / 2) + 1);
                final List<Integer> majority = others(minority);
                timeline.event("partition " + minority + " | " + majority);
                cut(minority, majority, true);
                hold(1000, 4000);
                healNetwork();
            }
            case PARTITION_ONE_WAY ->
            {
                final int deaf = victim;
                final int other = ids[(indexOf(victim) + 1 + random.nextInt(ids.length - 1)) % ids.length];
                timeline.event("member " + deaf + " no longer hears member " + other + " (one way)");
                network.block(other, deaf);
                hold(1000, 4000);
                healNetwork();
            }
            case PARTITION_BRIDGE ->
            {
                final List<Integer> order = pick(ids.length);
                final int bridge = order.get(0);
                final List<Integer> left = order.subList(1, 1 + (ids.length - 1) / 2);
                final List<Integer> right = order.subList(1 + (ids.length - 1) / 2, ids.length);
                timeline.event("partition " + left + " | " + right + ", bridged by member " + bridge);
                cut(left, right, true);
                hold(1000, 4000);
                healNetwork();
            }
            case DISK_FREEZE ->
            {
                timeline.event("freeze member " + diskMember + "'s data disk (fsfreeze " + diskMount + ")");
                disk.freeze(diskMount);
                hold(2500, 6000);
                disk.thaw(diskMount);
                timeline.event("thawed member " + diskMember + "'s data disk");
            }
            case TRANSFER_LEADER ->
            {
                // Half the time while another member is paused: a transfer meeting a fault.
                int paused = -1;
                if (random.nextBoolean())
                {
                    paused = ids[(indexOf(victim) + 1 + random.nextInt(ids.length - 1)) % ids.length];
                    members.pause(paused);
                    hold(0, 1000);
                }
                transferLeader(group, victim);
                hold(500, 2000);
                if (paused > 0)
                {
                    members.resume(paused);
                }
            }
            default -> throw new IllegalStateException("no injection for " + fault);
        }
        return System.nanoTime();
    }

    /**
     * Asks the group's leader (as the client saw it, then as the answers hint) to hand leadership to {@code target}
     * with the admin command; whatever it answers goes to the timeline: a transfer may fail under faults, only the
     * history's checks judge the run.
     */
    private void transferLeader(final int group, final int target) throws IOException
    {
        connectAdmin();
        try
        {
            transferLeaderOnce(group, target);
        }
        finally
        {
            closeAdmin();
        }
    }

    /**
     * A fresh admin connection for each task: one kept across the faults stopped hearing from a member that was
     * killed and restarted in a network namespace (seen once, seed 5), which is a matter for the admin client, not
     * for what this run checks.
     */
    private void connectAdmin() throws IOException
    {
        closeAdmin();
        admin = AdminClient.connect(members.clusterId(), new ArrayList<>(members.clientEndpoints().values()),
            null == network ? "127.0.0.1" : network.hostAddress(), ADMIN_TIMEOUT,
            ClusterSecret.load(members.secretFile()).clientAuthenticator(), false);
    }

    private void closeAdmin()
    {
        if (null != admin)
        {
            admin.close();
            admin = null;
        }
    }

    private void transferLeaderOnce(final int group, final int target)
    {
        int asked = leaderOf(group);
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            timeline.event("admin: ask member " + asked + " to transfer group " + group + "'s leadership to " + target);
            try
            {
                final AdminReply reply = admin.request(members.clientEndpoints().get(asked),
                    AdminAction.TRANSFER_LEADER, group, target, "", ADMIN_TIMEOUT);
                timeline.event("admin: member " + reply.respondingMember() + " answers " + reply.status() +
                    ", leader " + reply.leaderHint() + (reply.error().isEmpty() ? "" : ": " + reply.error()));
                if (ResponseStatus.NOT_LEADER != reply.status() || reply.leaderHint() <= 0 ||
                    reply.leaderHint() == asked || !members.clientEndpoints().containsKey(reply.leaderHint()))
                {
                    return;
                }
                asked = reply.leaderHint();
            }
            catch (final AdminChannel.UnreachableException ex)
            {
                timeline.event("admin: member " + asked + " did not answer: " + ex.getMessage());
                return;
            }
        }
    }

    private void cut(final List<Integer> side, final List<Integer> otherSide, final boolean bothWays)
        throws IOException
    {
        for (final int a : side)
        {
            for (final int b : otherSide)
            {
                network.block(a, b);
                if (bothWays)
                {
                    network.block(b, a);
                }
            }
        }
    }

    private void healNetwork() throws IOException
    {
        network.healAll();
        timeline.event("network healed");
    }

    /** {@code count} distinct members in a seeded random order. */
    private List<Integer> pick(final int count)
    {
        final List<Integer> all = new ArrayList<>();
        for (final int id : members.ids)
        {
            all.add(id);
        }
        java.util.Collections.shuffle(all, random);
        return new ArrayList<>(all.subList(0, count));
    }

    private List<Integer> others(final List<Integer> excluded)
    {
        final List<Integer> rest = new ArrayList<>();
        for (final int id : members.ids)
        {
            if (!excluded.contains(id))
            {
                rest.add(id);
            }
        }
        return rest;
    }

    private int indexOf(final int member)
    {
        for (int i = 0; i < members.ids.length; i++)
        {
            if (members.ids[i] == member)
            {
                return i;
            }
        }
        throw new IllegalArgumentException("no member " + member);
    }

    private int leaderOf(final int group)
    {
        final int leader = clients.get(0).leaderOf(group);
        for (final int id : members.ids)
        {
            if (id == leader)
            {
                return leader;
            }
        }
        return members.ids[random.nextInt(members.ids.length)];
    }

    private void kill(final int member) throws InterruptedException
    {
        killedByNemesis.add(member);
        members.kill(member);
    }

    private void restart(final int member) throws IOException, InterruptedException
    {
        members.start(member);
        members.awaitReady(member, READY_TIMEOUT);
        killedByNemesis.remove(member);
    }

    private void hold(final int fromMs, final int toMs) throws InterruptedException
    {
        Thread.sleep(fromMs + random.nextInt(toMs - fromMs + 1));
    }

    /**
     * Damage a correct member survives: {@code synced} zeroes the last 4 KiB of its written log of the group (synced
     * bytes, but of one member only: a majority still holds every acknowledged entry, and the member must repair
     * them); else random bytes past the end of what it wrote, as a torn write that was never synced nor acknowledged.
     */
    private void damage(final int member, final int group, final boolean synced) throws IOException
    {
        final Path directory = LogInspector.groupDirectory(members.dataDirOf(member), group);
        if (!Files.isDirectory(directory))
        {
            timeline.event("member " + member + " has no log of group " + group + " yet: nothing damaged");
            return;
        }
        final LogInspector.Report log = LogInspector.inspect(directory, group, null);
        if (log.segments().isEmpty())
        {
            timeline.event("member " + member + " has no segment of group " + group + " yet: nothing damaged");
            return;
        }
        final LogInspector.SegmentReport last = log.segments().get(log.segments().size() - 1);
        try (FileChannel channel = FileChannel.open(last.file(), StandardOpenOption.WRITE))
        {
            final long from;
            final ByteBuffer bytes;
            if (synced)
            {
                from = Math.max(SegmentScan.HEADER_LENGTH, last.bytesUsed() - 4096);
                bytes = ByteBuffer.allocate((int)(last.bytesUsed() - from));
            }
            else
            {
                from = last.bytesUsed();
                final int length = (int)Math.min(1 + random.nextInt(4096), Math.max(0, channel.size() - from));
                final byte[] garbage = new byte[length];
                random.nextBytes(garbage);
                bytes = ByteBuffer.wrap(garbage);
            }
            final int length = bytes.remaining();
            while (bytes.hasRemaining())
            {
                channel.write(bytes, from + bytes.position());
            }
            channel.force(true);
            timeline.event((synced ? "zeroed " : "wrote garbage over ") + length + " bytes at " + from + " of " +
                last.file() + " (member " + member + ", group " + group + ", " + last.bytesUsed() + " bytes used)");
        }
    }

    // ------------------------------------------------------------------ healing and checks

    /** Every group acknowledges an operation begun after {@code sinceNs} within {@code bound}; seconds it took. */
    private double awaitServing(final long sinceNs, final Duration bound, final String when)
        throws InterruptedException
    {
        final long deadlineNs = sinceNs + bound.toNanos();
        for (int group = 0; group < settings.groups(); group++)
        {
            while (workload.lastOkNs(group) - sinceNs <= 0)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("group " + group + " served no operation within " + bound + " " + when);
                }
                Thread.sleep(20); // polling the workload's progress, bounded by the deadline
            }
        }
        return (System.nanoTime() - sinceNs) / 1e9;
    }

    private void heal() throws Exception
    {
        if (null != network)
        {
            healNetwork();
        }
        for (final int id : members.ids)
        {
            if (!members.isAlive(id))
            {
                restart(id);
            }
        }
        timeline.event("healed: every member runs; workload stops");
        final long healedNs = System.nanoTime();
        report.healS = awaitServing(healedNs, settings.healBound(), "after healing");
        workload.stop();
    }

    private void check() throws Exception
    {
        final long deadlineNs = System.nanoTime() + settings.healBound().toNanos();
        final Map<Bytes, Bytes> finals = new LinkedHashMap<>();
        final int reader = settings.workers();
        for (final byte[] key : keys)
        {
            finals.put(Bytes.copyOf(key), Bytes.copyOfNullable(readBack(reader, key, -1, deadlineNs)));
        }
        // Convergence: each member answers each key with the value the linearizable read found.
        for (final byte[] key : keys)
        {
            final Bytes expected = finals.get(Bytes.copyOf(key));
            for (final int member : members.ids)
            {
                Bytes seen = Bytes.copyOfNullable(readBack(reader, key, member, deadlineNs));
                while (!java.util.Objects.equals(seen, expected) && System.nanoTime() - deadlineNs < 0)
                {
                    Thread.sleep(50); // it may still be catching up: bounded by the heal deadline
                    seen = Bytes.copyOfNullable(readBack(reader, key, member, deadlineNs));
                }
                if (!java.util.Objects.equals(seen, expected))
                {
                    report.diverged = true;
                    report.problems.add("member " + member + " answers " + new String(key, StandardCharsets.UTF_8) +
                        " with " + seen + ", the cluster with " + expected + " (no convergence within " +
                        settings.healBound() + ")");
                }
            }
        }
        checkWrittenOnce(deadlineNs);
        checkLogsAgree();
        checkStateDigests(System.nanoTime() + settings.healBound().toNanos());

        final List<Operation> operations = history.operations();
        report.operations = operations.size();
        report.ok = operations.stream().filter(op -> Operation.Outcome.OK == op.outcome()).count();
        report.unknown = operations.stream().filter(Operation::indeterminate).count();
        report.failedReads = operations.stream().filter(op -> Operation.Outcome.FAILED == op.outcome()).count();
        writeHistory(operations);

        final Map<Bytes, List<Operation>> byKey = new HashMap<>();
        operations.forEach(op -> byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op));
        for (final Map.Entry<Bytes, Bytes> entry : finals.entrySet())
        {
            final List<String> lost =
                Checks.lostWrites(byKey.getOrDefault(entry.getKey(), List.of()), entry.getValue());
            report.lostWrites += lost.size();
            lost.stream().limit(5)
                .forEach(what -> report.problems.add("LOST WRITE of " + entry.getKey() + ": " + what));
        }

        if (settings.plantStaleRead())
        {
            timeline.event("planted a stale read in the record: " + workload.planted);
        }
        final CheckResult result = new LinearizabilityChecker().check(operations);
        if (!result.isLinearizable())
        {
            report.anomalies++;
            final List<Operation> keyOps = byKey.getOrDefault(result.key(), List.of());
            final StringBuilder text = new StringBuilder("history " + result.verdict() + ":\n" + result.explanation());
            if (CheckResult.Verdict.NOT_LINEARIZABLE == result.verdict())
            {
                final List<Operation> smallest = Checks.shrink(keyOps, 30_000);
                text.append("\nsmallest failing sub-history of ").append(result.key()).append(" found (")
                    .append(smallest.size()).append(" of its ").append(keyOps.size()).append(" operations):");
                smallest.forEach(op -> text.append("\n  ").append(op));
            }
            report.problems.add(text.toString());
        }
    }

    /**
     * Every write-once key whose put was acknowledged is there, with its value, on every member: read through each
     * member (a follower answers from its own state machine once it has applied as far as the leader's read index),
     * a window of reads in flight at a time. A key missing on a member is a lost write, whatever the other members
     * hold: an acknowledged entry that member did not apply (no later write can cover it).
     */
    private void checkWrittenOnce(final long deadlineNs) throws InterruptedException
    {
        final List<byte[][]> written = new ArrayList<>(workload.writtenOnce);
        for (final int member : members.ids)
        {
            final Map<Bytes, Bytes> seen = new HashMap<>();
            for (int from = 0; from < written.size(); from += 64)
            {
                final List<byte[][]> window = written.subList(from, Math.min(written.size(), from + 64));
                final List<java.util.concurrent.CompletableFuture<byte[]>> reads = new ArrayList<>();
                window.forEach(once -> reads.add(clients.get(0).getAsync(once[0], member)));
                for (int i = 0; i < window.size(); i++)
                {
                    final byte[] key = window.get(i)[0];
                    byte[] value;
                    try
                    {
                        value = Workload.await(reads.get(i));
                    }
                    catch (final KvException ex)
                    {
                        value = readBack(settings.workers(), key, member, deadlineNs); // retried until the deadline
                    }
                    seen.put(Bytes.copyOf(key), Bytes.copyOfNullable(value));
                }
            }
            final List<String> missing = Checks.missingWrittenOnce(written, seen);
            report.lostWrites += missing.size();
            report.writtenOnceChecked += written.size();
            if (!missing.isEmpty())
            {
                report.problems.add("LOST WRITE on member " + member + ": " + missing.size() + " of " +
                    written.size() + " acknowledged write-once keys missing or wrong, e.g.:\n  " +
                    String.join("\n  ", missing.subList(0, Math.min(5, missing.size()))));
            }
        }
        timeline.event("write-once keys: " + written.size() + " acknowledged, read through each member");
    }

    /** A linearizable read of {@code key} (through {@code member}, or -1: the leader), retried until the deadline. */
    private byte[] readBack(final int process, final byte[] key, final int member, final long deadlineNs)
        throws InterruptedException
    {
        while (true)
        {
            final History.Call call = history.get(process, key);
            try
            {
                final byte[] value = Workload.await(member < 0 ? clients.get(0).getAsync(key) :
                    clients.get(0).getAsync(key, member));
                call.okGet(value);
                return value;
            }
            catch (final KvException ex)
            {
                call.failed();
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("could not read " + new String(key, StandardCharsets.UTF_8) +
                        (member < 0 ? "" : " through member " + member) + " after healing: " + ex.getMessage());
                }
                Thread.sleep(50); // bounded by the deadline
            }
        }
    }

    /** Every group's logs, read with the log inspector: the same term at every index two members both hold. */
    private void checkLogsAgree()
    {
        for (int group = 0; group < settings.groups(); group++)
        {
            final Map<Integer, Map<Long, Long>> terms = new TreeMap<>();
            for (final int member : members.ids)
            {
                final Map<Long, Long> of = new HashMap<>();
                final Path directory = LogInspector.groupDirectory(members.dataDirOf(member), group);
                if (Files.isDirectory(directory))
                {
                    LogInspector.inspect(directory, group, (buffer, position, index, term) -> of.put(index, term));
                }
                terms.put(member, of);
            }
            final int g = group;
            terms.forEach((a, termsOfA) -> terms.forEach((b, termsOfB) ->
            {
                if (a < b)
                {
                    termsOfA.entrySet().stream()
                        .filter(e -> termsOfB.containsKey(e.getKey()) && !termsOfB.get(e.getKey()).equals(e.getValue()))
                        .findFirst()
                        .ifPresent(e -> report.diverged |= report.problems.add("group " + g + ": members " + a +
                            " and " + b +
                            " disagree on the term of index " + e.getKey() + ": " + e.getValue() + " and " +
                            termsOfB.get(e.getKey())));
                }
            }));
        }
    }

    /**
     * Every member's replicated state of every group, compared by digest at equal applied index: once all members
     * report the same applied index of every group (admin STATUS), each is asked to snapshot (admin SNAPSHOT) and the
     * digest is the SHA-256 of the snapshot's state bytes (the session table, then the KV map sorted by key: the same
     * bytes for the same state) read from its file. Two members with different digests at one index have diverged,
     * whatever else the run saw; the retained older snapshots are compared too. Retried within {@code deadlineNs} while
     * members still apply (a client's session traffic may move the index between the asks).
     */
    private void checkStateDigests(final long deadlineNs) throws Exception
    {
        String unsettled = "";
        connectAdmin();
        while (true)
        {
            String notEqual;
            try
            {
                notEqual = appliedIndexesDiffer();
                for (int i = 0; null == notEqual && i < members.ids.length; i++)
                {
                    final int member = members.ids[i];
                    final AdminReply reply = admin.request(members.clientEndpoints().get(member), AdminAction.SNAPSHOT,
                        -1, -1, "", ADMIN_TIMEOUT);
                    if (!reply.ok())
                    {
                        notEqual = "admin SNAPSHOT of member " + member + " answered " + reply.status() + " " +
                            reply.error();
                    }
                }
            }
            catch (final AdminChannel.UnreachableException ex)
            {
                notEqual = "a member did not answer an admin request: " + ex.getMessage();
                timeline.event(notEqual + "; connecting the admin client again");
                connectAdmin();
            }
            if (null == notEqual)
            {
                unsettled = compareDigests();
                if (null == unsettled || report.diverged)
                {
                    return;
                }
            }
            else
            {
                unsettled = notEqual;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                report.problems.add("state digests not compared: " + unsettled + " (not settled within " +
                    settings.healBound() + ")");
                return;
            }
            Thread.sleep(200); // members still applying: bounded by the deadline
        }
    }

    /** Null when every member reports one applied index (all committed entries applied) per group, else what differs. */
    private String appliedIndexesDiffer() throws AdminChannel.UnreachableException
    {
        final Map<Integer, Map<Integer, Long>> appliedByGroup = new TreeMap<>();
        for (final int member : members.ids)
        {
            final AdminReply reply = admin.request(members.clientEndpoints().get(member), AdminAction.STATUS, -1, -1,
                "", ADMIN_TIMEOUT);
            if (!reply.ok())
            {
                return "member " + member + " answered STATUS with " + reply.status() + " " + reply.error();
            }
            for (final AdminReply.GroupInfo group : reply.groups())
            {
                if (group.lag() > 0)
                {
                    return "member " + member + " has " + group.lag() + " committed entries of group " +
                        group.groupId() + " to apply";
                }
                appliedByGroup.computeIfAbsent(group.groupId(), g -> new TreeMap<>())
                    .put(member, group.appliedIndex());
            }
        }
        for (final Map.Entry<Integer, Map<Integer, Long>> group : appliedByGroup.entrySet())
        {
            if (group.getValue().values().stream().distinct().count() > 1)
            {
                return "group " + group.getKey() + "'s applied indexes differ: " + group.getValue();
            }
        }
        return null;
    }

    /**
     * Compares the members' snapshot digests of every group at each index two of them hold (a difference: diverged);
     * null when every group's newest snapshots are at one index on all members, else what differs.
     */
    private String compareDigests() throws IOException, NoSuchAlgorithmException
    {
        String unsettled = null;
        for (int group = 0; group < settings.groups(); group++)
        {
            final Map<Long, Map<Integer, String>> digests = new TreeMap<>();
            final Map<Integer, Long> newest = new TreeMap<>();
            for (final int member : members.ids)
            {
                final Path directory = LogInspector.groupDirectory(members.dataDirOf(member), group);
                newest.put(member, 0L);
                if (!Files.isDirectory(directory))
                {
                    continue;
                }
                for (final LogInspector.SnapshotReport snapshot : LogInspector.inspect(directory, group, null).snapshots())
                {
                    if (!snapshot.verified())
                    {
                        continue;
                    }
                    final String digest = digestOf(snapshot);
                    if (null != digest)
                    {
                        digests.computeIfAbsent(snapshot.index(), i -> new TreeMap<>()).put(member, digest);
                        newest.merge(member, snapshot.index(), Math::max);
                    }
                }
            }
            for (final Map.Entry<Long, Map<Integer, String>> at : digests.entrySet())
            {
                if (at.getValue().values().stream().distinct().count() > 1)
                {
                    report.diverged = true;
                    report.problems.add("group " + group + ": the members' states differ at applied index " +
                        at.getKey() + ": digests " + at.getValue());
                }
            }
            final long index = newest.get(members.ids[0]);
            if (newest.values().stream().distinct().count() > 1 || 0 == index)
            {
                unsettled = "group " + group + "'s newest snapshots are at indexes " + newest;
            }
            else if (!report.diverged)
            {
                timeline.event("group " + group + ": every member's state at applied index " + index + " has digest " +
                    digests.get(index).get(members.ids[0]));
                report.digestsEqualAt.put(group, index);
            }
        }
        return unsettled;
    }

    /** SHA-256 of a snapshot's state bytes (the end of its file), in hex; null when it was pruned meanwhile. */
    private static String digestOf(final LogInspector.SnapshotReport snapshot)
        throws IOException, NoSuchAlgorithmException
    {
        final byte[] file;
        try
        {
            file = Files.readAllBytes(snapshot.file());
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return null;
        }
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(file, (int)(file.length - snapshot.dataLength()), (int)snapshot.dataLength());
        return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private void writeHistory(final List<Operation> operations) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        operations.forEach(op -> lines.add(op.toString()));
        Files.write(settings.directory().resolve("history.txt"), lines, StandardCharsets.UTF_8);
    }

    /**
     * Stops everything the run started, whatever state it is in; also when the run's thread was interrupted (a test
     * timeout), which is cleared for the cleanup and set again after it.
     */
    private void finish() throws IOException
    {
        final boolean interrupted = Thread.interrupted();
        try
        {
            if (null != workload)
            {
                workload.stop();
            }
        }
        catch (final InterruptedException ex)
        {
            report.problems.add("interrupted while stopping the workload");
        }
        for (final KvClient client : clients)
        {
            client.close();
        }
        closeAdmin();
        if (null != disk)
        {
            disk.thawAll();
        }
        try
        {
            if (null != members)
            {
                members.close();
            }
        }
        catch (final InterruptedException ex)
        {
            report.problems.add("interrupted while stopping the members");
        }
        if (null != network)
        {
            network.close();
        }
        if (null != disk)
        {
            if (!report.passed())
            {
                try
                {
                    disk.copy(diskMount, settings.directory().resolve("data-" + diskMember + "-kept"));
                }
                catch (final IOException ex)
                {
                    report.problems.add("could not keep member " + diskMember + "'s data disk: " + ex.getMessage());
                }
            }
            disk.close();
        }
        report.timeline = timeline.toString();
        Files.createDirectories(settings.directory());
        Files.write(settings.directory().resolve("timeline.txt"), timeline.events(), StandardCharsets.UTF_8);
        if (report.passed())
        {
            IoUtil.delete(settings.directory().toFile(), false);
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
