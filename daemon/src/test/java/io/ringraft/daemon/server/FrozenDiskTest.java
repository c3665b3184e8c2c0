package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.pipeline.CounterLabels;
import io.ringraft.pipeline.CountersFile;
import io.ringraft.raft.Role;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16: with the leader's data directory on a loop-mounted ext4 under {@code fsfreeze}, the whole member froze
 * (persist, apply and transport threads in D state), so the designed hand-over never ran and the followers elected a
 * leader only once their timeouts ran out. Here each member's data directory is its own small ext4 on a loop device,
 * the counters are in /dev/shm ({@code counters.dir}), and the leader's file system is frozen while writes go on:
 * <ul>
 *   <li>it gives up the leadership within its stall bound (as its own warning states it) and a few seconds of slack,
 *   measured and printed: its transfer is kept going until the target has caught up (dropped after an election
 *   timeout, it left leadership to a step-down a second bound later and an election, 6.2 s against a 2 s
 *   bound);</li>
 *   <li>its transport keeps running meanwhile: the followers keep hearing its heartbeats, so the member that is not
 *   the transfer's target starts no election, and the frozen member itself hears of the new leader;</li>
 *   <li>once thawed it rejoins as a follower: a write made after the thaw is read through it.</li>
 * </ul>
 * Skipped, saying why, where loop devices cannot be made (not root, no losetup); an injected storage stall covers
 * the same ground in-process (engine SlowDiskTest). Mounts and loop devices are released whatever happens.
 * <p>
 * It failed before the log wrote with {@code pwrite}: a store into the segment's mapping faulted and slept in
 * {@code ext4_page_mkwrite} while the thread was, for the JVM, running Java code, so the next safepoint waited for it
 * and every other thread of the member stopped at it.
 */
@Timeout(value = 240)
class FrozenDiskTest
{
    private static final int GROUPS = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Generous: the bound is at most 8 × its 2 s floor on a host whose disk was slow just before the freeze. */
    private static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration HEARS_NEW_LEADER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(30);
    /** Slack over the stated bound for polling, a loaded host and the transfer's own election. */
    private static final long SLACK_MS = 3_000;
    private static final long PUT_INTERVAL_MS = 50;
    private static final int MAX_OUTSTANDING_PUTS = 100;
    private static final Pattern STALL_LINE =
        Pattern.compile("persist stage made no progress for ([\\d,]+) ms \\(bound ([\\d,]+) ms\\)");
    private static final Pattern TRANSFER_LINE = Pattern.compile("leader transfers leadership to member (\\d+)");

    @RegisterExtension
    final MemberProcesses members = new MemberProcesses(GROUPS);
    private final String countersPrefix =
        "/dev/shm/ringraft-frozen-disk-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private final Map<Integer, CountersFile> counters = new TreeMap<>();
    private LoopDisks disks;
    private KvClient client;
    private int written;

    @AfterEach
    void releaseEverything() throws InterruptedException
    {
        if (null != client)
        {
            client.close();
        }
        counters.values().forEach(CountersFile::close);
        if (null != disks)
        {
            // Thawed first: a process blocked on the frozen disk ends only then, and the mounts are busy until it has.
            disks.thawAll();
            for (final int member : ClusterFiles.MEMBERS)
            {
                if (members.isAlive(member))
                {
                    members.kill(member);
                }
            }
            disks.close();
        }
        for (final int member : ClusterFiles.MEMBERS)
        {
            IoUtil.delete(Path.of(countersPrefix + "-m" + member).toFile(), true);
        }
    }

