package io.ringraft.aeron;

import org.agrona.IoUtil;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Default names of media driver directories, and the removal of those that crashed processes left behind.
 * <p>
 * A default directory is named {@code <prefix>-<pid>-<random>} under /dev/shm (else the temporary directory): the
 * prefix says whose it is ({@code ringraft-daemon-c<cluster>-m<member>} for a daemon member), the process id which
 * run made it. A directory is unique to its process, so a second start of a member that still runs (the same config
 * started twice) cannot wipe the directory of the first; and once its process is gone it is stale. A driver deletes
 * its directory when it closes, but a process that is killed or crashes leaves it, with its log buffers, in
 * /dev/shm: {@link #deleteStale} removes those of a prefix, and a member calls it when it starts. A directory whose
 * process id belongs to a live process is kept, even if that process may not be the one that made it (the id was
 * reused): the next start of the member, or the one after, removes it.
 */
public final class DriverDirectories
{
    private DriverDirectories()
    {
    }

    /** A new directory name {@code <prefix>-<this process id>-<random>}, under /dev/shm when there is one. */
    public static String uniqueName(final String prefix)
    {
        return new File(parent(), prefix + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40)).getPath();
    }

    /**
     * Deletes every directory named by {@link #uniqueName} with this prefix whose process is not running.
     *
     * @return the directories deleted.
     */
    public static List<File> deleteStale(final String prefix)
    {
        final List<File> deleted = new ArrayList<>();
        final File[] candidates = parent().listFiles(
            (dir, name) -> name.startsWith(prefix + "-") && -1 != processIdOf(name, prefix.length() + 1));
        if (null == candidates)
        {
            return deleted;
        }
        for (final File candidate : candidates)
        {
            final long pid = processIdOf(candidate.getName(), prefix.length() + 1);
            if (candidate.isDirectory() && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            {
                IoUtil.delete(candidate, true);
                if (!candidate.exists())
                {
                    deleted.add(candidate);
                }
            }
        }
        return deleted;
    }

    /** The process id in {@code <prefix>-<pid>-<random>}, or -1 when the name has another shape. */
    private static long processIdOf(final String name, final int from)
    {
        final int end = name.indexOf('-', from);
        if (end <= from || end == name.length() - 1)
        {
            return -1;
        }
        for (int i = from; i < end; i++)
        {
            if (!Character.isDigit(name.charAt(i)))
            {
                return -1;
            }
        }
        try
        {
            return Long.parseLong(name.substring(from, end));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static File parent()
    {
        final File shm = new File("/dev/shm");
        return shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
    }
}
