package io.ringraft.log;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thread that appends to a log whose file system is frozen ({@code fsfreeze}) waits there, and nothing else of the
 * process does: the log writes with system calls, so the waiting thread does not hold up the JVM's safepoints. (A
 * store into a mapped page of a frozen file system faults and waits in the kernel while the JVM counts the thread
 * as running Java code: the next safepoint, and every other thread with it, then waits until the thaw.)
 * <p>
 * The log lives in a child JVM ({@link FrozenDiskChild}), so that this one keeps running, thaws and reports when the
 * child stops; its data directory is a loop-mounted ext4 image. Needs root and losetup, mkfs.ext4, mount and fsfreeze;
 * skipped otherwise.
 */
class FrozenDiskTest
{
    private static final long STEP_TIMEOUT_SECONDS = 30;
    /** Thread.getAllStackTraces() and a GC on a loaded 2-core host; a safepoint held by the frozen write never ends. */
    private static final long SAFEPOINT_BOUND_SECONDS = 10;

    @TempDir
    Path dir;

    @Test
    void aWriterBlockedOnAFrozenDiskStopsNoOtherThread() throws Exception
    {
        final Path image = dir.resolve("disk.img");
        final Path mount = dir.resolve("mnt");
        Files.createDirectories(mount);
        Assumptions.assumeTrue(canMount(image, mount), "needs root, mkfs.ext4 and a loop device (mount -o loop) " +
            "to freeze a file system: skipped");
        final Thread cleanup = new Thread(() -> unmount(mount), "frozen-disk-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Process child = null;
        try
        {
            child = startChild(mount.resolve("data"));
            final BlockingQueue<String> lines = lines(child);
            final OutputStream stdin = child.getOutputStream();

            assertThat(next(lines, STEP_TIMEOUT_SECONDS)).startsWith("READY 16");
            run("fsfreeze", "-f", mount.toString());
            send(stdin, "GO");
            final String blocked = next(lines, STEP_TIMEOUT_SECONDS);
            assertThat(blocked).as("the writer waits on the frozen file system").startsWith("BLOCKED ");
            System.out.println("FrozenDiskTest: writer's kernel stack: " + blocked.substring("BLOCKED ".length()));

            final String safepoint = next(lines, SAFEPOINT_BOUND_SECONDS);
            assertThat(safepoint).as("a safepoint (Thread.getAllStackTraces, System.gc) completes while the writer " +
                "waits on the frozen disk").startsWith("SAFEPOINT ");
            final String[] counter = next(lines, STEP_TIMEOUT_SECONDS).split(" ");
            assertThat(counter[0]).isEqualTo("COUNTER");
            assertThat(Long.parseLong(counter[2])).as("another thread keeps counting")
                .isGreaterThanOrEqualTo(Long.parseLong(counter[1]) + 20);
            System.out.println("FrozenDiskTest: " + safepoint + ", counter " + counter[1] + " -> " + counter[2]);

            run("fsfreeze", "-u", mount.toString());
            send(stdin, "THAW");
            assertThat(next(lines, STEP_TIMEOUT_SECONDS)).as("the append completes once thawed")
                .isEqualTo("FORCED " + 2 * FrozenDiskChild.BATCH);
            assertThat(next(lines, STEP_TIMEOUT_SECONDS)).as("the log reopens with every entry intact")
                .isEqualTo("REOPENED " + 2 * FrozenDiskChild.BATCH + " intact=" + 2 * FrozenDiskChild.BATCH);
            assertThat(child.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
        }
        finally
        {
            thaw(mount); // before killing: a thread stopped in the frozen file system would keep the child alive
            if (null != child)
            {
                child.destroyForcibly();
                child.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            unmount(mount);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static boolean canMount(final Path image, final Path mount)
    {
        try
        {
            try (var file = new java.io.RandomAccessFile(image.toFile(), "rw"))
            {
                file.setLength(64L << 20);
            }
            return 0 == exec("mkfs.ext4", "-q", "-F", image.toString()) &&
                0 == exec("mount", "-o", "loop", image.toString(), mount.toString());
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void thaw(final Path mount)
    {
        try
        {
            exec("fsfreeze", "-u", mount.toString());
        }
        catch (final IOException ignore)
        {
            // not frozen, or not mounted
        }
    }

    /** Thaws and unmounts (which frees the loop device mount -o loop set up); safe to call twice. */
    private static void unmount(final Path mount)
    {
        thaw(mount);
        try
        {
            exec("umount", mount.toString());
        }
        catch (final IOException ignore)
        {
            // not mounted
        }
    }

    private static void run(final String... command) throws IOException
    {
        assertThat(exec(command)).as(String.join(" ", command)).isZero();
    }

    private static int exec(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try
        {
            if (!process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static Process startChild(final Path dataDirectory) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(System.getProperty("ringraft.jvm.opens", "").trim().split("\\s+")));
        command.removeIf(String::isEmpty);
        command.addAll(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            FrozenDiskChild.class.getName(), dataDirectory.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** The child's output lines, read by a daemon thread; log lines of the log itself are skipped. */
    private static BlockingQueue<String> lines(final Process child)
    {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                for (String line; null != (line = in.readLine()); )
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // the child ended
            }
        }, "frozen-disk-child-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** The next line naming a step (upper-case word first), or "(none within Ns)" once the bound passes. */
    private static String next(final BlockingQueue<String> lines, final long timeoutSeconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        final StringBuilder skipped = new StringBuilder();
        for (long left; (left = deadline - System.nanoTime()) > 0; )
        {
            final String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (null != line && line.matches("[A-Z-]+( .*)?"))
            {
                return line;
            }
            if (null != line)
            {
                skipped.append(line).append(" | ");
            }
        }
        return "(none within " + timeoutSeconds + " s; other output: " + skipped + ")";
    }

    private static void send(final OutputStream stdin, final String word) throws IOException
    {
        stdin.write((word + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }
}