    @Test
    void aLeaderWhoseDiskFreezesHandsOverWithinItsBoundKeepsItsTransportAndRejoinsWhenThawed() throws Exception
    {
        final String unavailable = LoopDisks.unavailable();
        Assumptions.assumeTrue(null == unavailable, () -> "frozen-disk test skipped: " + unavailable);
        disks = new LoopDisks();
        for (final int member : ClusterFiles.MEMBERS)
        {
            final Path config = members.files().configOf(member);
            Files.writeString(config, DaemonConfig.COUNTERS_DIR + " = " + countersDir(member) + "\n",
                StandardOpenOption.APPEND);
            disks.mount(members.directory().resolve("disk-" + member + ".img"), members.dataDirOf(member));
        }
        members.startAll(READY_TIMEOUT);
        client = KvClient.connect(new KvClientOptions(ClientConfig.load(members.files().configOf(1)))
            .attemptTimeout(Duration.ofMillis(300))
            .requestTimeout(Duration.ofSeconds(10)));
        for (int i = 0; i < 40; i++)
        {
            put("warm-up-" + i); // the group elects a leader, every member writes to its disk
        }
        for (final int member : ClusterFiles.MEMBERS)
        {
            counters.put(member, CountersFile.openForReading(countersDir(member)));
        }
        final int frozen = leader();
        assertThat(frozen).as("leader of group 0").isIn(1, 2, 3);
        final long termBefore = group(frozen, "term");
        final Map<Integer, Long> electionsBefore = new TreeMap<>();
        for (final int member : ClusterFiles.MEMBERS)
        {
            electionsBefore.put(member, group(member, "elections-started"));
        }

        members.event("freeze the data disk of member " + frozen + " (leader of group 0, term " + termBefore + ")");
        disks.freeze(members.dataDirOf(frozen));
        final long frozenAtNs = System.nanoTime();
        final int newLeader = awaitHandOver(frozen, frozenAtNs);
        final long handOverMs = (System.nanoTime() - frozenAtNs) / 1_000_000;
        members.event("member " + newLeader + " leads group 0, " + handOverMs + " ms after the freeze");

        final String frozenOutput = members.currentOutput(frozen);
        final Matcher stall = STALL_LINE.matcher(frozenOutput);
        assertThat(stall.find()).as("the frozen leader's stall warning; its output:\n" + frozenOutput).isTrue();
        final long boundMs = Long.parseLong(stall.group(2).replace(",", ""));
        final boolean transferred = frozenOutput.contains("the most caught-up voter: started");
        final boolean steppedDown = frozenOutput.contains("leader steps down");
        final String verdict = String.format("frozen disk of leader %d: leadership left it %d ms after the freeze " +
            "(stall bound %d ms, %s); new leader %d at term %d", frozen, handOverMs, boundMs,
            steppedDown ? "transfer failed, stepped down" : "transferred", newLeader, group(newLeader, "term"));
        System.out.println(verdict);
        members.event(verdict);
        assertThat(handOverMs).as(verdict + "; its output:\n" + frozenOutput).isLessThanOrEqualTo(boundMs + SLACK_MS);

        // The transport ran all along: until the transfer the followers heard the frozen leader's heartbeats, so the
        // one that was not the transfer's target never timed out, and the frozen member hears the new leader.
        assertThat(transferred || steppedDown).as("a transfer or a step-down in the output:\n" + frozenOutput).isTrue();
        if (!steppedDown)
        {
            final Matcher transfer = TRANSFER_LINE.matcher(frozenOutput);
            assertThat(transfer.find()).isTrue();
            assertThat(newLeader).as("the new leader is the transfer's target").isEqualTo(
                Integer.parseInt(transfer.group(1)));
            assertThat(group(newLeader, "term")).as("one election, the transfer's").isEqualTo(termBefore + 1);
            for (final int member : ClusterFiles.MEMBERS)
            {
                if (member != newLeader)
                {
                    assertThat(group(member, "elections-started")).as("elections started by member %d, " +
                        "which heard the frozen leader until the transfer", member).isEqualTo(electionsBefore.get(member));
                }
            }
        }
        awaitFrozenMemberHears(frozen, newLeader);
        assertThat(members.isAlive(frozen)).as("the frozen member's process").isTrue();

        members.event("thaw the data disk of member " + frozen);
        disks.thaw(members.dataDirOf(frozen));
        final long thawedNs = System.nanoTime();
        final String after = put("after-thaw-" + written);
        awaitReadableThrough(frozen, after, thawedNs);
        final String rejoined = String.format("member %d rejoined %.1f s after the thaw, %s of group 0", frozen,
            (System.nanoTime() - thawedNs) / 1e9, Role.values()[(int)group(frozen, "role")]);
        System.out.println(rejoined);
        members.event(rejoined);
        assertThat(group(frozen, "role")).as(rejoined).isNotEqualTo(Role.LEADER.ordinal());
        assertThat(members.crashReports()).as("JVM crash reports").isEmpty();
    }

