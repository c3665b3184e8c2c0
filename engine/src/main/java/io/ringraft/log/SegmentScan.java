package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.codecs.sbe.LogEntryDecoder;
import io.ringraft.codecs.sbe.LogEntryEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SegmentHeaderDecoder;
import io.ringraft.codecs.sbe.SegmentHeaderEncoder;
import org.agrona.DirectBuffer;

import java.nio.file.Path;

/**
 * The walk over one segment's records, shared by {@link Segment#recover recovery} and by read-only inspection
 * ({@link LogInspector}): the same rules decide where a segment's entries end and whether what follows is a clean
 * end, a truncation marker, a write torn by a crash or damage.
 * <p>
 * The walk only reads the buffer it is given; what to do about its {@link Outcome} (cut a torn tail, complete a
 * truncation, refuse to start, or just report) is the caller's.
 */
public final class SegmentScan
{
    private static final int MESSAGE_OFFSET = RecordFrame.LENGTH;
    private static final int BODY_OFFSET = MESSAGE_OFFSET + MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int HEADER_MESSAGE_LENGTH = BODY_OFFSET - MESSAGE_OFFSET + SegmentHeaderEncoder.BLOCK_LENGTH;
    static final int ENTRY_INDEX_OFFSET = BODY_OFFSET + LogEntryDecoder.indexEncodingOffset();
    static final int ENTRY_TERM_OFFSET = BODY_OFFSET + LogEntryDecoder.termEncodingOffset();
    static final int ENTRY_TYPE_OFFSET = BODY_OFFSET + LogEntryDecoder.entryTypeEncodingOffset();
    static final int ENTRY_TIMESTAMP_OFFSET = BODY_OFFSET + LogEntryDecoder.timestampEncodingOffset();
    private static final int BLOCK_LENGTH_OFFSET = MESSAGE_OFFSET + MessageHeaderDecoder.blockLengthEncodingOffset();
    private static final int PAYLOAD_HEADER_LENGTH = LogEntryDecoder.payloadHeaderLength();
    /** Where this release writes the payload length: right after its own LogEntry block. */
    static final int ENTRY_PAYLOAD_LENGTH_OFFSET = BODY_OFFSET + LogEntryDecoder.BLOCK_LENGTH;
    static final int ENTRY_PAYLOAD_OFFSET = ENTRY_PAYLOAD_LENGTH_OFFSET + PAYLOAD_HEADER_LENGTH;
    /** SBE message header + LogEntry block + payload length field: what a record needs besides its payload. */
    static final int ENTRY_MIN_MESSAGE_LENGTH = ENTRY_PAYLOAD_OFFSET - MESSAGE_OFFSET;

    /** Bytes of the framed {@code SegmentHeader} at offset 0, padded to the record alignment. */
    public static final int HEADER_LENGTH = RecordFrame.aligned(BODY_OFFSET + SegmentHeaderEncoder.BLOCK_LENGTH);

    static final int WRONG_INDEX = -100;
    static final int TERM_REGRESSION = -101;
    static final int BAD_PAYLOAD_LENGTH = -102;

    private SegmentScan()
    {
    }

    /**
     * Called for each valid record, in index order; {@code position} is the record's byte offset in the file. The
     * buffer may be valid only during the call (an inspector unmaps it after the walk): copy what must outlive it.
     */
    @FunctionalInterface
    public interface RecordVisitor
    {
        void onRecord(DirectBuffer buffer, int position, long index, long term);
    }

    /** How the records of a segment end. */
    public enum End
    {
        /** A zero frame (or the end of the segment): nothing follows that belongs to this segment. */
        CLEAN,
        /** A truncation marker: the bytes after it are entries a conflicting history replaced. */
        TRUNCATION_MARKER,
        /** An invalid frame with no record of this segment after it: a write torn by a crash (last segment only). */
        TORN_TAIL,
        /** An invalid record that is not a torn write: entries after it would be lost. */
        DAMAGED
    }

