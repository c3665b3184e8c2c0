package io.ringraft.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** File operations whose effect must survive a crash: the metadata half of durability. */
final class DurableFiles
{
    private DurableFiles()
    {
    }

    /** Makes creations, renames and deletions inside {@code directory} durable. */
    static void fsyncDirectory(final Disk disk, final Path directory)
    {
        try
        {
            disk.fsyncDirectory(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot fsync directory " + directory, ex);
        }
    }

    /**
     * Replaces {@code target} with {@code content} so that after a crash it holds either the old or the new
     * content: write a temporary file, fsync it, rename it over the target, fsync the directory.
     */
    static void writeAtomically(final Disk disk, final Path target, final ByteBuffer content)
    {
        final Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try
        {
            try (DiskFile file = disk.open(temp, Disk.OpenMode.CREATE_TRUNCATE))
            {
                long position = 0;
                while (content.hasRemaining())
                {
                    position += file.write(content, position);
                }
                file.force(true);
            }
            moveAtomically(disk, temp, target);
            fsyncDirectory(disk, target.getParent());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + target, ex);
        }
    }

    static void moveAtomically(final Disk disk, final Path source, final Path target) throws IOException
    {
        disk.moveAtomically(source, target);
    }

    /**
     * Creates {@code directory} and its missing parents durably: a new directory's name is durable only once its parent
     * is fsynced, and without that a crash could lose a new group directory with every file synced inside it.
     */
    static void createDirectories(final Disk disk, final Path directory)
    {
        Path existing = directory;
        while (null != existing && !disk.exists(existing))
        {
            existing = existing.getParent();
        }
        try
        {
            disk.createDirectories(directory);
            for (Path created = directory; null != created.getParent() && !created.equals(existing);
                created = created.getParent())
            {
                disk.fsyncDirectory(created.getParent());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create directory " + directory, ex);
        }
    }
}
