package io.ringraft.log;

import io.ringraft.codecs.sbe.DirectoryHeaderDecoder;
import io.ringraft.codecs.sbe.DirectoryHeaderEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The file that names the owner of a group directory (SBE {@code DirectoryHeader}): written once when the
 * directory is created, checked on every start so that a member never runs on another member's or another
 * cluster's data, nor on a format it does not understand.
 * <p>
 * Format 2 added the synced watermark to the hard state record ({@link HardStateFile}); a directory of format 1 has
 * none, so recovery could not tell a damaged tail from a torn one there, and it is refused.
 */
final class DirectoryHeaderFile
{
    static final int FORMAT_VERSION = 2;

    private static final int LENGTH = RecordFrame.LENGTH + MessageHeaderEncoder.ENCODED_LENGTH +
        DirectoryHeaderEncoder.BLOCK_LENGTH;

    private DirectoryHeaderFile()
    {
    }

    /** Writes the header of a new group directory, durably. */
    static void create(final Disk disk, final Path file, final int clusterId, final int memberId)
    {
        final ByteBuffer bytes = ByteBuffer.allocateDirect(LENGTH);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        new DirectoryHeaderEncoder()
            .wrapAndApplyHeader(buffer, RecordFrame.LENGTH, new MessageHeaderEncoder())
            .clusterId(clusterId)
            .memberId(memberId)
            .formatVersion(FORMAT_VERSION)
            .createdTimestamp(System.currentTimeMillis());
        RecordFrame.seal(buffer, 0, LENGTH - RecordFrame.LENGTH);
        DurableFiles.writeAtomically(disk, file, bytes);
    }

    /**
     * Checks that a header read by {@link #read} names this cluster and member.
     *
     * @throws ForeignDirectoryException when it names another.
     */
    static void checkOwner(final Path file, final DirectoryHeader header, final int clusterId, final int memberId)
    {
        if (header.clusterId() != clusterId || header.memberId() != memberId)
        {
            throw new ForeignDirectoryException(file, "expected cluster " + clusterId + " member " + memberId +
                ", found cluster " + header.clusterId() + " member " + header.memberId() +
                ": the data directory belongs to another " + (header.clusterId() != clusterId ? "cluster" : "member"),
                "Point this member at its own data directory, or fix its cluster/member id configuration");
        }
    }

    /**
     * Reads and checks the header without writing anything.
     *
     * @throws ForeignDirectoryException when it is not a valid ringraft header of a format this release reads.
     * @throws UncheckedIOException      when it cannot be read.
     */
    static DirectoryHeader read(final Disk disk, final Path file)
    {
        final byte[] content;
        try
        {
            content = disk.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(content.length, LENGTH)));
        buffer.putBytes(0, content);
        final int messageLength = content.length < RecordFrame.LENGTH ? RecordFrame.Defect.BAD_LENGTH :
            RecordFrame.validate(buffer, 0, content.length, DirectoryHeaderEncoder.TEMPLATE_ID,
            MessageHeaderDecoder.ENCODED_LENGTH + DirectoryHeaderDecoder.BLOCK_LENGTH);
        if (messageLength < 0)
        {
            throw new ForeignDirectoryException(file, "expected a ringraft directory header, found " +
                content.length + " bytes with " + RecordFrame.Defect.describe(messageLength) +
                ": the directory was not created by ringraft or the header is damaged", "Restore the header from a " +
                "backup or, if this member's data is expendable, delete " + file.getParent() +
                " so the member resyncs from its peers");
        }
        final DirectoryHeaderDecoder header = new DirectoryHeaderDecoder()
            .wrapAndApplyHeader(buffer, RecordFrame.LENGTH, new MessageHeaderDecoder());
        if (header.formatVersion() != FORMAT_VERSION)
        {
            throw new ForeignDirectoryException(file, "expected data format " + FORMAT_VERSION + ", found format " +
                header.formatVersion() + (header.formatVersion() < FORMAT_VERSION ? " written by an earlier ringraft " +
                "release (format " + FORMAT_VERSION + " adds the synced watermark to the hard state)" : " written " +
                "by a later ringraft release"), "Run the ringraft release that wrote this directory, or delete " +
                file.getParent() + " so that this member resyncs from its peers");
        }
        return new DirectoryHeader(header.clusterId(), header.memberId(), header.formatVersion(),
            header.createdTimestamp());
    }
}