    /** Where and why the walk stopped; reusable across walks. */
    public static final class Outcome
    {
        End end;
        int position;
        long nextIndex;
        int defect;
        int followingRecord;

        /** What ended the walk. */
        public End end()
        {
            return end;
        }

        /** Byte offset where the segment's entries end: the zero frame, marker or damaged record. */
        public int position()
        {
            return position;
        }

        /** The index the next record would have had: the first index not in this segment. */
        public long nextIndex()
        {
            return nextIndex;
        }

        /** Offset of a valid record of this segment after a defect, or -1 if none was found (or looked for). */
        public int followingRecord()
        {
            return followingRecord;
        }

        /** What is wrong with the record at {@link #position()}, for {@link End#TORN_TAIL} and {@link End#DAMAGED}. */
        public String defect()
        {
            return describe(defect);
        }
    }

    /**
     * Walks the records of a segment from its header on, as recovery does: consecutive indexes from
     * {@code baseIndex}, terms never below {@code previousTerm} or the record before. In the last segment
     * ({@code lastSegment}) an invalid or zero frame is followed by a search for a valid record of this segment's
     * indexes: finding one makes it {@link End#DAMAGED}, since a torn write only ever damages the tail. In an
     * earlier segment a zero frame is a clean end (the next segment continues it) and any other defect is damage.
     *
     * @return {@code outcome}, filled in.
     */
    public static Outcome walk(
        final DirectBuffer buffer,
        final int capacity,
        final long baseIndex,
        final long previousTerm,
        final boolean lastSegment,
        final RecordVisitor visitor,
        final Outcome outcome)
    {
        int position = HEADER_LENGTH;
        long expectedIndex = baseIndex;
        long term = previousTerm;
        outcome.defect = 0;
        outcome.followingRecord = -1;
        while (true)
        {
            if (isTruncationMarker(buffer, capacity, position, expectedIndex))
            {
                outcome.end = End.TRUNCATION_MARKER;
                break;
            }
            final int result = position + RecordFrame.LENGTH > capacity ?
                RecordFrame.Defect.EMPTY : validateEntry(buffer, capacity, position, expectedIndex, term);
            if (result < 0)
            {
                outcome.defect = result;
                if (lastSegment)
                {
                    outcome.followingRecord = findRecordOfSegment(buffer, capacity, baseIndex, position);
                    outcome.end = outcome.followingRecord >= 0 ? End.DAMAGED :
                        RecordFrame.Defect.EMPTY == result ? End.CLEAN : End.TORN_TAIL;
                }
                else
                {
                    outcome.end = RecordFrame.Defect.EMPTY == result ? End.CLEAN : End.DAMAGED;
                }
                break;
            }
            term = buffer.getLong(position + ENTRY_TERM_OFFSET);
            visitor.onRecord(buffer, position, expectedIndex, term);
            expectedIndex++;
            position += RecordFrame.aligned(RecordFrame.LENGTH + result);
        }
        outcome.position = position;
        outcome.nextIndex = expectedIndex;
        return outcome;
    }

