package io.ringraft.log;

import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SnapshotMetadataDecoder;
import io.ringraft.codecs.sbe.SnapshotMetadataEncoder;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.wire.MembershipCodec;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * One valid snapshot file, mapped read-only. Layout: a {@link RecordFrame} over an SBE
 * {@code SnapshotMetadata} message (index, term, data length, CRC32C of the data, membership), then the
 * state machine data from the next 8-byte boundary to the end of the file. Immutable, so a follower being
 * streamed this snapshot keeps reading it even after a newer one replaces it as the newest.
 */
public final class Snapshot implements SnapshotSource
{
    static final String SUFFIX = ".snap";
    static final int METADATA_MIN_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + SnapshotMetadataEncoder.BLOCK_LENGTH +
        SnapshotMetadataEncoder.membershipHeaderLength();

    /** No snapshot: index and term 0, empty data. */
    static final Snapshot NONE = new Snapshot(null, 0, 0, Membership.ofVoters(), null, 0, 0);

    private final Path file;
    private final long index;
    private final long term;
    private final Membership membership;
    private final UnsafeBuffer data;
    private final int dataOffset;
    private final long length;

    private Snapshot(
        final Path file, final long index, final long term, final Membership membership, final UnsafeBuffer data,
        final int dataOffset, final long length)
    {
        this.file = file;
        this.index = index;
        this.term = term;
        this.membership = membership;
        this.data = data;
        this.dataOffset = dataOffset;
        this.length = length;
    }

    static String fileName(final long index, final long term)
    {
        return String.format("%020d-%020d", index, term) + SUFFIX;
    }

    static int dataOffset(final int metadataLength)
    {
        return RecordFrame.aligned(RecordFrame.LENGTH + metadataLength);
    }

    /**
     * Maps and fully verifies a snapshot file (header checksum, names, length, data checksum).
     *
     * @return the snapshot, or null with the reason appended to {@code problem}.
     */
    static Snapshot load(final Disk disk, final Path file, final int groupId, final StringBuilder problem)
    {
        try (DiskFile channel = disk.open(file, Disk.OpenMode.READ))
        {
            final long fileLength = channel.size();
            if (fileLength < RecordFrame.LENGTH + METADATA_MIN_LENGTH || fileLength > Integer.MAX_VALUE)
            {
                problem.append("file length ").append(fileLength).append(" is impossible");
                return null;
            }
            final MappedRegion mapped = channel.map(false, 0, (int)fileLength);
            final UnsafeBuffer buffer = mapped.buffer();
            final int metadataLength = RecordFrame.validate(
                buffer, 0, (int)fileLength, SnapshotMetadataEncoder.TEMPLATE_ID, METADATA_MIN_LENGTH);
            if (metadataLength < 0)
            {
                problem.append("metadata: ").append(RecordFrame.Defect.describe(metadataLength));
                return null;
            }
            final SnapshotMetadataDecoder metadata = new SnapshotMetadataDecoder()
                .wrapAndApplyHeader(buffer, RecordFrame.LENGTH, new MessageHeaderDecoder());
            final int dataOffset = dataOffset(metadataLength);
            if (metadata.groupId() != groupId || !file.getFileName().toString()
                .equals(fileName(metadata.index(), metadata.term())))
            {
                problem.append("metadata names group ").append(metadata.groupId()).append(" index ")
                    .append(metadata.index()).append(" term ").append(metadata.term());
                return null;
            }
            if (dataOffset + metadata.dataLength() != fileLength)
            {
                problem.append("data length ").append(metadata.dataLength()).append(" does not match file length ")
                    .append(fileLength);
                return null;
            }
            final CRC32C crc = new CRC32C();
            crc.update(mapped.byteBuffer().position(dataOffset));
            if ((int)crc.getValue() != metadata.dataChecksum())
            {
                problem.append("data CRC32C mismatch");
                return null;
            }
            final long index = metadata.index();
            final long term = metadata.term();
            final long dataLength = metadata.dataLength();
            final int membershipLength = metadata.membershipLength();
            final int membershipOffset = metadata.limit() + SnapshotMetadataEncoder.membershipHeaderLength();
            final Membership membership = 0 == membershipLength ? Membership.ofVoters() :
                new MembershipCodec().decode(buffer, membershipOffset);
            return new Snapshot(file, index, term, membership, buffer, dataOffset, dataLength);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read snapshot " + file, ex);
        }
    }

    Path file()
    {
        return file;
    }

    /** Itself: a snapshot never changes. */
    @Override
    public Snapshot newest()
    {
        return this;
    }

    @Override
    public long index()
    {
        return index;
    }

    @Override
    public long term()
    {
        return term;
    }

    @Override
    public Membership membership()
    {
        return membership;
    }

    @Override
    public long length()
    {
        return length;
    }

    @Override
    public int read(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        if (offset < 0 || offset > length)
        {
            throw new IllegalArgumentException("offset " + offset + " outside snapshot data [0, " + length + "] of " +
                file);
        }
        final int count = (int)Math.min(maxLength, length - offset);
        if (count > 0)
        {
            dst.putBytes(dstOffset, data, dataOffset + (int)offset, count);
        }
        return count;
    }

    @Override
    public String toString()
    {
        return "Snapshot{index=" + index + ", term=" + term + ", length=" + length + ", file=" + file + '}';
    }
}
