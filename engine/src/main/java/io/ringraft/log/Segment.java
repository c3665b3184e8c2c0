package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.codecs.sbe.LogEntryEncoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SegmentHeaderEncoder;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment file, mapped whole: an SBE {@code SegmentHeader} record, then {@code LogEntry} records of
 * consecutive indexes starting at {@link #baseIndex}, each framed by a {@link RecordFrame}, then zeros up
 * to the preallocated length.
 * <p>
 * The mapping is read-only. The persist thread encodes records into an off-heap staging buffer (one per log,
 * reused, no allocation per entry) and writes what it staged with one positional {@code write} per group
 * commit (or whenever the staging buffer fills), then makes the range durable with one {@code msync}. It never
 * stores into a mapping: a thread whose store faults on a page of a frozen or stalled file system waits in the
 * kernel while the JVM counts it as running Java code, so the next safepoint, and with it every other thread of
 * the process, waits for it too; a thread blocked in a system call does not hold up a safepoint. Readers on other
 * threads read the mapping, which shows what was written (Linux keeps the page cache coherent between
 * {@code write} and shared mappings), and only entries the log published, which it publishes after writing them.
 * A sparse in-memory index (the position of every {@link #INDEX_STRIDE}-th entry) finds an entry with at most
 * {@code INDEX_STRIDE - 1} hops.
 * <p>
 * A deleted segment stays mapped for a grace period (see {@link DurableLog}): a reader may still hold it, and
 * touching an unmapped region would crash the JVM.
 * <p>
 * <b>Recycling.</b> A segment that compaction released can be {@link #reuse reused} for new entries: its file
 * is renamed and keeps its pages and its mapping, so appends into it take no page faults (on tmpfs a first
 * touch allocates and zeroes a page, ~2.5 µs each, and was the persist stage's largest cost). Its old records
 * stay behind the new ones. They are never mistaken for entries: the writer keeps a zero frame after its last
 * record, so recovery stops there, and every old record names an index below the new base index (only
 * segments whose entries a snapshot covers, and which never held a truncation marker with replaced entries
 * after it, are recycled), which is how the torn-tail check tells them from live records.
 */
final class Segment
{
    static final String SUFFIX = ".seg";
    static final int INDEX_STRIDE = 32;

    private static final int MESSAGE_OFFSET = RecordFrame.LENGTH;
    private static final int BODY_OFFSET = MESSAGE_OFFSET + MessageHeaderEncoder.ENCODED_LENGTH;
    static final int HEADER_LENGTH = SegmentScan.HEADER_LENGTH;

    // The record layout is defined once, next to the walk that validates it.
    private static final int ENTRY_INDEX_OFFSET = SegmentScan.ENTRY_INDEX_OFFSET;
    private static final int ENTRY_TERM_OFFSET = SegmentScan.ENTRY_TERM_OFFSET;
    private static final int ENTRY_TYPE_OFFSET = SegmentScan.ENTRY_TYPE_OFFSET;
    private static final int ENTRY_TIMESTAMP_OFFSET = SegmentScan.ENTRY_TIMESTAMP_OFFSET;
    static final int ENTRY_PAYLOAD_OFFSET = SegmentScan.ENTRY_PAYLOAD_OFFSET;
    private static final int ENTRY_MIN_MESSAGE_LENGTH = SegmentScan.ENTRY_MIN_MESSAGE_LENGTH;
    /** Bytes staged at most before they are written: a group commit of up to this many bytes is one write. */
    private static final int STAGING_LENGTH = 256 * 1024;


    /**
     * Frame length of a truncation marker: the segment's entries end here and the (intact) bytes after it are
     * entries replaced by a conflicting history. Its checksum field holds {@code ~(int)index} of the first
     * replaced entry, so a torn write is not mistaken for one.
     */
    static final int TRUNCATION_MARKER = -1;

    private final Disk disk;
    private final Path file;
    private final long baseIndex;
    private final int capacity;
    private final DiskFile channel;
    private final UnsafeBuffer buffer;
    private final MappedRegion mapped;
    /**
     * The log's staging buffer, shared by its segments: only the segment being appended to stages bytes in it; one
     * that stops being appended to has written them ({@link #force}) or is deleted.
     */
    private final UnsafeBuffer staging;
    /** False once the segment held a truncation marker: entries of higher indexes may lie after it. */
    private boolean recyclable = true;
    private boolean released;

    // Writer state (persist thread only); readers use positions below the log's published last index.
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final LogEntryEncoder entryEncoder = new LogEntryEncoder();
    private int writePosition = HEADER_LENGTH;
    /** The file's bytes in {@code [stagedFrom, stagedTo)} are staged (staging offset 0 is stagedFrom), not yet written. */
    private int stagedFrom = HEADER_LENGTH;
    private int stagedTo = HEADER_LENGTH;
    private long lastIndex;
    private int[] positions;
    private int positionCount;
    private int dirtyFrom = Integer.MAX_VALUE;
    private int dirtyTo;

    private Segment(
        final Disk disk,
        final Path file,
        final long baseIndex,
        final int capacity,
        final DiskFile channel,
        final UnsafeBuffer staging)
        throws IOException
    {
        this(disk, file, baseIndex, capacity, channel, channel.map(false, 0, capacity), new int[64], staging);
    }

    private Segment(
        final Disk disk,
        final Path file,
        final long baseIndex,
        final int capacity,
        final DiskFile channel,
        final MappedRegion mapped,
        final int[] positions,
        final UnsafeBuffer staging)
    {
        this.disk = disk;
        this.file = file;
        this.baseIndex = baseIndex;
        this.capacity = capacity;
        this.channel = channel;
        this.mapped = mapped;
        this.buffer = mapped.buffer();
        this.positions = positions;
        this.staging = staging;
        this.lastIndex = baseIndex - 1;
    }

    /**
     * A staging buffer for the segments of one log; a segment grows it (rarely: once) for a record that does not fit
     * in it alone.
     */
    static UnsafeBuffer newStaging(final int segmentLength)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(Math.min(segmentLength, STAGING_LENGTH)));
    }

    static String fileName(final long baseIndex)
    {
        return String.format("%020d", baseIndex) + SUFFIX;
    }

    /** Bytes a record with this payload occupies, frame and padding included. */
    static int recordLength(final int payloadLength)
    {
        return RecordFrame.aligned(ENTRY_PAYLOAD_OFFSET + payloadLength);
    }

    static int maxPayloadLength(final int segmentLength)
    {
        return segmentLength - HEADER_LENGTH - ENTRY_PAYLOAD_OFFSET - RecordFrame.ALIGNMENT;
    }

    /**
     * Creates a preallocated segment whose header is durable before the file appears under its final name,
     * so a crash never leaves a segment with a torn header.
     */
    static Segment create(
        final Disk disk,
        final Path directory,
        final int groupId,
        final long baseIndex,
        final int length,
        final boolean durable,
        final UnsafeBuffer staging)
    {
        final Path file = directory.resolve(fileName(baseIndex));
        final Path temp = directory.resolve(fileName(baseIndex) + ".tmp");
        try
        {
            final DiskFile channel = disk.open(temp, Disk.OpenMode.CREATE);
            channel.setLength(0);
            channel.setLength(length);
            return new Segment(disk, file, baseIndex, length, channel, staging).publish(temp, groupId, durable);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create segment " + file, ex);
        }
    }

    /**
     * Starts a segment for entries from {@code baseIndex} in the file and mapping of a {@link #release released}
     * one, whose pages are allocated and mapped already. No reader may still use the released segment.
     */
    static Segment reuse(final Segment released, final int groupId, final long baseIndex, final boolean durable)
    {
        final Path file = released.file.resolveSibling(fileName(baseIndex));
        try
        {
            return new Segment(released.disk, file, baseIndex, released.capacity, released.channel, released.mapped,
                released.positions, released.staging).publish(released.releasedFile(), groupId, durable);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot reuse " + released.releasedFile() + " as segment " + file, ex);
        }
    }

    /**
     * Writes the header and an empty frame after it, makes them durable, then gives {@code source} this
     * segment's name: a crash never leaves a segment with a torn header, nor one whose first frame is a
     * record left from an earlier use of the file.
     */
    private Segment publish(final Path source, final int groupId, final boolean durable) throws IOException
    {
        staging.setMemory(0, HEADER_LENGTH + RecordFrame.LENGTH, (byte)0);
        new SegmentHeaderEncoder()
            .wrapAndApplyHeader(staging, MESSAGE_OFFSET, headerEncoder)
            .groupId(groupId)
            .formatVersion(DirectoryHeaderFile.FORMAT_VERSION)
            .baseIndex(baseIndex)
            .segmentLength(capacity);
        RecordFrame.seal(staging, 0, BODY_OFFSET - MESSAGE_OFFSET + SegmentHeaderEncoder.BLOCK_LENGTH);
        writeFromStaging(0, HEADER_LENGTH + RecordFrame.LENGTH);
        if (durable)
        {
            mapped.force(0, HEADER_LENGTH + RecordFrame.LENGTH);
        }
        DurableFiles.moveAtomically(disk, source, file);
        if (durable)
        {
            DurableFiles.fsyncDirectory(disk, file.getParent());
        }
        return this;
    }

    /** Maps an existing segment and checks its header; {@link #recover} then scans its records. */
    static Segment open(
        final Disk disk, final Path file, final long baseIndexFromName, final int groupId, final UnsafeBuffer staging)
    {
        try
        {
            final long fileLength = disk.size(file);
            final UnsafeBuffer header = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(HEADER_LENGTH));
            if (fileLength >= HEADER_LENGTH)
            {
                try (DiskFile channel = disk.open(file, Disk.OpenMode.READ))
                {
                    channel.read(header.byteBuffer(), 0);
                }
            }
            final CorruptLogException problem =
                SegmentScan.headerProblem(file, header, fileLength, baseIndexFromName, groupId);
            if (null != problem)
            {
                throw problem;
            }
            final long length = SegmentScan.segmentLength(header);
            final DiskFile channel = disk.open(file, Disk.OpenMode.READ_WRITE);
            try
            {
                if (fileLength < length)
                {
                    // A file cut short (e.g. copied partially): what is missing reads as zeros, i.e. as a torn tail.
                    channel.setLength(length);
                }
                return new Segment(disk, file, baseIndexFromName, (int)length, channel, staging);
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open segment " + file, ex);
        }
    }

    /**
     * Scans the records ({@link SegmentScan#walk}), rebuilding the sparse index and the term runs, and ends the
     * segment where its valid records end, as the recovery verdict decided ({@link RecoveryVerdict}): the last segment
     * kept loses what follows its last valid record (durably, so that every later start ends there too) and completes
     * a truncation marker; an earlier one was kept whole, so it must end cleanly.
     */
    void recover(final boolean lastSegment, final TermRuns termRuns, final System.Logger logger)
    {
        final SegmentScan.Outcome outcome = SegmentScan.walk(buffer, capacity, baseIndex, termRuns.lastTerm(),
            lastSegment, (buffer, position, index, term) ->
            {
                if (termRuns.needsGrowth(term))
                {
                    termRuns.grow();
                }
                termRuns.append(index, term);
                addPosition(index, position);
                lastIndex = index;
            }, new SegmentScan.Outcome());
        final int position = outcome.position();
        final long expectedIndex = outcome.nextIndex();
        switch (outcome.end())
        {
            case TRUNCATION_MARKER ->
            {
                recyclable = false;
                if (!lastSegment)
                {
                    startStagingAt(capacity);
                    return;
                }
                // The truncation was durable but the segment that continues it was not created: the stale
                // entries after the marker go, so that appends here never sit in front of them.
                final int end = endOfNonZero(position);
                logger.log(System.Logger.Level.INFO, "{0}: completing the suffix truncation from index {1} " +
                    "marked at offset {2}", file, expectedIndex, position);
                writeZeros(position, end);
                mapped.force(position, end - position);
            }
            case DAMAGED, TORN_TAIL ->
            {
                if (!lastSegment)
                {
                    throw new IllegalStateException(file + " changed while the log was opened: the record of index " +
                        expectedIndex + " at offset " + position + " is damaged (" + outcome.defect() + ") though " +
                        "recovery had judged this segment whole; is another process writing it?");
                }
                // An invalid frame with nothing valid after it is zeroed, so that the log ends there; when valid
                // records of this segment follow, they go too, or a later start would find them behind new ones.
                final int end = outcome.followingRecord() >= 0 ? endOfNonZero(position) :
                    Math.min(capacity, position + RecordFrame.LENGTH);
                writeZeros(position, end);
                mapped.force(position, end - position);
            }
            case CLEAN ->
            {
                // Zeros, or records left from an earlier use of a recycled file: the segment's entries end here.
            }
        }
        startStagingAt(position);
    }

    private int endOfNonZero(final int position)
    {
        int end = position;
        for (int probe = position; probe + 8 <= capacity; probe += 8)
        {
            if (0 != buffer.getLong(probe))
            {
                end = probe + 8;
            }
        }
        return end;
    }

    Path file()
    {
        return file;
    }

    long baseIndex()
    {
        return baseIndex;
    }

    /** Last index appended to this segment (writer's view), {@code baseIndex - 1} when empty. */
    long lastIndex()
    {
        return lastIndex;
    }

    boolean isEmpty()
    {
        return lastIndex < baseIndex;
    }

    int capacity()
    {
        return capacity;
    }

    boolean fits(final int payloadLength)
    {
        return writePosition + recordLength(payloadLength) <= capacity;
    }

    void append(
        final long index,
        final long term,
        final EntryType type,
        final long timestamp,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final int position = writePosition;
        final int length = recordLength(payloadLength);
        final int end = position + length;
        // With the empty frame after the record (when one fits), so that recovery stops there: in a recycled file
        // the bytes after the last record are an earlier record, not zeros.
        final int stagedEnd = end + RecordFrame.LENGTH <= capacity ? end + RecordFrame.LENGTH : end;
        if (stagedEnd - stagedFrom > staging.capacity())
        {
            writeStaged();
            if (stagedEnd - stagedFrom > staging.capacity())
            {
                staging.wrap(ByteBuffer.allocateDirect(BitUtil.findNextPositivePowerOfTwo(stagedEnd - stagedFrom)));
            }
        }
        final int at = position - stagedFrom;
        staging.putLong(at + length - RecordFrame.ALIGNMENT, 0); // the padding, before the message may cover part
        entryEncoder.wrapAndApplyHeader(staging, at + MESSAGE_OFFSET, headerEncoder)
            .index(index)
            .term(term)
            .entryType(type)
            .timestamp(timestamp)
            .putPayload(payload, payloadOffset, payloadLength);
        RecordFrame.seal(staging, at, ENTRY_MIN_MESSAGE_LENGTH + payloadLength);
        if (stagedEnd > end)
        {
            staging.putLong(end - stagedFrom, 0);
        }
        stagedTo = stagedEnd;
        addPosition(index, position);
        lastIndex = index;
        writePosition = end;
        if (position < dirtyFrom)
        {
            dirtyFrom = position;
        }
        dirtyTo = stagedEnd;
    }

    /**
     * Writes the staged bytes to the file with one positional write: from then on the mapping shows them (to
     * readers and recovery's scans), and a force makes them durable.
     *
     * @throws UncheckedIOException when the write fails.
     */
    private void writeStaged()
    {
        if (stagedTo > stagedFrom)
        {
            writeFromStaging(stagedFrom, stagedTo - stagedFrom);
        }
        stagedFrom = writePosition;
        stagedTo = writePosition;
    }

    /** Nothing staged; appends continue at {@code position}. */
    private void startStagingAt(final int position)
    {
        writePosition = position;
        stagedFrom = position;
        stagedTo = position;
    }

    /** Writes the first {@code length} bytes of the staging buffer at {@code position} of the file. */
    private void writeFromStaging(final int position, final int length)
    {
        final ByteBuffer bytes = staging.byteBuffer();
        bytes.limit(length).position(0);
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
            throw new UncheckedIOException("cannot write " + length + " bytes at offset " + position + " of " + file, ex);
        }
    }

    /** Zeroes the file's bytes in {@code [from, to)}, through the staging buffer, which holds nothing staged then. */
    private void writeZeros(final int from, final int to)
    {
        final int chunk = Math.min(staging.capacity(), to - from);
        staging.setMemory(0, chunk, (byte)0);
        for (int position = from; position < to; position += chunk)
        {
            writeFromStaging(position, Math.min(chunk, to - position));
        }
    }

    private void addPosition(final long index, final int position)
    {
        if (0 == (index - baseIndex) % INDEX_STRIDE)
        {
            if (positionCount == positions.length)
            {
                // Readers only look up published indexes, whose slots exist in the old and the new array alike.
                positions = Arrays.copyOf(positions, positionCount * 2);
            }
            positions[positionCount++] = position;
        }
    }

    /**
     * Ends this segment before the entry {@code index} without touching the entries' bytes, which readers may
     * be viewing: only the frame of that entry is overwritten by a truncation marker. The segment takes no
     * more appends; the log continues in a new segment.
     */
    void markTruncatedAt(final long index)
    {
        // The entry is published, so written: the staged bytes, all of later entries, are dropped.
        final int position = positionOf(index);
        staging.putInt(RecordFrame.CHECKSUM_OFFSET, ~(int)index);
        staging.putInt(RecordFrame.FRAME_LENGTH_OFFSET, TRUNCATION_MARKER);
        startStagingAt(capacity);
        writeFromStaging(position, RecordFrame.LENGTH);
        recyclable = false;
        dirtyFrom = Math.min(dirtyFrom, position);
        dirtyTo = Math.max(dirtyTo, position + RecordFrame.LENGTH);
        positionCount = (int)((index - baseIndex + INDEX_STRIDE - 1) / INDEX_STRIDE);
        lastIndex = index - 1;
    }

    /**
     * Forgets the entries at or after {@code index}, zeroing their bytes so recovery never sees them again.
     * Only for entries no reader can see (not yet published): zeroing overwrites them in place.
     */
    void truncateFrom(final long index)
    {
        if (index > lastIndex)
        {
            return;
        }
        writeStaged(); // then the file holds every record, where positionOf finds them
        final int position = index <= baseIndex ? HEADER_LENGTH : positionOf(index);
        writeZeros(position, writePosition);
        dirtyFrom = Math.min(dirtyFrom, position);
        dirtyTo = Math.max(dirtyTo, writePosition);
        positionCount = (int)((index - baseIndex + INDEX_STRIDE - 1) / INDEX_STRIDE);
        startStagingAt(position);
        lastIndex = index - 1;
    }

    /**
     * Writes what was staged, then, if {@code durable}, makes everything written since the last call durable with one
     * {@code msync} (without, as policy NEVER does, it forgets that those bytes are not durable yet). The mapping is
     * read-only but shared, of a file open for writing: Linux's {@code msync(MS_SYNC)} then syncs that range of the
     * file ({@code vfs_fsync_range}), whatever dirtied its pages.
     *
     * @throws UncheckedIOException when the write or the {@code msync} fails.
     */
    void force(final boolean durable)
    {
        writeStaged();
        if (durable && dirtyTo > dirtyFrom)
        {
            mapped.force(dirtyFrom, dirtyTo - dirtyFrom);
        }
        dirtyFrom = Integer.MAX_VALUE;
        dirtyTo = 0;
    }

    // ---- reads: any thread, only for indexes the log has published ----

    /** Position of the record of {@code index}, or -1 if the index cannot be in this segment. */
    int positionOf(final long index)
    {
        final long relative = index - baseIndex;
        final int[] sparse = positions;
        final long slot = relative / INDEX_STRIDE;
        if (relative < 0 || slot >= sparse.length)
        {
            return -1;
        }
        int position = sparse[(int)slot];
        for (long hops = relative % INDEX_STRIDE; hops > 0; hops--)
        {
            position = nextPosition(position);
            if (position <= 0 || position >= capacity)
            {
                return -1;
            }
        }
        return position;
    }

    int nextPosition(final int position)
    {
        return position + RecordFrame.aligned(RecordFrame.LENGTH + buffer.getInt(position));
    }

    long indexAt(final int position)
    {
        return buffer.getLong(position + ENTRY_INDEX_OFFSET);
    }

    long termAt(final int position)
    {
        return buffer.getLong(position + ENTRY_TERM_OFFSET);
    }

    EntryType typeAt(final int position)
    {
        return EntryType.get(buffer.getByte(position + ENTRY_TYPE_OFFSET));
    }

    long timestampAt(final int position)
    {
        return buffer.getLong(position + ENTRY_TIMESTAMP_OFFSET);
    }

    int payloadLengthAt(final int position)
    {
        return SegmentScan.payloadLength(buffer, position);
    }

    /** Where the payload of the record at {@code position} starts: after the block length its header names. */
    int payloadOffsetAt(final int position)
    {
        return SegmentScan.payloadOffset(buffer, position);
    }

    /** The whole mapping: payloads are handed out as (this buffer, offset, length) views. */
    DirectBuffer buffer()
    {
        return buffer;
    }

    void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close " + file, ex);
        }
    }

    /** Releases the mapping, and with it the disk space of a deleted file. No reader may use it afterwards. */
    void unmap()
    {
        mapped.unmap();
    }

    /**
     * True if every record in the file names an index at or below {@link #lastIndex()}: then, once a snapshot
     * covers the segment, the file may be {@link #reuse reused} for higher indexes.
     */
    boolean isRecyclable()
    {
        return recyclable;
    }

    /**
     * Gives the file of a segment that compaction dropped a name recovery deletes ({@code .tmp}), keeping it open
     * and mapped for {@link #reuse}; until then it serves readers still in it as before.
     */
    void release()
    {
        try
        {
            disk.moveAtomically(file, releasedFile());
            released = true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot release " + file, ex);
        }
    }

    boolean isReleased()
    {
        return released;
    }

    private Path releasedFile()
    {
        return file.resolveSibling(file.getFileName() + ".released.tmp");
    }

    /** Closes, unmaps and deletes a {@link #release released} segment that will not be reused. */
    void discardReleased()
    {
        close();
        unmap();
        try
        {
            disk.deleteIfExists(releasedFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + releasedFile(), ex);
        }
    }

    void delete()
    {
        close();
        try
        {
            disk.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + file, ex);
        }
    }

    @Override
    public String toString()
    {
        return "Segment{" + file.getFileName() + ", base=" + baseIndex + ", last=" + lastIndex + '}';
    }
}
