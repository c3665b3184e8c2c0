package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Both followers of a group are SIGKILLed and restarted, again and again, while clients write and read through every
 * member: reads through a restarted follower must never go back in time. Each key has one writer, which puts
 * versions 1, 2, 3... one after the other, so "older" is a smaller version; a read that began after version v was
 * acknowledged must return v or later (or fail: unavailability is allowed, going back is not). Afterwards every key
 * is read back through every member, at or past its last acknowledged version.
 * <p>
 * In two rounds of three the followers die one after the other, a second or two apart: the first comes back behind
 * the writes acknowledged meanwhile, and the leader, which stepped down, is elected again but cannot commit an entry
 * of its new term before it has caught that follower up. Reads through the follower in that time are the ones issue
 * 13 saw answered from its stale state machine. In the other rounds both die at once.
 * <p>
 * 10 rounds (20 SIGKILLs) in the default suite, 250 (500) with {@code -Psoak}; the seed picks groups, orders and
 * pauses ({@code -Dringraft.kill.seed=N} repeats the choices, though not the timing). The loop stops after the round
 * that saw a violation. A failure prints the seed, the violating reads with their key's operations around them and
 * the timeline of kills; the run's data, member output and operations stay under target/member-processes/.
 */
class DoubleFollowerKillTest
{
    private static final boolean SOAK = Boolean.getBoolean("ringraft.soak");
    private static final long SEED = Long.getLong("ringraft.kill.seed", System.nanoTime());
    private static final int ROUNDS = SOAK ? 250 : 10;
    private static final Duration LOOP_BUDGET = SOAK ? Duration.ofHours(3) : Duration.ofSeconds(120);
    private static final Duration TEST_TIMEOUT = LOOP_BUDGET.plusSeconds(60);
    private static final int GROUPS = 2;
    private static final int KEYS_PER_GROUP = 8;
    private static final long READ_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int MAX_OUTSTANDING_READS = 64;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration FINAL_READ_TIMEOUT = Duration.ofSeconds(30);
    private static final int RECENT_OPS_KEPT = 20_000;
    /** Values of a few hundred bytes: a follower that missed a second of writes has a lot to catch up. */
    private static final String PADDING = "x".repeat(500);

    @RegisterExtension
    final MemberProcesses members = new MemberProcesses(GROUPS);
    private final List<Thread> workers = new ArrayList<>();
    private final List<Violation> violations = new ArrayList<>();
    private final AtomicLong readsOk = new AtomicLong();
    private final AtomicLong readsFailed = new AtomicLong();
    private final AtomicLong writesFailed = new AtomicLong();
    private volatile boolean running = true;
    private KvClient client;

    @AfterEach
    void stopWorkload() throws InterruptedException
    {
        running = false;
        for (final Thread worker : workers)
        {
            worker.join(TimeUnit.SECONDS.toMillis(30)); // each operation ends within the client's request budget
        }
        if (null != client)
        {
            client.close();
        }
    }

    @Test
    void readsThroughEveryMemberNeverGoBackInTimeWhileBothFollowersOfAGroupAreKilledAndRestarted()
    {
        System.out.println("seed " + SEED + " (-Dringraft.kill.seed=" + SEED + " repeats its choices)");
        assertTimeoutPreemptively(TEST_TIMEOUT, this::run,
            () -> "seed " + SEED + "; timeline:\n" + members.lastEvents(60));
    }

