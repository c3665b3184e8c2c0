package io.ringraft.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** File operations whose effect must survive a crash: the metadata half of durability. */
final class DurableFiles
{
    private DurableFiles()
    {
    }

    /** Makes creations, renames and deletions inside {@code directory} durable. */
    static void fsyncDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
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
    static void writeAtomically(final Path target, final ByteBuffer content)
    {
        final Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                while (content.hasRemaining())
                {
                    channel.write(content);
                }
                channel.force(true);
            }
            moveAtomically(temp, target);
            fsyncDirectory(target.getParent());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + target, ex);
        }
    }

    static void moveAtomically(final Path source, final Path target) throws IOException
    {
        try
        {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            throw new IOException("the file system of " + target + " cannot rename atomically; " +
                "put the data directory on a local POSIX file system", ex);
        }
    }

    static void createDirectories(final Path directory)
    {
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create directory " + directory, ex);
        }
    }
}
