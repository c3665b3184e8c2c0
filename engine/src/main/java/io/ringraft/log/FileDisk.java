package io.ringraft.log;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** The production {@link Disk}: real files through {@code java.nio}, regions mapped with {@code mmap}. */
public final class FileDisk implements Disk
{
    public static final FileDisk INSTANCE = new FileDisk();

    private FileDisk()
    {
    }

    @Override
    public boolean exists(final Path path)
    {
        return Files.exists(path);
    }

    @Override
    public boolean isDirectory(final Path path)
    {
        return Files.isDirectory(path);
    }

    @Override
    public boolean isRegularFile(final Path path)
    {
        return Files.isRegularFile(path);
    }

    @Override
    public long size(final Path file) throws IOException
    {
        return Files.size(file);
    }

    @Override
    public void createDirectories(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
    }

    @Override
    public List<Path> list(final Path directory, final String glob) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob))
        {
            stream.forEach(files::add);
        }
        return files;
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        Files.delete(path);
    }

    @Override
    public boolean deleteIfExists(final Path path) throws IOException
    {
        return Files.deleteIfExists(path);
    }

    @Override
    public void moveAtomically(final Path source, final Path target) throws IOException
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

    @Override
    public void copy(final Path source, final Path target) throws IOException
    {
        Files.copy(source, target);
    }

    @Override
    public void fsyncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    @Override
    public DiskFile open(final Path file, final OpenMode mode) throws IOException
    {
        final FileChannel channel = switch (mode)
        {
            case READ -> FileChannel.open(file, StandardOpenOption.READ);
            case READ_WRITE -> FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            case CREATE -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            case CREATE_TRUNCATE -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        };
        return new ChannelFile(channel);
    }

    @Override
    public byte[] readAllBytes(final Path file) throws IOException
    {
        return Files.readAllBytes(file);
    }

    @Override
    public String toString()
    {
        return "FileDisk";
    }

    private static final class ChannelFile implements DiskFile
    {
        private final FileChannel channel;

        ChannelFile(final FileChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return channel.read(dst, position);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            return channel.write(src, position);
        }

        @Override
        public void setLength(final long length) throws IOException
        {
            if (length < channel.size())
            {
                channel.truncate(length);
            }
            else if (length > channel.size())
            {
                // Extends with a hole, as RandomAccessFile.setLength does: one byte at the end.
                channel.write(ByteBuffer.allocate(1), length - 1);
            }
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            channel.force(metadata);
        }

        @Override
        public MappedRegion map(final boolean writable, final long offset, final int length) throws IOException
        {
            return new Mapping(channel.map(
                writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, offset, length));
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }

    private static final class Mapping implements MappedRegion
    {
        private final MappedByteBuffer mapped;
        private final UnsafeBuffer buffer;

        Mapping(final MappedByteBuffer mapped)
        {
            this.mapped = mapped;
            this.buffer = new UnsafeBuffer(mapped);
        }

        @Override
        public UnsafeBuffer buffer()
        {
            return buffer;
        }

        @Override
        public ByteBuffer byteBuffer()
        {
            return mapped.duplicate().clear();
        }

        @Override
        public void force(final int offset, final int length)
        {
            mapped.force(offset, length);
        }

        @Override
        public void unmap()
        {
            IoUtil.unmap(mapped);
        }
    }
}
