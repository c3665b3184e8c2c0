package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClusterConfig;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three daemon JVMs, started as a user would ({@code DaemonMain --config FILE}), and a client in this JVM: writes go
 * on after the leader of group 0 is killed with SIGKILL, and nothing acknowledged is lost.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DaemonProcessesTest
{
    private static final int GROUPS = 2;
    private static final int KEYS_BEFORE = 1_000;
    private static final int KEYS_AFTER = 300;
    private static final int WINDOW = 50;
    private static final long RECOVERY_BOUND_MS = 10_000;

    @TempDir
    Path root;
    private ClusterFiles files;
    private final Map<Integer, Process> daemons = new TreeMap<>();
    private KvClient client;

    @AfterEach
    void stopEverything() throws InterruptedException
    {
        if (null != client)
        {
            client.close();
        }
        for (final Process process : daemons.values())
        {
            process.destroyForcibly();
        }
        for (final Process process : daemons.values())
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (null != files)
        {
            for (final int member : ClusterFiles.MEMBERS)
            {
                IoUtil.delete(new File(files.aeronDirOf(member)), true);
            }
        }
    }

    @Test
    void writesResumeAfterTheLeaderIsKilledAndNothingAcknowledgedIsLost() throws Exception
    {
        files = new ClusterFiles(root, GROUPS);
        for (final int member : ClusterFiles.MEMBERS)
        {
            daemons.put(member, startDaemon(member));
        }
        for (final int member : ClusterFiles.MEMBERS)
        {
            awaitReady(member, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
        }
        client = KvClient.connect(new KvClientOptions(ClusterConfig.load(files.configOf(1)))
            .attemptTimeout(Duration.ofSeconds(1))
            .requestTimeout(Duration.ofSeconds(20)));

        final Map<String, String> acknowledged = new LinkedHashMap<>();
        final long putsStartNs = System.nanoTime();
        putAll("before-", KEYS_BEFORE, acknowledged);
        System.out.println(KEYS_BEFORE + " puts (windows of " + WINDOW + ", fsync always) took " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - putsStartNs) + " ms, first connects included");
        assertThat(acknowledged).hasSize(KEYS_BEFORE);

        final int leader = client.leaderOf(0);
        assertThat(leader).isIn(1, 2, 3);
        // Writes in flight when the leader dies: each must still be acknowledged (by retrying elsewhere) or fail.
        final Map<String, CompletableFuture<Void>> inFlight = new LinkedHashMap<>();
        for (int i = 0; i < WINDOW; i++)
        {
            inFlight.put("during-" + i, client.putAsync(bytes("during-" + i), bytes("value-during-" + i)));
        }
        final long killNs = System.nanoTime();
        daemons.get(leader).destroyForcibly();
        final long pendingAtKill = inFlight.values().stream().filter(put -> !put.isDone()).count(); // SIGKILL: no shutdown hook, no goodbye to peers
        assertThat(daemons.get(leader).waitFor(10, TimeUnit.SECONDS)).isTrue();

        // The first write to group 0 after the kill: the client finds the dead leader silent, moves on, follows hints.
        final byte[] probeKey = keyOfGroup(0, "after-kill-probe-");
        client.put(probeKey, bytes("probe"));
        final long recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killNs);
        acknowledged.put(text(probeKey), "probe");
        System.out.println("first write to group 0 acknowledged " + recoveryMs + " ms after the leader was killed");
        assertThat(recoveryMs).isLessThan(RECOVERY_BOUND_MS);
        assertThat(client.leaderOf(0)).isNotEqualTo(leader);

        putAll("after-", KEYS_AFTER, acknowledged);
        int inFlightFailed = 0;
        for (final Map.Entry<String, CompletableFuture<Void>> put : inFlight.entrySet())
        {
            try
            {
                put.getValue().join();
                acknowledged.put(put.getKey(), "value-" + put.getKey());
            }
            catch (final CompletionException ex)
            {
                inFlightFailed++; // not acknowledged: it may or may not have been applied, so it is not checked
            }
        }
        System.out.println(pendingAtKill + " of " + WINDOW + " writes were unacknowledged at the kill; " +
            inFlightFailed + " failed in the end");
        assertThat(acknowledged).hasSize(KEYS_BEFORE + KEYS_AFTER + 1 + WINDOW - inFlightFailed);

        final List<String> keys = new ArrayList<>(acknowledged.keySet());
        for (int from = 0; from < keys.size(); from += WINDOW)
        {
            final List<String> window = keys.subList(from, Math.min(keys.size(), from + WINDOW));
            final List<CompletableFuture<byte[]>> gets = new ArrayList<>();
            window.forEach(key -> gets.add(client.getAsync(bytes(key))));
            for (int i = 0; i < window.size(); i++)
            {
                assertThat(text(gets.get(i).join())).as(window.get(i)).isEqualTo(acknowledged.get(window.get(i)));
            }
        }

        // SIGTERM: the survivors' shutdown hooks close node, transport and driver, and delete the driver's directory.
        for (final int member : ClusterFiles.MEMBERS)
        {
            if (member != leader)
            {
                daemons.get(member).destroy();
            }
        }
        for (final int member : ClusterFiles.MEMBERS)
        {
            if (member != leader)
            {
                assertThat(daemons.get(member).waitFor(20, TimeUnit.SECONDS)).as("member %d stops", member).isTrue();
                assertThat(new File(files.aeronDirOf(member))).as("member %d's Aeron dir", member).doesNotExist();
            }
        }
    }

    /** Puts in windows of concurrent requests; records the acknowledged ones, fails on any that is not. */
    private void putAll(final String prefix, final int count, final Map<String, String> acknowledged)
    {
        for (int from = 0; from < count; from += WINDOW)
        {
            final Map<String, CompletableFuture<Void>> window = new LinkedHashMap<>();
            for (int i = from; i < Math.min(count, from + WINDOW); i++)
            {
                window.put(prefix + i, client.putAsync(bytes(prefix + i), bytes("value-" + prefix + i)));
            }
            for (final Map.Entry<String, CompletableFuture<Void>> put : window.entrySet())
            {
                try
                {
                    put.getValue().join();
                    acknowledged.put(put.getKey(), "value-" + put.getKey());
                }
                catch (final CompletionException ex)
                {
                    throw new AssertionError("put " + put.getKey() + " failed: " + ex.getCause().getMessage(), ex);
                }
            }
        }
    }

    private byte[] keyOfGroup(final int group, final String prefix)
    {
        for (int i = 0; ; i++)
        {
            final byte[] key = bytes(prefix + i);
            if (client.groupOf(key) == group)
            {
                return key;
            }
        }
    }

    private Process startDaemon(final int member) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("ringraft.jvm.opens", "").trim().split("\\s+")));
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"),
            DaemonMain.class.getName(), "--config", files.configOf(member).toString()));
        command.removeIf(String::isEmpty);
        return new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logOf(member).toFile())
            .start();
    }

    private void awaitReady(final int member, final long deadlineNs) throws IOException, InterruptedException
    {
        final Path log = logOf(member);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (Files.exists(log) && Files.readString(log).contains("ready member " + member))
            {
                return;
            }
            if (!daemons.get(member).isAlive())
            {
                throw new AssertionError("member " + member + " exited with " + daemons.get(member).exitValue() +
                    ":\n" + Files.readString(log));
            }
            Thread.sleep(50); // polling a file for a condition, bounded by the deadline
        }
        throw new AssertionError("member " + member + " not ready in time:\n" + Files.readString(log));
    }

    private Path logOf(final int member)
    {
        return root.resolve("member-" + member + ".log");
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes)
    {
        return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