    /**
     * Checks the framed segment header in {@code header} (at least {@link #HEADER_LENGTH} bytes of the file).
     *
     * @return the problem as the exception recovery throws for it, or null when the header is the one expected.
     */
    static CorruptLogException headerProblem(
        final Path file, final DirectBuffer header, final long fileLength, final long baseIndexFromName,
        final int groupId)
    {
        if (fileLength < HEADER_LENGTH)
        {
            return new CorruptLogException(file, 0, "segment file of " + fileLength +
                " bytes is too short for its header", segmentRemedy(file));
        }
        final int defect = RecordFrame.validate(header, 0, HEADER_LENGTH, SegmentHeaderEncoder.TEMPLATE_ID,
            HEADER_MESSAGE_LENGTH);
        if (defect < 0)
        {
            return new CorruptLogException(file, 0, "bad segment header (" + RecordFrame.Defect.describe(defect) +
                ")", segmentRemedy(file));
        }
        final SegmentHeaderDecoder decoder = new SegmentHeaderDecoder()
            .wrapAndApplyHeader(header, MESSAGE_OFFSET, new MessageHeaderDecoder());
        if (decoder.groupId() != groupId || decoder.baseIndex() != baseIndexFromName ||
            decoder.formatVersion() != DirectoryHeaderFile.FORMAT_VERSION)
        {
            return new CorruptLogException(file, 0, "segment header names group " + decoder.groupId() +
                ", base index " + decoder.baseIndex() + ", format " + decoder.formatVersion() + " but group " +
                groupId + ", base index " + baseIndexFromName + ", format " + DirectoryHeaderFile.FORMAT_VERSION +
                " were expected", "The file was moved or renamed; put it back where it came from, or restore " +
                "the group directory from a peer");
        }
        final long length = decoder.segmentLength();
        if (length < LogConfig.MIN_SEGMENT_LENGTH || length > LogConfig.MAX_SEGMENT_LENGTH)
        {
            return new CorruptLogException(file, 0, "segment header gives an impossible length " + length,
                segmentRemedy(file));
        }
        return null;
    }

    /** The segment length a valid header (see {@link #headerProblem}) declares. */
    static int segmentLength(final DirectBuffer header)
    {
        return (int)new SegmentHeaderDecoder()
            .wrapAndApplyHeader(header, MESSAGE_OFFSET, new MessageHeaderDecoder()).segmentLength();
    }

    /** The group id in a header whose frame is valid, else -1. */
    static int groupIdOf(final DirectBuffer header, final long fileLength)
    {
        if (fileLength < HEADER_LENGTH || RecordFrame.validate(header, 0, HEADER_LENGTH,
            SegmentHeaderEncoder.TEMPLATE_ID, HEADER_MESSAGE_LENGTH) < 0)
        {
            return -1;
        }
        return new SegmentHeaderDecoder().wrapAndApplyHeader(header, MESSAGE_OFFSET, new MessageHeaderDecoder())
            .groupId();
    }

    static String segmentRemedy(final Path file)
    {
        return "Restore " + file.getFileName() + " from a backup, or delete this member's group directory " +
            file.getParent().getParent() + " so that it resyncs from its peers";
    }

    static int validateEntry(
        final DirectBuffer buffer, final int capacity, final int position, final long expectedIndex,
        final long previousTerm)
    {
        final int messageLength = RecordFrame.validate(
            buffer, position, capacity, LogEntryEncoder.TEMPLATE_ID, ENTRY_MIN_MESSAGE_LENGTH);
        if (messageLength < 0)
        {
            return messageLength;
        }
        if (buffer.getLong(position + ENTRY_INDEX_OFFSET) != expectedIndex)
        {
            return WRONG_INDEX;
        }
        if (buffer.getLong(position + ENTRY_TERM_OFFSET) < previousTerm)
        {
            return TERM_REGRESSION;
        }
        // The payload follows the block length the record's header names, as SBE lays out a message of any schema
        // version: a release that adds a LogEntry field writes a longer block, and its records stay readable here.
        final int blockLength = blockLength(buffer, position);
        final int overhead = ENTRY_MIN_MESSAGE_LENGTH - LogEntryDecoder.BLOCK_LENGTH + blockLength;
        if (blockLength < LogEntryDecoder.BLOCK_LENGTH || messageLength < overhead ||
            buffer.getInt(payloadLengthOffset(buffer, position)) != messageLength - overhead)
        {
            return BAD_PAYLOAD_LENGTH;
        }
        return messageLength;
    }

    static boolean isTruncationMarker(
        final DirectBuffer buffer, final int capacity, final int position, final long index)
    {
        return position + RecordFrame.LENGTH <= capacity &&
            buffer.getInt(position + RecordFrame.FRAME_LENGTH_OFFSET) == Segment.TRUNCATION_MARKER &&
            buffer.getInt(position + RecordFrame.CHECKSUM_OFFSET) == ~(int)index;
    }

