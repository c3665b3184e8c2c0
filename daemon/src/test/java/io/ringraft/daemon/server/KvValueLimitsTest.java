package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvClientOptions;
import io.ringraft.daemon.client.KvException;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.kv.KvCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The largest legal values over three daemons in this JVM (UDP on loopback), and how a client fails when it cannot send. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KvValueLimitsTest
{
    private static final int GROUPS = 2;

    @TempDir
    static Path root;
    private static InJvmDaemons cluster;
    private static ClusterFiles files;
    private static KvClient client;

    @BeforeAll
    static void startCluster() throws Exception
    {
        cluster = InJvmDaemons.start(root, GROUPS);
        files = cluster.files;
        client = cluster.client;
    }

    @AfterAll
    static void stopCluster()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void aValueOfTheMaximumSizeRoundTrips()
    {
        final byte[] value = randomBytes(KvCommands.MAX_VALUE_LENGTH, 1);
        client.put(bytes("one-mebibyte"), value);
        assertThat(client.get(bytes("one-mebibyte"))).isEqualTo(value);

        // The largest key with the largest value: the largest request and, read back, the largest response.
        final byte[] key = randomBytes(KvCommands.MAX_KEY_LENGTH, 2);
        final byte[] other = randomBytes(KvCommands.MAX_VALUE_LENGTH, 3);
        client.put(key, other);
        assertThat(client.get(key)).isEqualTo(other);
        for (final int member : ClusterFiles.MEMBERS)
        {
            assertThat(client.get(key, member)).as("read through member %d", member).isEqualTo(other);
        }
    }

    @Test
    void aValueOverTheMaximumIsRefusedAtOnceNamingTheLimit()
    {
        final long startNs = System.nanoTime();
        assertThatThrownBy(() -> client.putAsync(bytes("too-big"), new byte[KvCommands.MAX_VALUE_LENGTH + 1]))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(String.valueOf(KvCommands.MAX_VALUE_LENGTH + 1))
            .hasMessageContaining(String.valueOf(KvCommands.MAX_VALUE_LENGTH));
        // A COMPARE_AND_SET of two largest values is more than one command a member takes.
        final byte[] big = new byte[KvCommands.MAX_VALUE_LENGTH];
        assertThatThrownBy(() -> client.compareAndSetAsync(bytes("too-big"), big, big))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(String.valueOf(KvCommands.HEADER_LENGTH + KvCommands.MAX_KEY_LENGTH +
                KvCommands.MAX_VALUE_LENGTH));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).isLessThan(1_000);
    }

    @Test
    void aRequestTheClientCannotSendFailsAtOnceWithItsCause() throws Exception
    {
        // Terms of 4 MiB carry messages of at most 512 KiB: a 600 KiB value cannot be sent in one.
        final KvClientOptions options = new KvClientOptions(ClientConfig.load(files.configOf(1)))
            .termBufferLength(4 * 1024 * 1024)
            .requestTimeout(Duration.ofSeconds(20));
        try (KvClient small = KvClient.connect(options))
        {
            final long startNs = System.nanoTime();
            assertThatThrownBy(() -> small.put(bytes("cannot-send"), new byte[600 * 1024]))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("524288")
                .hasMessageNotContaining("no member answered");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs))
                .as("failed at once, not after the request's budget").isLessThan(5_000);

            // The client still serves what it can send.
            small.put(bytes("can-send"), bytes("small"));
            assertThat(small.get(bytes("can-send"))).isEqualTo(bytes("small"));
        }
    }

    private static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
