package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.log.LogInspector;
import io.ringraft.log.SegmentScan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The FAST'18 "protocol-aware recovery" case on three member processes (Alagappan et al., "Protocol-Aware Recovery
 * for Consensus-Based Storage"): 5,000 puts are acknowledged; one member lagged the last 80 of them; all three are
 * SIGKILLed; on another member the last 4 KiB of the group's written log are zeroed, as a latent sector error
 * would, which takes some of those last 80 entries with it.
 * <ul>
 *   <li>With only the damaged and the lagging member up, neither holds those entries: the group may be unavailable,
 *   but it never answers a read with less than what was acknowledged (a leader elected without them would).</li>
 *   <li>Once the third member, which holds them, is back: every acknowledged key is readable with its value, and
 *   the damaged member's log holds the damaged entries again, as they were (same index, same term), repaired from
 *   a peer.</li>
 * </ul>
 * Roles are given by who leads after the first puts: "damaged" is the leader, "lagging" the lower-numbered
 * follower, "intact" the other one; the test prints them, and keeps the run's data under target/ when it fails.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DamagedLogTailTest
{
    private static final int GROUPS = 1;
    private static final int KEYS = 5_000;
    private static final int LAGGED_KEYS = 80;
    private static final int DAMAGED_BYTES = 4096;
    private static final int WINDOW = 50;
    private static final int READ_WINDOW = 500;
    private static final int ANY = -1;
    private static final long PAUSE_BETWEEN_READS_MS = 100;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WITHOUT_INTACT = Duration.ofSeconds(10);
    private static final Duration ALL_READABLE_BOUND = Duration.ofSeconds(20);
    private static final Duration REPAIR_BOUND = Duration.ofSeconds(15);

    @RegisterExtension
    final MemberProcesses members = new MemberProcesses(GROUPS);
    private KvClient client;

    @AfterEach
    void closeClient()
    {
        if (null != client)
        {
            client.close();
        }
    }

    @Test
    void aDamagedTailOfAcknowledgedEntriesIsNeverServedAsLostAndIsRepairedFromThePeerThatHoldsIt() throws Exception
    {
        members.startAll(READY_TIMEOUT);
        client = KvClient.connect(new KvClientOptions(ClientConfig.load(members.files().configOf(1)))
            .attemptTimeout(Duration.ofMillis(300))
            .requestTimeout(Duration.ofSeconds(5)));

        putAll(0, KEYS - LAGGED_KEYS);
        final int damaged = client.leaderOf(0);
        assertThat(damaged).isIn(1, 2, 3);
        final int lagging = damaged == 1 ? 2 : 1;
        final int intact = 6 - damaged - lagging;
        members.event("roles: damaged " + damaged + " (led group 0), lagging " + lagging + ", intact " + intact);
        System.out.println("damaged member " + damaged + ", lagging member " + lagging + ", intact member " + intact);

        members.pause(lagging);
        putAll(KEYS - LAGGED_KEYS, KEYS); // acknowledged by the damaged and the intact member only
        for (final int member : new int[]{lagging, damaged, intact})
        {
            members.kill(member);
        }

        // Only entries the lagging member lacks may be damaged, or the scenario is not the one named: under load the
        // lagging member can still receive a few of the lagged puts before its SIGSTOP lands.
        final Map<Long, Long> damagedTerms = zeroTheTail(damaged, inspect(lagging, null).lastIndex() + 1);
        final long firstDamaged = damagedTerms.keySet().iterator().next();
        final long lastDamaged = firstDamaged + damagedTerms.size() - 1;
        members.event("zeroed the last " + DAMAGED_BYTES + " bytes of member " + damaged + "'s log: entries " +
            firstDamaged + ".." + lastDamaged);
        assertThat(damagedTerms.size()).as("damaged entries: all among the %d the lagging member lacks", LAGGED_KEYS)
            .isBetween(1, LAGGED_KEYS - 1);
        assertThat(inspect(lagging, null).lastIndex()).as("the lagging member's last index").isLessThan(firstDamaged);
        assertThat(inspect(intact, null).lastIndex()).as("the intact member's last index")
            .isGreaterThanOrEqualTo(lastDamaged);

        final List<String> withoutIntact = new ArrayList<>();
        final List<String> withAllThree = new ArrayList<>();

        // Only the damaged and the lagging member: neither holds the damaged entries.
        members.start(damaged);
        members.start(lagging);
        members.awaitReady(damaged, READY_TIMEOUT);
        members.awaitReady(lagging, READY_TIMEOUT);
        final List<Read> probes = new ArrayList<>();
        for (final int via : new int[]{ANY, damaged, lagging})
        {
            for (int i = KEYS - LAGGED_KEYS; i < KEYS; i++)
            {
                probes.add(new Read(i, via));
            }
            for (int i = 0; i < KEYS - LAGGED_KEYS; i += 250)
            {
                probes.add(new Read(i, via));
            }
        }
        final long withoutIntactDeadlineNs = System.nanoTime() + WITHOUT_INTACT.toNanos();
        int answered = 0;
        while (System.nanoTime() - withoutIntactDeadlineNs < 0)
        {
            answered += readAndCheck(probes, "with members " + damaged + " and " + lagging + " up", withoutIntact,
                new LinkedHashSet<>());
            Thread.sleep(PAUSE_BETWEEN_READS_MS);
        }
        members.event(answered + " reads answered while the intact member was down; " + withoutIntact.size() +
            " returned less than acknowledged");

        // The intact member returns: every acknowledged key becomes readable, the damaged ones through every member.
        members.start(intact);
        members.awaitReady(intact, READY_TIMEOUT);
        final Set<Read> unread = new LinkedHashSet<>();
        for (int i = 0; i < KEYS; i++)
        {
            unread.add(new Read(i, ANY));
        }
        for (final int via : ClusterFiles.MEMBERS)
        {
            for (int i = KEYS - LAGGED_KEYS; i < KEYS; i++)
            {
                unread.add(new Read(i, via));
            }
        }
        final long allReadableDeadlineNs = System.nanoTime() + ALL_READABLE_BOUND.toNanos();
        while (!unread.isEmpty() && System.nanoTime() - allReadableDeadlineNs < 0)
        {
            readAndCheck(new ArrayList<>(unread), "with all three up", withAllThree, unread);
            if (!unread.isEmpty())
            {
                Thread.sleep(PAUSE_BETWEEN_READS_MS);
            }
        }
        members.event("all three up: " + unread.size() + " reads never answered with the acknowledged value");

        // The damaged member's log holds the damaged entries again, as they were.
        final String repairProblem = awaitRepair(damaged, damagedTerms);
        members.event("repair of member " + damaged + ": " + (null == repairProblem ? "done" : repairProblem));

        final StringBuilder failures = new StringBuilder();
        for (final List<String> violations : List.of(withoutIntact, withAllThree))
        {
            if (!violations.isEmpty())
            {
                failures.append(violations.size()).append(" reads ").append(violations == withoutIntact ?
                    "while the intact member was down" : "once all three were up")
                    .append(" returned less than what was acknowledged, e.g.:\n");
                violations.stream().limit(5).forEach(v -> failures.append("  ").append(v).append('\n'));
            }
        }
        if (!unread.isEmpty())
        {
            failures.append(unread.stream().filter(read -> ANY == read.via).count()).append(" of ").append(KEYS)
                .append(" acknowledged keys never read back with their value within ").append(ALL_READABLE_BOUND)
                .append(" of all three members being up");
            for (final int via : ClusterFiles.MEMBERS)
            {
                failures.append("; through member ").append(via).append(", ")
                    .append(unread.stream().filter(read -> via == read.via).count()).append(" of the last ")
                    .append(LAGGED_KEYS);
            }
            failures.append("; e.g. ").append(unread.stream().limit(5).map(Read::toString).toList()).append('\n');
        }
        if (null != repairProblem)
        {
            failures.append("member ").append(damaged).append("'s damaged entries ").append(firstDamaged).append("..")
                .append(lastDamaged).append(" were not repaired: ").append(repairProblem).append('\n');
        }
        if (failures.length() > 0)
        {
            throw new AssertionError(failures + "roles: damaged " + damaged + ", lagging " + lagging + ", intact " +
                intact + "; timeline:\n" + members.lastEvents(40));
        }
    }

    /** Puts keys {@code from} until {@code to} in windows of concurrent requests; every one must be acknowledged. */
    private void putAll(final int from, final int to)
    {
        for (int start = from; start < to; start += WINDOW)
        {
            final List<CompletableFuture<Void>> window = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + WINDOW); i++)
            {
                window.add(client.putAsync(bytes(key(i)), bytes(value(i))));
            }
            for (int i = 0; i < window.size(); i++)
            {
                try
                {
                    window.get(i).join();
                }
                catch (final CompletionException ex)
                {
                    throw new AssertionError("put " + key(start + i) + " failed: " + ex.getCause().getMessage(), ex);
                }
            }
        }
        members.event("puts " + key(from) + ".." + key(to - 1) + " acknowledged");
    }

    /** A read of key number {@code key} through member {@code via}, or {@link #ANY}. */
    private record Read(int key, int via)
    {
        @Override
        public String toString()
        {
            return DamagedLogTailTest.key(key) + (ANY == via ? " via any member" : " via member " + via);
        }
    }

    /**
     * Makes the reads, {@link #READ_WINDOW} at a time: one that fails is fine (unavailable), one that answers
     * anything but the acknowledged value is a violation. Reads answered with the acknowledged value are removed
     * from {@code unread}.
     *
     * @return how many reads were answered.
     */
    private int readAndCheck(
        final List<Read> reads, final String when, final List<String> violations, final Set<Read> unread)
    {
        int answered = 0;
        for (int start = 0; start < reads.size(); start += READ_WINDOW)
        {
            final List<Read> window = reads.subList(start, Math.min(reads.size(), start + READ_WINDOW));
            final List<CompletableFuture<byte[]>> futures = new ArrayList<>();
            for (final Read read : window)
            {
                final byte[] key = bytes(key(read.key));
                futures.add(ANY == read.via ? client.getAsync(key) : client.getAsync(key, read.via));
            }
            for (int w = 0; w < window.size(); w++)
            {
                final Read read = window.get(w);
                final String value;
                try
                {
                    final byte[] bytes = futures.get(w).join();
                    value = null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
                }
                catch (final CompletionException ex)
                {
                    continue; // unavailable: allowed
                }
                answered++;
                if (value(read.key).equals(value))
                {
                    unread.remove(read);
                }
                else
                {
                    violations.add(read + " " + when + ": " + (null == value ? "NOT FOUND" : value) +
                        ", acknowledged: " + value(read.key));
                }
            }
        }
        return answered;
    }

    /**
     * Zeroes the last {@link #DAMAGED_BYTES} bytes of the member's written log of group 0.
     *
     * @return index to term of the entries whose records the zeroes reach, in index order.
     */
    /** Zeroes the last {@code DAMAGED_BYTES} of the member's written log, never below the record of {@code floorIndex}. */
    private Map<Long, Long> zeroTheTail(final int member, final long floorIndex) throws IOException
    {
        final Map<Long, Integer> positions = new TreeMap<>();
        final Map<Long, Long> terms = new TreeMap<>();
        final LogInspector.Report report = inspect(member, (buffer, position, index, term) ->
        {
            positions.put(index, position);
            terms.put(index, term);
        });
        assertThat(report.healthy()).as("member %d's log before the damage: %s", member, report.defects()).isTrue();
        final LogInspector.SegmentReport last = report.segments().get(report.segments().size() - 1);
        assertThat(last.lastIndex()).as("member %d's last index, against the first index the lagging member lacks",
            member).isGreaterThanOrEqualTo(floorIndex);
        final long damageFrom = Math.max(Math.max(SegmentScan.HEADER_LENGTH, last.bytesUsed() - DAMAGED_BYTES),
            floorIndex >= last.baseIndex() ? positions.get(floorIndex) : 0);
        final Map<Long, Long> damaged = new TreeMap<>();
        long nextStart = last.bytesUsed();
        for (long index = last.lastIndex(); index >= last.baseIndex(); index--)
        {
            if (nextStart <= damageFrom)
            {
                break;
            }
            damaged.put(index, terms.get(index)); // its record ends past where the zeroes begin
            nextStart = positions.get(index);
        }
        try (FileChannel channel = FileChannel.open(last.file(), StandardOpenOption.WRITE))
        {
            final ByteBuffer zeroes = ByteBuffer.allocate((int)(last.bytesUsed() - damageFrom));
            while (zeroes.hasRemaining())
            {
                channel.write(zeroes, damageFrom + zeroes.position());
            }
            channel.force(true);
        }
        return damaged;
    }

    /**
     * Waits until the member's log holds the damaged entries again with their terms, then stops it cleanly and
     * looks once more.
     *
     * @return null when repaired, else what is wrong.
     */
    private String awaitRepair(final int member, final Map<Long, Long> expected) throws Exception
    {
        final long deadlineNs = System.nanoTime() + REPAIR_BOUND.toNanos();
        String problem = repairProblem(member, expected);
        while (null != problem && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(200); // polling the live log with the read-only inspector, bounded by the deadline
            problem = repairProblem(member, expected);
        }
        if (null != problem)
        {
            return problem;
        }
        if (!members.stop(member))
        {
            return "member " + member + " did not stop on SIGTERM";
        }
        final LogInspector.Report report = inspect(member, null);
        if (!report.healthy())
        {
            return "its log is not healthy after a clean stop: " + report.defects();
        }
        return repairProblem(member, expected);
    }

    private String repairProblem(final int member, final Map<Long, Long> expected)
    {
        final Map<Long, Long> found = new TreeMap<>();
        inspect(member, (buffer, position, index, term) ->
        {
            if (expected.containsKey(index))
            {
                found.put(index, term);
            }
        });
        for (final Map.Entry<Long, Long> entry : expected.entrySet())
        {
            final Long term = found.get(entry.getKey());
            if (null == term)
            {
                return "its log does not hold index " + entry.getKey();
            }
            if (!term.equals(entry.getValue()))
            {
                return "its log holds index " + entry.getKey() + " with term " + term + ", not the acknowledged " +
                    "entry's term " + entry.getValue();
            }
        }
        return null;
    }

    private LogInspector.Report inspect(final int member, final SegmentScan.RecordVisitor visitor)
    {
        final Path group = LogInspector.groupDirectory(members.dataDirOf(member), 0);
        return LogInspector.inspect(group, 0, visitor);
    }

    private static String key(final int i)
    {
        return String.format("k-%04d", i);
    }

    private static String value(final int i)
    {
        return String.format("value-%04d", i);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