    private void run() throws Exception
    {
        final Random random = new Random(SEED);
        members.startAll(READY_TIMEOUT);
        client = KvClient.connect(new KvClientOptions(ClientConfig.load(members.files().configOf(1)))
            .attemptTimeout(Duration.ofMillis(100))
            .requestTimeout(Duration.ofSeconds(3)));
        final KeyHistory[] keys = keys();
        startWorkload(keys);
        for (int group = 0; group < GROUPS; group++)
        {
            awaitProgress(keys, group, "before the first kill");
        }

        final long loopDeadlineNs = System.nanoTime() + LOOP_BUDGET.toNanos();
        int rounds = 0;
        while (rounds < ROUNDS && System.nanoTime() - loopDeadlineNs < 0 && noViolation())
        {
            rounds++;
            final int group = random.nextInt(GROUPS);
            final int leader = client.leaderOf(group);
            final List<Integer> followers = new ArrayList<>();
            for (final int member : ClusterFiles.MEMBERS)
            {
                if (member != leader)
                {
                    followers.add(member);
                }
            }
            final int first = followers.get(0);
            final int second = followers.get(1);
            final boolean staggered = random.nextInt(3) > 0;
            members.event("round " + rounds + ": group " + group + " led by " + leader + " (as the client last saw)" +
                "; kill its followers " + first + " and " + second + (staggered ? " one after the other" : " at once"));
            members.kill(first);
            if (staggered)
            {
                // Writes go on without the first: once restarted, it has entries to catch up before it can help
                // a leader commit, and a state machine behind the writes acknowledged meanwhile.
                Thread.sleep(1000 + random.nextInt(1000));
            }
            members.kill(second);
            Thread.sleep(random.nextInt(400)); // down for a while: the leader may step down, or not yet
            members.start(first);
            if (staggered)
            {
                members.awaitReady(first, READY_TIMEOUT);
                Thread.sleep(random.nextInt(600));
            }
            members.start(second);
            if (!staggered)
            {
                members.awaitReady(first, READY_TIMEOUT);
            }
            members.awaitReady(second, READY_TIMEOUT);
            awaitProgress(keys, group, "after round " + rounds);
            Thread.sleep(200 + random.nextInt(400)); // reads through the restarted members while they catch up
        }
        final int kills = 2 * rounds;
        members.event(kills + " SIGKILLs in " + rounds + " rounds");

        running = false;
        for (final Thread worker : workers)
        {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        }
        readEverythingBack(keys);

        System.out.printf("%d SIGKILLs in %d rounds; %d reads OK, %d failed (unavailable); %d puts failed%n", kills,
            rounds, readsOk.get(), readsFailed.get(), writesFailed.get());
        if (!noViolation())
        {
            final Path history = writeHistories(keys);
            throw new AssertionError(violationReport() + "\nseed " + SEED + "; every key's recent operations " +
                "are in " + history + "; timeline:\n" + members.lastEvents(200));
        }
        assertThat(kills).as("SIGKILLs within %s", LOOP_BUDGET).isGreaterThanOrEqualTo(2 * ROUNDS);
    }

    private KeyHistory[] keys()
    {
        final KeyHistory[] keys = new KeyHistory[GROUPS * KEYS_PER_GROUP];
        final int[] perGroup = new int[GROUPS];
        int found = 0;
        for (int i = 0; found < keys.length; i++)
        {
            final String name = "key-" + i;
            final int group = client.groupOf(bytes(name));
            if (perGroup[group] < KEYS_PER_GROUP)
            {
                perGroup[group]++;
                keys[found++] = new KeyHistory(name, group);
            }
        }
        return keys;
    }

    // ------------------------------------------------------------------ workload

    private void startWorkload(final KeyHistory[] keys)
    {
        for (final KeyHistory key : keys)
        {
            workers.add(new Thread(() -> write(key), "writer-" + key.name));
        }
        for (final int member : ClusterFiles.MEMBERS)
        {
            workers.add(new Thread(() -> read(keys, member), "reader-via-" + member));
        }
        workers.add(new Thread(() -> read(keys, -1), "reader-via-any"));
        workers.forEach(worker ->
        {
            worker.setDaemon(true);
            worker.start();
        });
    }

    /** The key's only writer: versions one after the other; a failed put may or may not have been applied. */
    private void write(final KeyHistory key)
    {
        for (long version = 1; running; version++)
        {
            final long invokedNs = System.nanoTime();
            try
            {
                client.put(bytes(key.name), bytes(key.name + "#" + version + "#" + PADDING));
                key.record("put", "to leader", version, invokedNs, "OK");
                key.acknowledged = version;
                key.acknowledgedWrites.incrementAndGet();
            }
            catch (final KvException ex)
            {
                key.failedVersions.add(version);
                writesFailed.incrementAndGet();
                key.record("put", "to leader", version, invokedNs, "FAILED " + ex.status() + ": " + ex.getMessage());
            }
        }
    }

