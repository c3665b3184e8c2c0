/*
 * ringraft
 */
package io.ringraft.tools;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.daemon.nemesis.Network;
import io.ringraft.daemon.server.DaemonMain;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Across hosts, as far as one machine allows: three member processes, each in a network namespace of its own with
 * its own 10.x address ({@link Network}, the nemesis harness's), and the real {@code ringraft kv} and
 * {@code ringraft cluster status} commands run as processes in a fourth namespace, from a client config that names
 * no response address: the client must pick the local address of its route to the members (not a loopback one).
 * Skipped where network namespaces are not available (not Linux, not root, no {@code ip netns}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NamespacedCliTest
{
    private static final int MEMBERS = 3;
    private static final int CLI_HOST = 4;
    private static final long READY_TIMEOUT_MS = 90_000;
    private static final long COMMAND_TIMEOUT_S = 90;
    private static final long EXIT_TIMEOUT_S = 20;

    @TempDir
    Path root;

    private final String aeronPrefix =
        "/dev/shm/ringraft-nscli-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    private final Map<Integer, Process> members = new TreeMap<>();

    @Test
    void kvAndClusterStatusWorkFromAFourthNamespaceWithTheResponseAddressPickedByRoute() throws Exception
    {
        final String unavailable = Network.unavailable();
        Assumptions.assumeTrue(null == unavailable, () -> "skipped: " + unavailable);

        try (Network network = new Network(CLI_HOST))
        {
            try
            {
                final Path clientConfig = writeConfigs(network);
                for (int member = 1; member <= MEMBERS; member++)
                {
                    startMember(network, member);
                }
                for (int member = 1; member <= MEMBERS; member++)
                {
                    awaitReady(member);
                }

                final String config = clientConfig.toString();
                assertThat(cli(network, "kv", "put", "ns-key", "across-hosts", "--config", config).out.trim()).isEqualTo("OK");
                assertThat(cli(network, "kv", "get", "ns-key", "--config", config).out.trim())
                    .isEqualTo("across-hosts");
                assertThat(cli(network, "kv", "get", "ns-key", "--lease", "--config", config).out.trim())
                    .isEqualTo("across-hosts");
                assertThat(cli(network, "kv", "delete", "ns-key", "--config", config).exit).isZero();
                final Outcome missing = cli(network, 1, "kv", "get", "ns-key", "--config", config);
                assertThat(missing.err).contains("not found: ns-key");

                final String status = cli(network, "cluster", "status", "--config", config).out;
                for (int member = 1; member <= MEMBERS; member++)
                {
                    assertThat(status).as("status of member %d", member)
                        .containsPattern("(?m)^" + member + "\\s+" + network.addressOf(member).replace(".", "\\.") +
                            ":\\d+\\s+UP\\b");
                }
                assertThat(status).contains("LEADER");
            }
            finally
            {
                stopMembers();
            }
        }
        finally
        {
            deleteAeronLeftovers();
        }
    }

    /** Writes each member's config and the client's, which has no client.response.host; returns the client's. */
    private Path writeConfigs(final Network network) throws IOException
    {
        ClusterSecret.generate().writeNew(root.resolve("cluster.key"));
        final List<String> raft = new ArrayList<>();
        final List<String> client = new ArrayList<>();
        for (int member = 1; member <= MEMBERS; member++)
        {
            raft.add(member + "=" + network.addressOf(member) + ":40001");
            client.add(member + "=" + network.addressOf(member) + ":40101");
        }
        final String common = String.join("\n",
            "cluster.id = 47",
            "members = " + String.join(", ", raft),
            "client.endpoints = " + String.join(", ", client),
            "groups = 2",
            "secret.file = " + root.resolve("cluster.key"),
            "");
        for (int member = 1; member <= MEMBERS; member++)
        {
            Files.writeString(root.resolve("member-" + member + ".conf"), common + String.join("\n",
                "member.id = " + member,
                "data.dir = " + root.resolve("data-" + member),
                "aeron.dir = " + aeronPrefix + "-m" + member,
                ""));
        }
        final Path clientConfig = root.resolve("client.conf");
        Files.writeString(clientConfig, common);
        return clientConfig;
    }

    private static List<String> java(final Network network, final int host)
    {
        final List<String> command = new ArrayList<>(network.prefixOf(host));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("ringraft.jvm.opens", "").trim().split("\\s+")));
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path")));
        command.removeIf(String::isEmpty);
        return command;
    }

    private void startMember(final Network network, final int member) throws IOException
    {
        final List<String> command = java(network, member);
        command.addAll(List.of(DaemonMain.class.getName(), "--config", root.resolve("member-" + member + ".conf").toString()));
        members.put(member, new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(logOf(member).toFile()))
            .start());
    }

    private Path logOf(final int member)
    {
        return root.resolve("member-" + member + ".log");
    }

    private void awaitReady(final int member) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String log = Files.exists(logOf(member)) ? Files.readString(logOf(member)) : "";
            if (log.contains("ready member " + member))
            {
                return;
            }
            if (!members.get(member).isAlive())
            {
                throw new AssertionError("member " + member + " exited with " + members.get(member).exitValue() +
                    ":\n" + log);
            }
            Thread.sleep(100); // polling a log file for a line, bounded by the deadline
        }
        throw new AssertionError("member " + member + " not ready within " + READY_TIMEOUT_MS + " ms:\n" +
            Files.readString(logOf(member)));
    }

    private record Outcome(int exit, String out, String err)
    {
    }

    /** Runs {@code ringraft ARGS} in the fourth namespace; expects exit code 0. */
    private Outcome cli(final Network network, final String... args) throws Exception
    {
        return cli(network, 0, args);
    }

    private Outcome cli(final Network network, final int expectedExit, final String... args) throws Exception
    {
        final List<String> command = java(network, CLI_HOST);
        command.add(RingraftCli.class.getName());
        command.addAll(List.of(args));
        final Path out = Files.createTempFile(root, "cli", ".out");
        final Path err = Files.createTempFile(root, "cli", ".err");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
        if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS);
            throw new AssertionError("ringraft " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT_S +
                " s; stderr:\n" + Files.readString(err));
        }
        final Outcome outcome = new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
        assertThat(outcome.exit).as("exit code of ringraft %s; stdout:%n%s%nstderr:%n%s", String.join(" ", args),
            outcome.out, outcome.err).isEqualTo(expectedExit);
        return outcome;
    }

    /** SIGTERM (ip netns exec execs java, so this is the member itself), then SIGKILL if it does not exit. */
    private void stopMembers() throws InterruptedException
    {
        members.values().forEach(Process::destroy);
        for (final Process process : members.values())
        {
            if (!process.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
    }

    /** A member killed rather than stopped leaves its Aeron directory. */
    private void deleteAeronLeftovers() throws IOException
    {
        for (int member = 1; member <= MEMBERS; member++)
        {
            final Path dir = Path.of(aeronPrefix + "-m" + member);
            if (Files.exists(dir))
            {
                try (Stream<Path> paths = Files.walk(dir))
                {
                    paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }
}
