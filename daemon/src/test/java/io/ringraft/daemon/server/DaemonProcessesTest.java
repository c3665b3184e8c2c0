package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    void writesResumeAfterTheLeaderIsKilledAndNothingAcknowledgedIsLost() throws Exception
    {
        members.startAll(Duration.ofSeconds(60));
        client = KvClient.connect(new KvClientOptions(ClientConfig.load(members.files().configOf(1)))
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
        members.kill(leader);
        final long pendingAtKill = inFlight.values().stream().filter(put -> !put.isDone()).count();

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
                assertThat(members.stop(member)).as("member %d stops", member).isTrue();
                assertThat(new File(members.files().aeronDirOf(member))).as("member %d's Aeron dir", member)
                    .doesNotExist();
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

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes)
    {
        return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
