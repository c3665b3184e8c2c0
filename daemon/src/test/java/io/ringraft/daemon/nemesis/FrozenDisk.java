package io.ringraft.daemon.nemesis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One member's data directory on a small ext4 of its own, on a loop device, which the nemesis freezes
 * ({@code fsfreeze -f}: every write to it blocks until {@code fsfreeze -u}) as a disk that stops answering would.
 * The daemon test package's LoopDisks does the same for FrozenDiskTest; this one serves one mount of a nemesis run
 * and can copy the file system's content out before it is released, so that a failed run keeps the member's data.
 * Needs root, {@code losetup}, {@code mkfs.ext4} and {@code fsfreeze}: {@link #unavailable()} says what is missing.
 * {@link #close} (and a shutdown hook, if the JVM exits first) thaws, unmounts and detaches it.
 */
final class FrozenDisk implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_S = 30;
    private static final String IMAGE_SIZE = "256M";

    private final Path image;
    private final Path mountPoint;
    private final Thread shutdownHook = new Thread(this::release, "nemesis-disk-cleanup");
    private String device;
    private boolean released;

    /** Makes and mounts the file system on {@code mountPoint} (created, empty), its image file at {@code image}. */
    FrozenDisk(final Path image, final Path mountPoint) throws IOException
    {
        this.image = image;
        this.mountPoint = mountPoint;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try
        {
            run("truncate", "-s", IMAGE_SIZE, image.toString());
            device = run("losetup", "--find", "--show", image.toString()).trim();
            run("mkfs.ext4", "-q", "-F", device);
            Files.createDirectories(mountPoint);
            run("mount", device, mountPoint.toString());
            Files.delete(mountPoint.resolve("lost+found"));
        }
        catch (final IOException ex)
        {
            close();
            throw ex;
        }
    }

    /** Null when loop-mounted file systems can be made and frozen here, else why not. */
    static String unavailable()
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

    Path mountPoint()
    {
        return mountPoint;
    }

    void freeze() throws IOException
    {
        // fsfreeze freezes the file system holding the path: were the mount gone, that would be the host's own.
        run("mountpoint", "-q", mountPoint.toString());
        run("fsfreeze", "--freeze", mountPoint.toString());
    }

    void thaw() throws IOException
    {
        run("fsfreeze", "--unfreeze", mountPoint.toString());
    }

    /** Copies the file system's content to {@code target} (a failed run keeps it); the member must be stopped. */
    void copyTo(final Path target) throws IOException
    {
        quietly("fsfreeze", "--unfreeze", mountPoint.toString());
        run("cp", "-a", mountPoint.toString(), target.toString());
    }

    /** Thaws (if frozen), unmounts and detaches; the processes using the mount must be gone. */
    @Override
    public void close()
    {
        release();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: the hook runs or ran
        }
    }

    private synchronized void release()
    {
        if (released)
        {
            return;
        }
        released = true;
        quietly("fsfreeze", "--unfreeze", mountPoint.toString()); // fails when not frozen: fine
        if (!quietly("umount", mountPoint.toString()))
        {
            quietly("umount", "--lazy", mountPoint.toString()); // a process still holds a file there
        }
        if (null != device)
        {
            quietly("losetup", "--detach", device);
        }
        quietly("rm", "-f", image.toString());
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
