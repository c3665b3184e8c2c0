package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.DaemonConfig;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A member stopped (SIGSTOP) for longer than Aeron's timeouts (the client's driver timeout and the driver's client
 * liveness timeout, 10 s each) and then continued: issue 16 saw such a member die of a SIGSEGV, its transport writing
 * to counters of an Aeron client that had timed out and unmapped them. Here the leader of a group, then a member that
 * follows, is paused while writes go on: the majority serves them, and the paused member must come back alive (no
 * JVM crash report), rejoin and catch up: writes acknowledged while it was stopped are read through it.
 * <p>
 * Pauses of 15 s in the default suite; with {@code -Psoak} also 60 s.
 * <p>
 * And a member killed with SIGKILL leaves its media driver's directory in /dev/shm: its next start removes it.
 */
class MemberPauseTest
{
    private static final boolean SOAK = Boolean.getBoolean("ringraft.soak");
    private static final List<Duration> PAUSES =
        SOAK ? List.of(Duration.ofSeconds(15), Duration.ofSeconds(60)) : List.of(Duration.ofSeconds(15));
    private static final int GROUPS = 2;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** From the continue to a write acknowledged during the pause read through the paused member. */
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
    private static final long PUT_INTERVAL_MS = 50;
    private static final Pattern READY_LINE = Pattern.compile("ready member \\d+ .* aeron dir (\\S+)");

    @RegisterExtension
    final MemberProcesses members = new MemberProcesses(GROUPS);
    private final List<File> defaultAeronDirs = new ArrayList<>();
    private KvClient client;
    private int written;

    @AfterEach
    void closeClient()
    {
        if (null != client)
        {
            client.close();
        }
    }

    @AfterEach
    void removeDefaultAeronDirs()
    {
        // MemberProcesses removes the configured directories; the default ones, named at start, are the test's.
        defaultAeronDirs.forEach(dir -> IoUtil.delete(dir, true));
    }

    @Test
    void aPausedLeaderAndAPausedFollowerRejoinAndCatchUpWithoutACrash()
    {
        final Duration budget =
            PAUSES.stream().reduce(Duration.ofSeconds(120), (sum, pause) -> sum.plus(pause.multipliedBy(2)));
        assertTimeoutPreemptively(budget, this::pauseLeaderThenFollower,
            () -> "timeline:\n" + members.lastEvents(40));
    }

    private void pauseLeaderThenFollower() throws Exception
    {
        members.startAll(READY_TIMEOUT);
        client = KvClient.connect(new KvClientOptions(ClientConfig.load(members.files().configOf(1)))
            .attemptTimeout(Duration.ofMillis(200))
            .requestTimeout(Duration.ofSeconds(10)));
        for (int i = 0; i < 40; i++)
        {
            put("warm-up-" + i); // both groups elect a leader, and the client learns who leads them
        }

        for (final Duration pause : PAUSES)
        {
            final int leader = client.leaderOf(0);
            assertThat(leader).as("leader of group 0").isIn(1, 2, 3);
            pauseWhileWriting(leader, pause, "leader of group 0");

            final int follower = follower();
            pauseWhileWriting(follower, pause, "follower of group 0");
        }
        assertThat(members.crashReports()).as("JVM crash reports").isEmpty();
    }

    /** A member that leads no group if there is one, else one that does not lead group 0. */
    private int follower()
    {
        int follower = -1;
        for (final int member : ClusterFiles.MEMBERS)
        {
            if (member != client.leaderOf(0) && (-1 == follower || member != client.leaderOf(1)))
            {
                follower = member;
            }
        }
        return follower;
    }

