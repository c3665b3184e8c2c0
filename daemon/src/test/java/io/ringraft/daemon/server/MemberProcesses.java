package io.ringraft.daemon.server;

import org.agrona.IoUtil;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The three member processes of a test's cluster: {@code ringraft-daemon} JVMs started as a user would
 * ({@code DaemonMain --config FILE}), which a test starts, kills (SIGKILL), stops (SIGTERM), pauses (SIGSTOP) and
 * restarts. Register it with {@code @RegisterExtension}: each test gets its own directory under
 * {@code target/member-processes/} (configs from {@link ClusterFiles}, data directories, each member's output over
 * all its runs, a timeline of what was done to whom). After each test, whatever happened: every process still running
 * is killed, every member's Aeron directory under /dev/shm is removed, and the directory is deleted when the test
 * passed, kept (and its path printed) when it failed.
 */
final class MemberProcesses implements BeforeEachCallback, AfterEachCallback
{
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);
    private static final long POLL_MS = 50;

    private final int groups;
    private final Map<Integer, Process> processes = new TreeMap<>();
    /** Where each member's current run starts in its output file, which every run appends to. */
    private final Map<Integer, Long> outputStarts = new TreeMap<>();
    private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
    private long startNs;
    private Path root;
    private ClusterFiles files;

    MemberProcesses(final int groups)
    {
        this.groups = groups;
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws IOException
    {
        final String name = context.getRequiredTestClass().getSimpleName() + "-" +
            context.getRequiredTestMethod().getName() + "-" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        root = Files.createDirectories(targetDirectory().resolve("member-processes").resolve(name));
        files = new ClusterFiles(root, groups);
        startNs = System.nanoTime();
    }

    @Override
    public void afterEach(final ExtensionContext context) throws IOException, InterruptedException
    {
        if (null == files)
        {
            return;
        }
        for (final int member : processes.keySet())
        {
            if (processes.get(member).isAlive())
            {
                event("test over: kill member " + member);
            }
            processes.get(member).destroyForcibly(); // SIGKILL also ends a SIGSTOPped process
        }
        for (final Process process : processes.values())
        {
            awaitExit(process, EXIT_TIMEOUT);
        }
        for (final int member : ClusterFiles.MEMBERS)
        {
            IoUtil.delete(new File(files.aeronDirOf(member)), true);
        }
        Files.write(root.resolve("timeline.txt"), timeline, StandardCharsets.UTF_8);
        if (context.getExecutionException().isPresent())
        {
            System.out.println("the failed run's configs, data, member output and timeline are kept in " + root);
        }
        else
        {
            IoUtil.delete(root.toFile(), false);
        }
    }

    /** The test's directory: kept with a failed run, so a test may leave its own findings there too. */
    Path directory()
    {
        return root;
    }

    ClusterFiles files()
    {
        return files;
    }

    Path dataDirOf(final int member)
    {
        return files.dataDirOf(member);
    }

    /** The JVM crash reports (hs_err files) any member wrote: none unless a member process crashed. */
    List<Path> crashReports() throws IOException
    {
        try (var files = Files.list(root))
        {
            return files.filter(file -> file.getFileName().toString().startsWith("hs_err")).toList();
        }
    }

    /** Everything member {@code member} printed, over all its runs. */
    Path outputOf(final int member)
    {
        return root.resolve("member-" + member + ".log");
    }

    /** Starts member {@code member}, which must not be running; its output goes to {@link #outputOf}. */
    void start(final int member) throws IOException
    {
        if (processes.containsKey(member) && processes.get(member).isAlive())
        {
            throw new IllegalStateException("member " + member + " is running already");
        }
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("ringraft.jvm.opens", "").trim().split("\\s+")));
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ErrorFile=" + root.resolve("hs_err_pid%p.log"),
            "-cp", System.getProperty("java.class.path"),
            DaemonMain.class.getName(), "--config", files.configOf(member).toString()));
        command.removeIf(String::isEmpty);
        final Path output = outputOf(member);
        outputStarts.put(member, Files.exists(output) ? Files.size(output) : 0L);
        processes.put(member, new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(output.toFile()))
            .start());
        event("start member " + member + " (pid " + processes.get(member).pid() + ")");
    }

    /** Waits until the current run of {@code member} says it serves clients; fails with its output if it exits. */
    void awaitReady(final int member, final Duration timeout) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final Process process = processes.get(member);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (currentOutput(member).contains("ready member " + member))
            {
                event("member " + member + " ready");
                return;
            }
            if (!process.isAlive())
            {
                throw new AssertionError("member " + member + " exited with " + process.exitValue() + ":\n" +
                    currentOutput(member));
            }
            Thread.sleep(POLL_MS); // polling a file for a condition, bounded by the deadline
        }
        throw new AssertionError("member " + member + " not ready within " + timeout + ":\n" + currentOutput(member));
    }

    void startAll(final Duration readyTimeout) throws IOException, InterruptedException
    {
        for (final int member : ClusterFiles.MEMBERS)
        {
            start(member);
        }
        for (final int member : ClusterFiles.MEMBERS)
        {
            awaitReady(member, readyTimeout);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed, peers get no goodbye. Returns once it has exited. */
    void kill(final int member) throws InterruptedException
    {
        final Process process = processes.get(member);
        process.destroyForcibly();
        event("SIGKILL member " + member);
        if (!awaitExit(process, EXIT_TIMEOUT))
        {
            throw new AssertionError("member " + member + " (pid " + process.pid() + ") still runs after SIGKILL");
        }
    }

    /** SIGTERM: the shutdown hook closes node, transport and media driver; true when it exited in time. */
    boolean stop(final int member) throws InterruptedException
    {
        final Process process = processes.get(member);
        process.destroy();
        event("SIGTERM member " + member);
        final boolean exited = awaitExit(process, EXIT_TIMEOUT);
        event("member " + member + (exited ? " exited with " + process.exitValue() : " did not exit in time"));
        return exited;
    }

    /** SIGSTOP: the member, its media driver included, stops in its tracks until {@link #resume} or a kill. */
    void pause(final int member) throws IOException, InterruptedException
    {
        signal(member, "STOP");
        event("SIGSTOP member " + member);
    }

    void resume(final int member) throws IOException, InterruptedException
    {
        signal(member, "CONT");
        event("SIGCONT member " + member);
    }

    /** The process id of the current run of {@code member}. */
    long pid(final int member)
    {
        return processes.get(member).pid();
    }

    boolean isAlive(final int member)
    {
        return processes.containsKey(member) && processes.get(member).isAlive();
    }

    /** Notes what happened, with the time since the test started, in the timeline kept with a failed run. */
    void event(final String what)
    {
        timeline.add(String.format("%9.3f s  %s", secondsSinceStart(System.nanoTime()), what));
    }

    /** The time base of the timeline: seconds from the start of the test to {@code nanoTime}. */
    double secondsSinceStart(final long nanoTime)
    {
        return (nanoTime - startNs) / 1e9;
    }

    /** The last {@code count} events, one a line. */
    String lastEvents(final int count)
    {
        synchronized (timeline)
        {
            return String.join("\n", timeline.subList(Math.max(0, timeline.size() - count), timeline.size()));
        }
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

    /** What the current run of member {@code member} printed so far. */
    String currentOutput(final int member) throws IOException
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

    private static boolean awaitExit(final Process process, final Duration timeout) throws InterruptedException
    {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Path targetDirectory()
    {
        // Surefire runs tests in the module's directory and says so in basedir.
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("target");
    }
}