    /** Writes go on (asynchronously, so that the polling keeps its pace) until another member leads. */
    private int awaitHandOver(final int frozen, final long frozenAtNs) throws Exception
    {
        final long deadlineNs = frozenAtNs + HAND_OVER_TIMEOUT.toNanos();
        final List<CompletableFuture<Void>> outstanding = new ArrayList<>();
        long nextPutNs = frozenAtNs;
        while (System.nanoTime() - deadlineNs < 0)
        {
            outstanding.removeIf(CompletableFuture::isDone);
            if (System.nanoTime() - nextPutNs >= 0 && outstanding.size() < MAX_OUTSTANDING_PUTS)
            {
                final String key = "frozen-" + frozen + "-" + written++;
                outstanding.add(client.putAsync(bytes(key), bytes("value-" + key)));
                nextPutNs += PUT_INTERVAL_MS * 1_000_000;
            }
            if (Role.LEADER.ordinal() != group(frozen, "role"))
            {
                for (final int member : ClusterFiles.MEMBERS)
                {
                    if (member != frozen && Role.LEADER.ordinal() == group(member, "role"))
                    {
                        return member;
                    }
                }
            }
            if (!members.isAlive(frozen))
            {
                throw new AssertionError("member " + frozen + " died with its disk frozen:\n" +
                    members.currentOutput(frozen));
            }
            Thread.sleep(10); // polling counters, bounded by the deadline
        }
        throw new AssertionError("no other member leads group 0 within " + HAND_OVER_TIMEOUT + " of freezing the " +
            "disk of member " + frozen + " (its role " + group(frozen, "role") + "); its threads blocked on the disk:\n" +
            blockedThreads(members.pid(frozen)) + "its output:\n" + members.currentOutput(frozen));
    }

    /**
     * The threads of process {@code pid} in uninterruptible sleep (D), each with its kernel stack: a thread stuck in
     * a page fault of a memory-mapped file on the frozen disk holds up every safepoint of its JVM, so that all the
     * others stop too (they then wait on a futex, not on the disk).
     */
    private static String blockedThreads(final long pid)
    {
        final StringBuilder blocked = new StringBuilder();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks.toList())
            {
                final String stat = Files.readString(task.resolve("stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("D"))
                {
                    blocked.append(Files.readString(task.resolve("comm")).trim()).append(":\n")
                        .append(Files.readString(task.resolve("stack")));
                }
            }
        }
        catch (final IOException ex)
        {
            blocked.append("(cannot read /proc/").append(pid).append(": ").append(ex.getMessage()).append(")\n");
        }
        return blocked.toString();
    }

    private void awaitFrozenMemberHears(final int frozen, final int newLeader) throws Exception
    {
        final long deadlineNs = System.nanoTime() + HEARS_NEW_LEADER_TIMEOUT.toNanos();
        while (group(frozen, "leader") != newLeader && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10); // polling a counter, bounded by the deadline
        }
        assertThat(group(frozen, "leader")).as("the leader member %d, its disk still frozen, has heard of",
            frozen).isEqualTo(newLeader);
    }

    private void awaitReadableThrough(final int member, final String key, final long thawedNs) throws Exception
    {
        final long deadlineNs = thawedNs + REJOIN_TIMEOUT.toNanos();
        String last = "nothing";
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final byte[] value = client.get(bytes(key), member);
                if (null != value && ("value-" + key).equals(new String(value, StandardCharsets.UTF_8)))
                {
                    return;
                }
                last = null == value ? "NOT FOUND" : new String(value, StandardCharsets.UTF_8);
            }
            catch (final KvException ex)
            {
                last = ex.getMessage();
            }
            Thread.sleep(50); // the member may still be catching up: ask again, bounded by the deadline
        }
        throw new AssertionError(key + " (written after the thaw) not read through member " + member + " within " +
            REJOIN_TIMEOUT + "; last: " + last + "; its output:\n" + members.currentOutput(member));
    }

    private int leader()
    {
        for (final int member : ClusterFiles.MEMBERS)
        {
            if (Role.LEADER.ordinal() == group(member, "role"))
            {
                return member;
            }
        }
        return -1;
    }

    private long group(final int member, final String name)
    {
        return counters.get(member).valueOf(CounterLabels.group(name, member, 0), -1);
    }

    private Path countersDir(final int member)
    {
        return Path.of(countersPrefix + "-m" + member);
    }

    private String put(final String key)
    {
        client.put(bytes(key), bytes("value-" + key));
        written++;
        return key;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