    /**
     * The offset of the first valid record after {@code position} that names an index of this segment; records
     * left from an earlier use of a recycled file name lower indexes and do not count.
     *
     * @return the offset, or -1.
     */
    static int findRecordOfSegment(
        final DirectBuffer buffer, final int capacity, final long baseIndex, final int position)
    {
        for (int probe = position + RecordFrame.ALIGNMENT; probe + ENTRY_PAYLOAD_OFFSET <= capacity;
            probe += RecordFrame.ALIGNMENT)
        {
            if (isRecordOfSegment(buffer, capacity, baseIndex, probe))
            {
                return probe;
            }
        }
        return -1;
    }

    /** Cheap header checks first: the checksum is computed only for what looks like an entry of this segment. */
    private static boolean isRecordOfSegment(
        final DirectBuffer buffer, final int capacity, final long baseIndex, final int position)
    {
        final int messageOffset = position + MESSAGE_OFFSET;
        return buffer.getShort(messageOffset + MessageHeaderDecoder.templateIdEncodingOffset()) ==
            (short)LogEntryEncoder.TEMPLATE_ID &&
            buffer.getShort(messageOffset + MessageHeaderDecoder.schemaIdEncodingOffset()) ==
            (short)MessageHeaderDecoder.SCHEMA_ID &&
            buffer.getLong(position + ENTRY_INDEX_OFFSET) >= baseIndex &&
            RecordFrame.validate(buffer, position, capacity, LogEntryEncoder.TEMPLATE_ID, ENTRY_MIN_MESSAGE_LENGTH) > 0;
    }

    static String describe(final int defect)
    {
        return switch (defect)
        {
            case WRONG_INDEX -> "index out of sequence";
            case TERM_REGRESSION -> "term lower than the previous entry's";
            case BAD_PAYLOAD_LENGTH -> "payload length disagrees with the frame length";
            default -> RecordFrame.Defect.describe(defect);
        };
    }

    // ---- fields of the valid record at a position a RecordVisitor was given

    public static EntryType entryType(final DirectBuffer buffer, final int position)
    {
        final short value = (short)(buffer.getByte(position + ENTRY_TYPE_OFFSET) & 0xFF);
        for (final EntryType type : EntryType.values())
        {
            if (type.value() == value)
            {
                return type;
            }
        }
        // Only a writer of a newer format could have framed it validly; say so instead of failing.
        return EntryType.NULL_VAL;
    }

    /** Leader wall clock, epoch millis, when the entry was proposed. */
    public static long timestamp(final DirectBuffer buffer, final int position)
    {
        return buffer.getLong(position + ENTRY_TIMESTAMP_OFFSET);
    }

    public static int payloadLength(final DirectBuffer buffer, final int position)
    {
        return buffer.getInt(payloadLengthOffset(buffer, position));
    }

    public static int payloadOffset(final DirectBuffer buffer, final int position)
    {
        return payloadLengthOffset(buffer, position) + PAYLOAD_HEADER_LENGTH;
    }

    /** Offset of the record's SBE message (header and body), for decoding it whole. */
    public static int messageOffset(final int position)
    {
        return position + MESSAGE_OFFSET;
    }

    /** Bytes of the record's SBE message, as its frame says. */
    public static int messageLength(final DirectBuffer buffer, final int position)
    {
        return buffer.getInt(position + RecordFrame.FRAME_LENGTH_OFFSET);
    }

    /** The LogEntry block length the record's own header names (this release's, or a longer one of a newer). */
    static int blockLength(final DirectBuffer buffer, final int position)
    {
        return buffer.getShort(position + BLOCK_LENGTH_OFFSET) & 0xFFFF;
    }

    static int payloadLengthOffset(final DirectBuffer buffer, final int position)
    {
        return position + BODY_OFFSET + blockLength(buffer, position);
    }
}