    private void pauseWhileWriting(final int member, final Duration pause, final String role) throws Exception
    {
        members.event("pause member " + member + " (" + role + ") for " + pause);
        members.pause(member);
        final long resumeNs = System.nanoTime() + pause.toNanos();
        final String[] lastOfGroup = new String[GROUPS];
        int puts = 0;
        while (System.nanoTime() - resumeNs < 0)
        {
            // The majority serves: every put is acknowledged (the client retries through an election).
            final String key = put("paused-" + member + "-" + written);
            lastOfGroup[client.groupOf(bytes(key))] = key;
            puts++;
            Thread.sleep(PUT_INTERVAL_MS); // pacing the writes over the pause, which ends at a fixed time
        }
        members.resume(member);
        final long resumedNs = System.nanoTime();
        members.event(puts + " puts acknowledged while member " + member + " was paused");
        assertThat(lastOfGroup).as("puts to every group while paused").doesNotContainNull();

        for (int group = 0; group < GROUPS; group++)
        {
            awaitReadableThrough(member, lastOfGroup[group], resumedNs);
        }
        final String after = put("after-pause-" + member + "-" + written);
        awaitReadableThrough(member, after, resumedNs);
        final String caughtUp = String.format("member %d (%s) paused %d s: %d puts acknowledged meanwhile; " +
            "caught up %.1f s after it was continued", member, role, pause.toSeconds(), puts,
            (System.nanoTime() - resumedNs) / 1e9);
        members.event(caughtUp);
        System.out.println(caughtUp);
        assertThat(members.isAlive(member)).as("member %d alive after its pause", member).isTrue();
        assertThat(members.crashReports()).as("JVM crash reports").isEmpty();
    }

    private String put(final String key)
    {
        client.put(bytes(key), bytes("value-" + key));
        written++;
        return key;
    }

    /** Reads {@code key} through {@code member} until it returns the key's value, within a bound. */
    private void awaitReadableThrough(final int member, final String key, final long resumedNs)
        throws InterruptedException
    {
        final long deadlineNs = resumedNs + CATCH_UP_TIMEOUT.toNanos();
        String last = "nothing";
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (!members.isAlive(member))
            {
                throw new AssertionError("member " + member + " died after its pause; its output ends:\n" +
                    tail(members.outputOf(member)));
            }
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
            Thread.sleep(50); // the member may still be rejoining: ask again, bounded by the deadline
        }
        throw new AssertionError(key + " (acknowledged while member " + member + " was paused) not read through it " +
            "within " + CATCH_UP_TIMEOUT + " of its continue; last: " + last + "; its output ends:\n" +
            tail(members.outputOf(member)));
    }

    @Test
    void theDriverDirectoryOfAKilledMemberIsRemovedAtItsNextStart() throws Exception
    {
        // No aeron.dir: the member names its directory, unique to its process, and must find its old ones itself.
        final Path config = members.files().configOf(1);
        final List<String> lines = new ArrayList<>(Files.readAllLines(config));
        lines.removeIf(line -> line.startsWith(DaemonConfig.AERON_DIR));
        Files.write(config, lines);

        members.start(1);
        members.awaitReady(1, READY_TIMEOUT);
        final File first = aeronDirOfCurrentRun(1);
        assertThat(first).as("member 1's Aeron dir").isDirectory();
        members.kill(1);
        assertThat(first).as("Aeron dir of the killed member").isDirectory();

        members.start(1);
        members.awaitReady(1, READY_TIMEOUT);
        final File second = aeronDirOfCurrentRun(1);
        assertThat(second).as("member 1's new Aeron dir").isDirectory().isNotEqualTo(first);
        assertThat(first).as("Aeron dir of the member's killed run, after its next start").doesNotExist();
    }

    private File aeronDirOfCurrentRun(final int member) throws IOException
    {
        final Matcher ready = READY_LINE.matcher(members.currentOutput(member));
        assertThat(ready.find()).as("member %d's ready line", member).isTrue();
        final File dir = new File(ready.group(1));
        defaultAeronDirs.add(dir);
        return dir;
    }

    private static String tail(final Path output)
    {
        try
        {
            final List<String> lines = Files.readAllLines(output);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
