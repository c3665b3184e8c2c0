package io.ringraft.log;

import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SnapshotMetadataEncoder;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.wire.MembershipCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The snapshot files of one group. A snapshot is written to a temporary file, fsynced, renamed and the
 * directory fsynced, so a crash leaves either no trace or a complete file; on start the newest file that
 * verifies is used and damaged ones are reported and skipped. After each new snapshot only the newest
 * {@link #RETAINED} are kept.
 * <p>
 * As a {@link SnapshotSource} it answers for the newest snapshot; a reader streaming one snapshot across
 * many calls holds on to {@link #newest()}, which stays valid even once replaced (its file mapped, even if deleted).
 */
public final class SnapshotStore implements SnapshotSource
{
    static final int RETAINED = 2;
    private static final String TEMP_SUFFIX = ".tmp";

    private final Disk disk;
    private final Path directory;
    private final int groupId;
    private final boolean durable;
    private final System.Logger logger;
    private volatile Snapshot newest = Snapshot.NONE;

    private SnapshotStore(
        final Disk disk, final Path directory, final int groupId, final boolean durable, final System.Logger logger)
    {
        this.disk = disk;
        this.directory = directory;
        this.groupId = groupId;
        this.durable = durable;
        this.logger = logger;
    }

    static SnapshotStore open(
        final Disk disk, final Path directory, final int groupId, final boolean durable, final System.Logger logger)
    {
        DurableFiles.createDirectories(disk, directory);
        final SnapshotStore store = new SnapshotStore(disk, directory, groupId, durable, logger);
        store.deleteTemporaryFiles();
        for (final Path file : snapshotFilesNewestFirst(disk, directory))
        {
            final StringBuilder problem = new StringBuilder();
            final Snapshot snapshot = Snapshot.load(disk, file, groupId, problem);
            if (null != snapshot)
            {
                store.newest = snapshot;
                break;
            }
            logger.log(System.Logger.Level.WARNING, "ignoring damaged snapshot {0}: {1}", file, problem);
        }
        return store;
    }

    @Override
    public Snapshot newest()
    {
        return newest;
    }

    /** Writes a complete snapshot durably and makes it the newest. */
    public Snapshot write(
        final long index, final long term, final Membership membership, final DirectBuffer data, final int offset,
        final int length)
    {
        try (Writer writer = writer(index, term, membership))
        {
            writer.append(data, offset, length);
            return writer.commit();
        }
    }

    /** Starts a snapshot whose data is streamed in with {@link Writer#append}; nothing is visible before commit. */
    public Writer writer(final long index, final long term, final Membership membership)
    {
        if (index <= 0 || term <= 0)
        {
            throw new IllegalArgumentException("snapshot index and term must be > 0, were " + index + ", " + term);
        }
        return new Writer(index, term, membership);
    }

    @Override
    public long index()
    {
        return newest.index();
    }

    @Override
    public long term()
    {
        return newest.term();
    }

    @Override
    public Membership membership()
    {
        return newest.membership();
    }

    @Override
    public long length()
    {
        return newest.length();
    }

    @Override
    public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        return newest.read(offset, dst, dstOffset, maxLength);
    }

    /** The snapshot files of {@code directory}, newest first; read-only. */
    static List<Path> snapshotFilesNewestFirst(final Disk disk, final Path directory)
    {
        final List<Path> files;
        try
        {
            files = new ArrayList<>(disk.list(directory, "*" + Snapshot.SUFFIX));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + directory, ex);
        }
        // Names are zero-padded index-term, so the lexical order is the snapshot order.
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        return files;
    }

    private void deleteTemporaryFiles()
    {
        try
        {
            for (final Path file : disk.list(directory, "*" + TEMP_SUFFIX))
            {
                disk.delete(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot clean temporary files in " + directory, ex);
        }
    }

    /** Keeps the newest snapshot and the one before it that verified, deletes the rest. */
    private void prune(final Snapshot kept, final Snapshot previous)
    {
        int retained = 0;
        for (final Path file : snapshotFilesNewestFirst(disk, directory))
        {
            final boolean keep = retained < RETAINED &&
                (file.equals(kept.file()) || (null != previous.file() && file.equals(previous.file())));
            if (keep)
            {
                retained++;
                continue;
            }
            try
            {
                disk.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                logger.log(System.Logger.Level.WARNING, "cannot delete old snapshot " + file, ex);
            }
        }
    }

    /** Streams one snapshot to a temporary file; {@link #commit()} makes it durable and the newest. */
    public final class Writer implements AutoCloseable
    {
        private static final int STAGING_LENGTH = 64 * 1024;

        private final long index;
        private final long term;
        private final Path temp;
        private final Path target;
        private final DiskFile channel;
        private final UnsafeBuffer header;
        private final int metadataLength;
        private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_LENGTH);
        private final UnsafeBuffer stagingBuffer = new UnsafeBuffer(staging);
        private final CRC32C crc = new CRC32C();
        private final Membership membership;
        private long dataLength;
        private boolean done;

        private Writer(final long index, final long term, final Membership membership)
        {
            this.index = index;
            this.term = term;
            this.membership = membership;
            this.target = directory.resolve(Snapshot.fileName(index, term));
            this.temp = directory.resolve(Snapshot.fileName(index, term) + TEMP_SUFFIX);
            final ExpandableArrayBuffer membershipBuffer = new ExpandableArrayBuffer(128);
            final int membershipLength = new MembershipCodec().encode(membership, index, membershipBuffer, 0);
            metadataLength = MessageHeaderEncoder.ENCODED_LENGTH + SnapshotMetadataEncoder.BLOCK_LENGTH +
                SnapshotMetadataEncoder.membershipHeaderLength() + membershipLength;
            header = new UnsafeBuffer(ByteBuffer.allocateDirect(Snapshot.dataOffset(metadataLength)));
            new SnapshotMetadataEncoder()
                .wrapAndApplyHeader(header, RecordFrame.LENGTH, new MessageHeaderEncoder())
                .groupId(groupId)
                .index(index)
                .term(term)
                .timestamp(System.currentTimeMillis())
                .putMembership(membershipBuffer, 0, membershipLength);
            try
            {
                channel = disk.open(temp, Disk.OpenMode.CREATE_TRUNCATE);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create " + temp, ex);
            }
        }

        public Writer append(final DirectBuffer data, final int offset, final int length)
        {
            int copied = 0;
            while (copied < length)
            {
                final int chunk = Math.min(STAGING_LENGTH, length - copied);
                stagingBuffer.putBytes(0, data, offset + copied, chunk);
                staging.clear().limit(chunk);
                crc.update(staging);
                staging.flip();
                write(staging, Snapshot.dataOffset(metadataLength) + dataLength + copied);
                copied += chunk;
            }
            dataLength += length;
            if (Snapshot.dataOffset(metadataLength) + dataLength > Integer.MAX_VALUE)
            {
                throw new IllegalStateException("snapshot " + target + " exceeds 2 GiB, the largest mapped file " +
                    "this store supports");
            }
            return this;
        }

        private void write(final ByteBuffer bytes, final long position)
        {
            try
            {
                long at = position;
                while (bytes.hasRemaining())
                {
                    at += channel.write(bytes, at);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write " + temp, ex);
            }
        }

        /** Writes the metadata, fsyncs, renames into place, fsyncs the directory, prunes old snapshots. */
        public Snapshot commit()
        {
            final SnapshotMetadataEncoder metadata = new SnapshotMetadataEncoder()
                .wrap(header, RecordFrame.LENGTH + MessageHeaderEncoder.ENCODED_LENGTH);
            metadata.dataLength(dataLength).dataChecksum((int)crc.getValue());
            RecordFrame.seal(header, 0, metadataLength);
            write(header.byteBuffer().clear(), 0);
            try
            {
                if (durable)
                {
                    channel.force(true);
                }
                channel.close();
                DurableFiles.moveAtomically(disk, temp, target);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot commit snapshot " + target, ex);
            }
            if (durable)
            {
                DurableFiles.fsyncDirectory(disk, directory);
            }
            done = true;
            final StringBuilder problem = new StringBuilder();
            final Snapshot snapshot = Snapshot.load(disk, target, groupId, problem);
            if (null == snapshot)
            {
                throw new IllegalStateException("snapshot " + target + " does not verify right after writing: " +
                    problem + "; the disk or file system is failing");
            }
            final Snapshot previous = newest;
            if (index >= previous.index())
            {
                newest = snapshot;
            }
            prune(newest, previous);
            return snapshot;
        }

        /** Abandons an uncommitted snapshot. */
        @Override
        public void close()
        {
            if (!done)
            {
                done = true;
                try
                {
                    channel.close();
                    disk.deleteIfExists(temp);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot discard " + temp, ex);
                }
            }
        }

        @Override
        public String toString()
        {
            return "SnapshotStore.Writer{index=" + index + ", term=" + term + ", membership=" + membership + '}';
        }
    }
}
