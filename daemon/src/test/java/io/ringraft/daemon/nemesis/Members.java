package io.ringraft.daemon.nemesis;

import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.codecs.ClusterSecret;
import io.ringraft.daemon.MemberLeftovers;
import io.ringraft.daemon.server.DaemonMain;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The member processes of one nemesis run: {@code ringraft-daemon} JVMs started as a user would
 * ({@code DaemonMain --config FILE}) on free loopback ports, authenticated with the run's cluster secret, each with
 * its data directory and output file under the run's directory. The nemesis kills (SIGKILL), pauses (SIGSTOP),
 * resumes and restarts them. {@link #close} kills whatever still runs and removes the Aeron directories; the run's
 * directory is the caller's to keep (failed run) or delete.
 * <p>
 * The daemon test package's MemberProcesses does the same for a JUnit test of three members; this one is not an
 * extension (a soak runs many clusters in one test) and takes any member count.
 */
final class Members
{
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);
    private static final long POLL_MS = 50;

    final int[] ids;
    final int groups;
    final Path root;
    private final int clusterId = ThreadLocalRandom.current().nextInt(1, 1_000_000);
    private final String aeronPrefix =
        "/dev/shm/ringraft-nemesis-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private final Map<Integer, String> raftEndpoints = new TreeMap<>();
    private final Map<Integer, String> clientEndpoints = new TreeMap<>();
    private final Map<Integer, Process> processes = new TreeMap<>();
    private final Map<Integer, Long> outputStarts = new TreeMap<>();
    private final Timeline timeline;
    private final Network network;

    /** @param network null: every member on 127.0.0.1; else each in its namespace, at its own address. */
    Members(final Path root, final int count, final int groups, final Timeline timeline, final Network network)
        throws IOException
    {
        this.root = Files.createDirectories(root);
        this.groups = groups;
        this.timeline = timeline;
        this.network = network;
        ids = new int[count];
        final int[] portIds = new int[2 * count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = i + 1;
            portIds[i] = i + 1;
            portIds[count + i] = 101 + i;
        }
        if (null == network)
        {
            final Map<Integer, String> ports = LoopbackEndpoints.pick(portIds);
            for (final int id : ids)
            {
                raftEndpoints.put(id, ports.get(id));
                clientEndpoints.put(id, ports.get(100 + id));
            }
        }
        else
        {
            // Each member has its namespace's ports to itself.
            for (final int id : ids)
            {
                raftEndpoints.put(id, network.addressOf(id) + ":40001");
                clientEndpoints.put(id, network.addressOf(id) + ":40101");
            }
        }
        ClusterSecret.generate().writeNew(root.resolve("cluster.key"));
    }

    Path configOf(final int member) throws IOException
    {
        final Path file = root.resolve("member-" + member + ".conf");
        if (!Files.exists(file))
        {
            Files.writeString(file, String.join("\n",
                "cluster.id = " + clusterId,
                "member.id = " + member,
                "members = " + list(raftEndpoints),
                "client.endpoints = " + list(clientEndpoints),
                "groups = " + groups,
                "data.dir = " + dataDirOf(member),
                "aeron.dir = " + aeronPrefix + "-m" + member,
                "request.timeout.ms = 3000",
                "fsync = always",
                // Snapshots (and log compaction) many times per run, not never: a member restarts from a snapshot,
                // a lagging one may need the leader's, and the write-once keys show an entry recovery skipped.
                "snapshot.entries = 200",
                "secret.file = " + root.resolve("cluster.key"),
                ""));
        }
        return file;
    }

    int clusterId()
    {
        return clusterId;
    }

    /** Every member's client endpoint ({@code host:port}), by member id: where admin requests go. */
    Map<Integer, String> clientEndpoints()
    {
        return clientEndpoints;
    }

    Path secretFile()
    {
        return root.resolve("cluster.key");
    }

    Path dataDirOf(final int member)
    {
        return root.resolve("data-" + member);
    }

    Path outputOf(final int member)
    {
        return root.resolve("member-" + member + ".log");
    }

    void start(final int member) throws IOException
    {
        if (isAlive(member))
        {
            throw new IllegalStateException("member " + member + " is running already");
        }
        final List<String> command = new ArrayList<>();
        if (null != network)
        {
            command.addAll(network.prefixOf(member));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("ringraft.jvm.opens", "").trim().split("\\s+")));
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ErrorFile=" + root.resolve("hs_err_pid%p.log"),
            "-cp", System.getProperty("java.class.path"),
            DaemonMain.class.getName(), "--config", configOf(member).toString()));
        command.removeIf(String::isEmpty);
        final Path output = outputOf(member);
        outputStarts.put(member, Files.exists(output) ? Files.size(output) : 0L);
        processes.put(member, new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(output.toFile()))
            .start());
        timeline.event("start member " + member + " (pid " + processes.get(member).pid() + ")");
    }

    void awaitReady(final int member, final Duration timeout) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final Process process = processes.get(member);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (currentOutput(member).contains("ready member " + member))
            {
                timeline.event("member " + member + " ready");
                return;
            }
            if (!process.isAlive())
            {
                throw new AssertionError("member " + member + " exited with " + process.exitValue() + ":\n" +
                    tail(currentOutput(member)));
            }
            Thread.sleep(POLL_MS); // polling a file for a condition, bounded by the deadline
        }
        throw new AssertionError("member " + member + " not ready within " + timeout + ":\n" +
            tail(currentOutput(member)));
    }

    void startAll(final Duration readyTimeout) throws IOException, InterruptedException
    {
        for (final int member : ids)
        {
            start(member);
        }
        for (final int member : ids)
        {
            awaitReady(member, readyTimeout);
        }
    }

    void kill(final int member) throws InterruptedException
    {
        final Process process = processes.get(member);
        process.destroyForcibly(); // SIGKILL: also ends a SIGSTOPped process
        timeline.event("SIGKILL member " + member);
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        {
            throw new AssertionError("member " + member + " (pid " + process.pid() + ") still runs after SIGKILL");
        }
    }

    void pause(final int member) throws IOException, InterruptedException
    {
        signal(member, "STOP");
        timeline.event("SIGSTOP member " + member);
    }

    void resume(final int member) throws IOException, InterruptedException
    {
        signal(member, "CONT");
        timeline.event("SIGCONT member " + member);
    }

    boolean isAlive(final int member)
    {
        return processes.containsKey(member) && processes.get(member).isAlive();
    }

    /** Members whose process exited on its own (not killed by the nemesis): a crash, which fails the run. */
    String exitedOnTheirOwn(final java.util.Set<Integer> killed)
    {
        final StringBuilder found = new StringBuilder();
        for (final int member : ids)
        {
            if (!killed.contains(member) && processes.containsKey(member) && !processes.get(member).isAlive())
            {
                found.append("member ").append(member).append(" exited with ")
                    .append(processes.get(member).exitValue()).append("; ");
            }
        }
        return found.toString();
    }

    private void signal(final int member, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(processes.get(member).pid()))
            .redirectErrorStream(true)
            .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
        {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " of member " + member + " failed: " +
                new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private String currentOutput(final int member) throws IOException
    {
        final Path output = outputOf(member);
        if (!Files.exists(output))
        {
            return "";
        }
        final byte[] bytes = Files.readAllBytes(output);
        final int from = (int)Math.min(bytes.length, outputStarts.getOrDefault(member, 0L));
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }

    private static String tail(final String text)
    {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }

    void close() throws InterruptedException
    {
        for (final Process process : processes.values())
        {
            process.destroyForcibly();
        }
        for (final Process process : processes.values())
        {
            process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (final int member : ids)
        {
            IoUtil.delete(new File(aeronPrefix + "-m" + member), true);
            MemberLeftovers.removeCounters(dataDirOf(member));
        }
    }

    private static String list(final Map<Integer, String> endpoints)
    {
        return endpoints.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