    /**
     * Reads random keys through {@code member} (-1: wherever the client sends them) and checks each against the
     * writes. A new read starts every {@link #READ_INTERVAL_NS} whatever the earlier ones are doing: reads waiting
     * in the client's retries move in step (they all learn at once that a member restarted, or knows no leader), so
     * only fresh ones reach a member at every moment of its return.
     */
    private void read(final KeyHistory[] keys, final int member)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final Semaphore outstanding = new Semaphore(MAX_OUTSTANDING_READS);
        while (running)
        {
            if (!outstanding.tryAcquire())
            {
                LockSupport.parkNanos(READ_INTERVAL_NS);
                continue;
            }
            final KeyHistory key = keys[random.nextInt(keys.length)];
            final long mustSee = key.acknowledged; // every version acknowledged before this read began
            final long invokedNs = System.nanoTime();
            (member < 0 ? client.getAsync(bytes(key.name)) : client.getAsync(bytes(key.name), member))
                .whenComplete((value, error) ->
                {
                    if (null != error)
                    {
                        readsFailed.incrementAndGet(); // unavailable: allowed
                    }
                    else
                    {
                        final long seen = versionOf(key, value);
                        key.record("get", via(member), seen, invokedNs, "OK");
                        check(key, member, mustSee, seen, invokedNs);
                    }
                    outstanding.release();
                });
            LockSupport.parkNanos(READ_INTERVAL_NS);
        }
        // Each outstanding read ends within the client's request budget.
        outstanding.acquireUninterruptibly(MAX_OUTSTANDING_READS);
    }

    /**
     * A read that began after version {@code mustSee} was acknowledged must return it or a later one. Even a
     * version whose put failed is too old then: that put was in the log before the later one was proposed, or
     * never will be, so it cannot be applied after it.
     */
    private void check(
        final KeyHistory key, final int member, final long mustSee, final long seen, final long invokedNs)
    {
        if (seen >= mustSee)
        {
            readsOk.incrementAndGet();
            return;
        }
        final String returned = 0 == seen ? "NOT FOUND" :
            "version " + seen + (key.failedVersions.contains(seen) ? " (its put failed)" : "");
        violation(key, invokedNs, mustSee, String.format("%s: a read %s that began at %.3f s returned %s, but " +
            "version %d was acknowledged before it began", key.name, via(member), seconds(invokedNs), returned,
            mustSee));
    }

    /** A read of {@code key} that began at {@code invokedNs} and should have seen version {@code mustSee}. */
    private record Violation(KeyHistory key, long invokedNs, long mustSee, long detectedNs, String what)
    {
    }

    private void violation(final KeyHistory key, final long invokedNs, final long mustSee, final String what)
    {
        synchronized (violations)
        {
            violations.add(new Violation(key, invokedNs, mustSee, System.nanoTime(), what));
        }
        members.event("VIOLATION " + what);
    }

    private boolean noViolation()
    {
        synchronized (violations)
        {
            return violations.isEmpty();
        }
    }

    /** Waits until a put to {@code group} is acknowledged: the group serves again. */
    private void awaitProgress(final KeyHistory[] keys, final int group, final String when) throws InterruptedException
    {
        final long before = acknowledgedWrites(keys, group);
        final long deadlineNs = System.nanoTime() + PROGRESS_TIMEOUT.toNanos();
        while (acknowledgedWrites(keys, group) == before)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("group " + group + " acknowledged no put within " + PROGRESS_TIMEOUT + " " +
                    when + "; seed " + SEED + "; timeline:\n" + members.lastEvents(60));
            }
            Thread.sleep(10); // polling counters the writers advance, bounded by the deadline
        }
    }

    private static long acknowledgedWrites(final KeyHistory[] keys, final int group)
    {
        long count = 0;
        for (final KeyHistory key : keys)
        {
            if (key.group == group)
            {
                count += key.acknowledgedWrites.get();
            }
        }
        return count;
    }

    /** Every key through every member: at or past its last acknowledged version, within a bound. */
    private void readEverythingBack(final KeyHistory[] keys) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + FINAL_READ_TIMEOUT.toNanos();
        for (final KeyHistory key : keys)
        {
            for (final int member : ClusterFiles.MEMBERS)
            {
                readBack(key, member, deadlineNs);
            }
        }
    }

    private void readBack(final KeyHistory key, final int member, final long deadlineNs) throws InterruptedException
    {
        while (true)
        {
            final long invokedNs = System.nanoTime();
            try
            {
                final long seen = versionOf(key, client.get(bytes(key.name), member));
                key.record("final get", via(member), seen, invokedNs, "OK");
                if (seen < key.acknowledged)
                {
                    violation(key, invokedNs, key.acknowledged, String.format("%s: read back through member %d at " +
                        "the end: %s, but version %d was acknowledged", key.name, member,
                        0 == seen ? "NOT FOUND" : "version " + seen, key.acknowledged));
                }
                return;
            }
            catch (final KvException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    violation(key, invokedNs, key.acknowledged, key.name + ": could not be read back through member " +
                        member + " within " + FINAL_READ_TIMEOUT + ": " + ex.getMessage());
                    return;
                }
                Thread.sleep(20); // the member may still be catching up: try again, bounded by the deadline
            }
        }
    }

    // ------------------------------------------------------------------ history and reports

    /** One key: its writer's progress, and its recent operations for a failure's report. */
    private final class KeyHistory
    {
        final String name;
        final int group;
        final Set<Long> failedVersions = ConcurrentHashMap.newKeySet();
        final AtomicLong acknowledgedWrites = new AtomicLong();
        private final ArrayDeque<Operation> recent = new ArrayDeque<>();
        volatile long acknowledged;

        KeyHistory(final String name, final int group)
        {
            this.name = name;
            this.group = group;
        }

        void record(final String op, final String via, final long version, final long invokedNs, final String outcome)
        {
            final Operation operation = new Operation(op, via, version, invokedNs, System.nanoTime(), outcome);
            synchronized (recent)
            {
                if (recent.size() == RECENT_OPS_KEPT)
                {
                    recent.removeFirst();
                }
                recent.addLast(operation);
            }
        }

        List<Operation> all()
        {
            synchronized (recent)
            {
                return new ArrayList<>(recent);
            }
        }

        /** Its operations that overlap {@code fromNs .. toNs}, oldest first. */
        List<Operation> during(final long fromNs, final long toNs)
        {
            final List<Operation> found = new ArrayList<>();
            synchronized (recent)
            {
                for (final Operation operation : recent)
                {
                    if (operation.completedNs - fromNs >= 0 && toNs - operation.invokedNs >= 0)
                    {
                        found.add(operation);
                    }
                }
            }
            return found;
        }
    }

    private record Operation(String op, String via, long version, long invokedNs, long completedNs, String outcome)
    {
    }

    private String describe(final Operation operation)
    {
        return String.format("%9.3f .. %9.3f s  %-9s %-9s version %-6d %s", seconds(operation.invokedNs),
            seconds(operation.completedNs), operation.op, operation.via, operation.version, operation.outcome);
    }

    /**
     * The violations, and for the first ones the put they should have seen and their key's operations from half a
     * second before them to their end.
     */
    private String violationReport()
    {
        final StringBuilder report = new StringBuilder();
        synchronized (violations)
        {
            report.append(violations.size()).append(" reads went back in time or lost an acknowledged write:\n");
            violations.stream().limit(20).forEach(v -> report.append("  ").append(v.what).append('\n'));
            for (final Violation violation : violations.subList(0, Math.min(3, violations.size())))
            {
                report.append(violation.what).append("\n  the put it should have seen: ");
                violation.key.all().stream()
                    .filter(operation -> "put".equals(operation.op) && operation.version == violation.mustSee)
                    .findFirst()
                    .ifPresentOrElse(operation -> report.append(describe(operation)).append('\n'),
                        () -> report.append("no longer in the key's recent operations\n"));
                final List<Operation> around = violation.key.during(
                    violation.invokedNs - TimeUnit.MILLISECONDS.toNanos(500), violation.detectedNs);
                report.append("  ").append(violation.key.name).append("'s operations from 0.5 s before that read to " +
                    "its end, as they completed (invoked .. completed; 'via any': wherever the client sent it):\n");
                around.subList(0, Math.min(60, around.size()))
                    .forEach(operation -> report.append("    ").append(describe(operation)).append('\n'));
            }
        }
        return report.toString();
    }

    private Path writeHistories(final KeyHistory[] keys) throws IOException
    {
        final Path file = members.directory().resolve("operations.txt");
        final List<String> lines = new ArrayList<>();
        for (final KeyHistory key : keys)
        {
            lines.add(key.name + " (group " + key.group + "), its last " + RECENT_OPS_KEPT + " operations:");
            key.all().forEach(operation -> lines.add(describe(operation)));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static String via(final int member)
    {
        return member < 0 ? "via any" : "via " + member;
    }

    private double seconds(final long nanoTime)
    {
        return members.secondsSinceStart(nanoTime);
    }

    /** The version a read returned, 0 for NOT FOUND, -1 (and a violation) for what no put of the key wrote. */
    private long versionOf(final KeyHistory key, final byte[] value)
    {
        if (null == value)
        {
            return 0;
        }
        final String text = new String(value, StandardCharsets.UTF_8);
        if (!text.startsWith(key.name + "#"))
        {
            violation(key, System.nanoTime(), 0, key.name + ": a read returned a value no put of it wrote: " + text);
            return -1;
        }
        final int end = text.indexOf('#', key.name.length() + 1);
        return Long.parseLong(text.substring(key.name.length() + 1, end < 0 ? text.length() : end));
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
