package io.ringraft.daemon.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Small ext4 file systems on loop devices, mounted where a test wants a member's data directory, which the test can
 * freeze ({@code fsfreeze -f}: every write to it blocks until {@code fsfreeze -u}) as a dead disk would. Needs root,
 * {@code losetup}, {@code mkfs.ext4} and {@code fsfreeze}: {@link #unavailable()} says what is missing, so that a
 * test can skip with that message. {@link #close()} thaws, unmounts and detaches all, whatever state they are in;
 * a shutdown hook does the same if the test JVM exits first, so no frozen mount or loop device outlives the test.
 */
public final class LoopDisks implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_S = 30;
    private static final String IMAGE_SIZE = "256M";

    private final List<Disk> disks = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::releaseAll, "loop-disks-cleanup");

    private record Disk(Path image, String device, Path mountPoint)
    {
    }

    public LoopDisks()
    {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Null when loop-mounted file systems can be made and frozen here, else why not. */
    public static String unavailable()
    {
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            return "loop devices and fsfreeze need Linux, this is " + System.getProperty("os.name");
        }
        try
        {
            final String uid = run("id", "-u").trim();
            if (!"0".equals(uid))
            {
                return "losetup, mount and fsfreeze need root, this runs as uid " + uid;
            }
            for (final String tool : new String[]{"losetup", "mkfs.ext4", "fsfreeze", "mount", "umount"})
            {
                run("sh", "-c", "command -v " + tool);
            }
            if (!Files.exists(Path.of("/dev/loop-control")))
            {
                return "no /dev/loop-control: loop devices are not available here";
            }
            return null;
        }
        catch (final IOException ex)
        {
            return "cannot use loop devices here: " + ex.getMessage();
        }
    }

    /** A fresh ext4 file system mounted on {@code mountPoint} (created; its lost+found removed, so it is empty). */
    public void mount(final Path image, final Path mountPoint) throws IOException
    {
        run("truncate", "-s", IMAGE_SIZE, image.toString());
        final String device = run("losetup", "--find", "--show", image.toString()).trim();
        final Disk disk = new Disk(image, device, mountPoint);
        synchronized (disks)
        {
            disks.add(disk);
        }
        run("mkfs.ext4", "-q", "-F", device);
        Files.createDirectories(mountPoint);
        run("mount", device, mountPoint.toString());
        Files.delete(mountPoint.resolve("lost+found"));
    }

    public void freeze(final Path mountPoint) throws IOException
    {
        // fsfreeze freezes the file system holding the path: were the mount gone, that would be the host's own.
        run("mountpoint", "-q", mountPoint.toString());
        run("fsfreeze", "--freeze", mountPoint.toString());
    }

    public void thaw(final Path mountPoint) throws IOException
    {
        run("fsfreeze", "--unfreeze", mountPoint.toString());
    }

    /** Copies a mount's content to {@code target} (thawing it first), so that a failed run keeps a member's data. */
    public void copy(final Path mountPoint, final Path target) throws IOException
    {
        quietly("fsfreeze", "--unfreeze", mountPoint.toString()); // fails when not frozen: fine
        run("cp", "-a", mountPoint.toString(), target.toString());
    }

    /** Thaws every mount that is frozen. */
    public void thawAll()
    {
        synchronized (disks)
        {
            for (final Disk disk : disks)
            {
                quietly("fsfreeze", "--unfreeze", disk.mountPoint().toString()); // fails when not frozen: fine
            }
        }
    }

    /** Thaws every mount (if frozen), unmounts it and detaches its loop device; the processes using it must be gone. */
    @Override
    public void close()
    {
        releaseAll();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: the hook runs or ran
        }
    }

    private void releaseAll()
    {
        synchronized (disks)
        {
            for (final Disk disk : disks)
            {
                quietly("fsfreeze", "--unfreeze", disk.mountPoint().toString()); // fails when not frozen: fine
                if (!quietly("umount", disk.mountPoint().toString()))
                {
                    quietly("umount", "--lazy", disk.mountPoint().toString()); // a process still holds a file there
                }
                quietly("losetup", "--detach", disk.device());
                quietly("rm", "-f", disk.image().toString());
            }
            disks.clear();
        }
    }

    private static boolean quietly(final String... command)
    {
        try
        {
            run(command);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static String run(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_S + " s");
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " interrupted", ex);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (0 != process.exitValue())
        {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " +
                output.trim());
        }
        return output;
    }
}
