/*
 * ringraft
 */
package io.ringraft.tools.kv;

import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.server.KvDaemon;
import io.ringraft.tools.CommandLineTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ringraft kv} against three daemons in this JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvCommandTest extends CommandLineTest
{
    @TempDir
    static Path root;
    private static Path config;
    private static final List<KvDaemon> daemons = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws IOException
    {
        final Map<Integer, String> ports = LoopbackEndpoints.pick(1, 2, 3, 11, 12, 13);
        final String common = String.join("\n",
            "cluster.id = 31",
            "members = 1=" + ports.get(1) + ", 2=" + ports.get(2) + ", 3=" + ports.get(3),
            "client.endpoints = 1=" + ports.get(11) + ", 2=" + ports.get(12) + ", 3=" + ports.get(13),
            "groups = 2",
            "secret.file = " + root.resolve("cluster.key"),
            "");
        ClusterSecret.generate().writeNew(root.resolve("cluster.key"));
        config = root.resolve("cluster.conf");
        Files.writeString(config, common);
        for (int member = 1; member <= 3; member++)
        {
            final Path memberConfig = root.resolve("member-" + member + ".conf");
            Files.writeString(memberConfig, common + "member.id = " + member + "\ndata.dir = " +
                root.resolve("data-" + member) + "\n");
            daemons.add(KvDaemon.start(DaemonConfig.load(memberConfig)));
        }
    }

    @AfterAll
    static void stopCluster()
    {
        daemons.forEach(KvDaemon::close);
    }

    @Test
    void putThenGetThenDelete()
    {
        assertThat(execute("kv", "put", "colour", "blue", "--config", config.toString())).as(err.toString()).isZero();
        assertThat(out.toString().trim()).isEqualTo("OK");
        assertThat(execute("kv", "get", "colour", "--config", config.toString())).as(err.toString()).isZero();
        assertThat(out.toString().trim()).isEqualTo("blue");
        assertThat(execute("kv", "delete", "colour", "--config", config.toString())).as(err.toString()).isZero();
        assertThat(execute("kv", "get", "colour", "--config", config.toString())).isEqualTo(KvCommand.NOT_FOUND);
        assertThat(err.toString()).contains("not found: colour");
        assertThat(execute("kv", "delete", "colour", "--config", config.toString())).isEqualTo(KvCommand.NOT_FOUND);
    }

    @Test
    void casSetsOnlyWhatItExpectsAndAMismatchIsNoSuccess()
    {
        final String file = config.toString();
        assertThat(execute("kv", "cas", "--absent", "lock", "first", "--config", file)).as(err.toString()).isZero();
        assertThat(out.toString().trim()).isEqualTo("OK");
        assertThat(execute("kv", "cas", "--absent", "lock", "second", "--config", file)).isEqualTo(KvCommand.NOT_FOUND);
        assertThat(err.toString().trim()).isEqualTo("not set: lock exists");

        assertThat(execute("kv", "cas", "lock", "first", "third", "--config", file)).as(err.toString()).isZero();
        assertThat(execute("kv", "cas", "lock", "first", "fourth", "--config", file)).isEqualTo(KvCommand.NOT_FOUND);
        assertThat(err.toString().trim()).isEqualTo("not set: lock does not hold the expected value");
        assertThat(out.toString()).isEmpty();
        assertThat(execute("kv", "get", "lock", "--config", file)).as(err.toString()).isZero();
        assertThat(out.toString().trim()).isEqualTo("third");

        assertThat(execute("kv", "cas", "lock", "third", "--config", file)).isEqualTo(KvCommand.USAGE);
        assertThat(err.toString().trim()).isEqualTo(
            "ringraft kv cas: give KEY EXPECTED NEW (or --absent KEY NEW), not 1 value(s) after KEY");
        assertThat(execute("kv", "cas", "--absent", "lock", "a", "b", "--config", file)).isEqualTo(KvCommand.USAGE);
        assertThat(execute("kv", "cas", "", "a", "b", "--config", file)).isEqualTo(KvCommand.USAGE);
        assertThat(err.toString().lines().count()).isEqualTo(1);

        assertThat(execute("kv", "cas", "--help")).isZero();
        assertThat(out.toString()).contains("Examples:", "ringraft kv cas counter 1 2 --config member-1.conf",
            "Exit code: 0 set, 1 KEY did not hold EXPECTED");
    }

    @Test
    void anEmptyKeyIsAOneLineUsageError()
    {
        for (final String[] command : new String[][] {{"get", ""}, {"delete", ""}, {"put", "", "v"}})
        {
            final String[] args = new String[command.length + 3];
            args[0] = "kv";
            System.arraycopy(command, 0, args, 1, command.length);
            args[command.length + 1] = "--config";
            args[command.length + 2] = config.toString();
            assertThat(execute(args)).as(err.toString()).isEqualTo(KvCommand.USAGE);
            assertThat(err.toString().lines().toList()).singleElement().isEqualTo(
                "ringraft kv " + command[0] + ": KEY '' is empty; a key is 1 to 65536 bytes of UTF-8");
        }
    }

    @Test
    void aKeyOrValueTooLongIsAOneLineUsageError()
    {
        final String longKey = "k".repeat(KvCommands.MAX_KEY_LENGTH + 1);
        assertThat(execute("kv", "get", longKey, "--config", config.toString())).isEqualTo(KvCommand.USAGE);
        assertThat(err.toString().lines().toList()).singleElement().isEqualTo("ringraft kv get: KEY '" +
            "k".repeat(40) + "...' is 65537 bytes of UTF-8; a key is 1 to 65536 bytes");
        final String longValue = "v".repeat(KvCommands.MAX_VALUE_LENGTH + 1);
        assertThat(execute("kv", "put", "k", longValue, "--config", config.toString())).isEqualTo(KvCommand.USAGE);
        assertThat(err.toString().lines().toList()).singleElement().asString()
            .contains("ringraft kv put: VALUE '", "is 1048577 bytes of UTF-8; a value is at most 1048576 bytes");
    }

    @Test
    void responseHostFromTheOptionOrTheConfig() throws IOException
    {
        assertThat(execute("kv", "put", "via", "option", "--config", config.toString(), "--response-host", "127.0.0.1"))
            .as(err.toString()).isZero();
        final Path withKey = root.resolve("with-response-host.conf");
        Files.writeString(withKey, Files.readString(config) + "client.response.host = 127.0.0.1\n");
        assertThat(execute("kv", "get", "via", "--config", withKey.toString())).as(err.toString()).isZero();
        assertThat(out.toString().trim()).isEqualTo("option");
        assertThat(execute("kv", "get", "via", "--config", config.toString(), "--response-host", "127.0.0.1:9"))
            .isEqualTo(KvCommand.USAGE);
        assertThat(err.toString().lines().toList()).singleElement().asString()
            .startsWith("ringraft kv get: --response-host '127.0.0.1:9' has a port");
    }

    @Test
    void responsePortFromTheOptionOrTheConfig() throws IOException
    {
        final String port = LoopbackEndpoints.pick(21).get(21).split(":")[1];
        assertThat(execute("kv", "put", "fixed", "port", "--config", config.toString(), "--response-port", port))
            .as(err.toString()).isZero();
        final Path withKey = root.resolve("with-response-port.conf");
        Files.writeString(withKey, Files.readString(config) + "client.response.port = " + port + "\n");
        assertThat(execute("kv", "get", "fixed", "--config", withKey.toString())).as(err.toString()).isZero();
        assertThat(out.toString().trim()).isEqualTo("port");
        assertThat(execute("kv", "get", "fixed", "--config", config.toString(), "--response-port", "70000"))
            .isEqualTo(KvCommand.USAGE);
        assertThat(err.toString().lines().toList()).singleElement().asString()
            .startsWith("ringraft kv get: --response-port 70000 must be a UDP port, 1..65535");
    }

    @Test
    void badConfigIsAUsageErrorNamingTheKey() throws IOException
    {
        final Path bad = root.resolve("bad.conf");
        Files.writeString(bad, Files.readString(config).replace("groups = 2", "groups = 0"));
        assertThat(execute("kv", "get", "k", "--config", bad.toString())).isEqualTo(KvCommand.USAGE);
        assertThat(err.toString()).contains("groups = '0'", "must be an integer between 1 and");
    }

    @Test
    void aClientKeyOfAnotherClusterFailsSayingToCheckTheKey() throws IOException
    {
        final Path otherKey = root.resolve("other-cluster.key");
        ClusterSecret.generate().writeNew(otherKey);
        final Path wrong = root.resolve("wrong-key.conf");
        Files.writeString(wrong, Files.readString(config).replace(root.resolve("cluster.key").toString(),
            otherKey.toString()));
        assertThat(execute("kv", "get", "k", "--config", wrong.toString(), "--timeout", "5s"))
            .isEqualTo(KvCommand.FAILED);
        assertThat(err.toString()).contains("no member answered Connect at all: is the client key right?");

        final Path none = root.resolve("no-key.conf");
        Files.writeString(none, Files.readString(config).replace("secret.file = " + root.resolve("cluster.key"), ""));
        assertThat(execute("kv", "get", "k", "--config", none.toString())).isEqualTo(KvCommand.USAGE);
        assertThat(err.toString()).contains("secret.file is missing", "client.key.file", "security = insecure");
    }

    @Test
    void noMemberAnsweringFailsWithinTheBudgetNamingWhatHappened() throws IOException
    {
        final Map<Integer, String> unused = LoopbackEndpoints.pick(1, 2, 3, 11, 12, 13);
        final Path nowhere = root.resolve("nowhere.conf");
        Files.writeString(nowhere, String.join("\n",
            "cluster.id = 31",
            "members = 1=" + unused.get(1) + ", 2=" + unused.get(2) + ", 3=" + unused.get(3),
            "client.endpoints = 1=" + unused.get(11) + ", 2=" + unused.get(12) + ", 3=" + unused.get(13),
            "security = insecure",
            ""));
        final long startNs = System.nanoTime();
        assertThat(execute("kv", "get", "k", "--config", nowhere.toString(), "--timeout", "1s")).isEqualTo(KvCommand.FAILED);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).isLessThan(8_000);
        assertThat(err.toString()).contains("failed: read in group 0 got no answer within PT1S", "member ");
    }
}
