package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Deterministic entries and helpers shared by the log tests (and the log inspector's, in tools). */
public final class LogFixtures
{
    static final int SMALL_SEGMENT = LogConfig.MIN_SEGMENT_LENGTH;

    private LogFixtures()
    {
    }

    static LogConfig config(final Path dataDirectory)
    {
        return new LogConfig().dataDirectory(dataDirectory).groupId(7).clusterId(42).memberId(1)
            .segmentLength(SMALL_SEGMENT);
    }

    /** Payload of {@code index} in history {@code seed}: its length and bytes both depend on both. */
    public static byte[] payload(final long index, final long seed, final int maxLength)
    {
        final int length = (int)Math.floorMod(index * 31 + seed * 17, (long)maxLength + 1);
        final byte[] bytes = new byte[length];
        long x = index * 0x9E3779B97F4A7C15L + seed;
        for (int i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            bytes[i] = (byte)x;
        }
        return bytes;
    }

    static EntryBatch batch(final long fromIndex, final long toIndex, final long term, final long seed, final int maxLength)
    {
        final EntryBatch batch = new EntryBatch();
        for (long index = fromIndex; index <= toIndex; index++)
        {
            final byte[] payload = payload(index, seed, maxLength);
            batch.append(index, term, EntryType.NORMAL, index * 1000, new UnsafeBuffer(payload), 0, payload.length);
        }
        return batch;
    }

    record Entry(long index, long term, EntryType type, long timestamp, byte[] payload)
    {
    }

    static List<Entry> readAll(final DurableLog log, final long fromIndex, final long toIndex)
    {
        final List<Entry> entries = new ArrayList<>();
        log.read(fromIndex, toIndex, Long.MAX_VALUE,
            (index, term, type, timestamp, payload, offset, length) -> entries.add(
                new Entry(index, term, type, timestamp, copy(payload, offset, length))));
        return entries;
    }

    /** Damages a file in place: XORs the byte at {@code offset} with {@code mask}. */
    public static void flipBits(final Path file, final long offset, final int mask) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ mask);
        }
    }

    /**
     * Rewrites the last record of {@code segment} as a release whose LogEntry has one more field would have written
     * it: schema version {@code version}, an int32 {@code addedField} after the timestamp (so a block 4 bytes
     * longer), then the same payload. Index, term, type and timestamp are kept. Nothing may follow the record.
     *
     * @return the record's offset.
     */
    public static int rewriteLastRecordWithAddedField(final Path segment, final int version, final int addedField)
        throws IOException
    {
        final byte[] bytes = Files.readAllBytes(segment);
        final UnsafeBuffer file = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(bytes.length));
        file.putBytes(0, bytes);
        int last = -1;
        for (int at = SegmentScan.HEADER_LENGTH; at + RecordFrame.LENGTH <= bytes.length &&
            file.getInt(at + RecordFrame.FRAME_LENGTH_OFFSET) > 0;
            at += RecordFrame.aligned(RecordFrame.LENGTH + file.getInt(at + RecordFrame.FRAME_LENGTH_OFFSET)))
        {
            last = at;
        }
        final int message = last + RecordFrame.LENGTH;
        final io.ringraft.codecs.sbe.LogEntryDecoder old = new io.ringraft.codecs.sbe.LogEntryDecoder()
            .wrapAndApplyHeader(file, message, new io.ringraft.codecs.sbe.MessageHeaderDecoder());
        final long index = old.index();
        final long term = old.term();
        final short type = old.entryTypeRaw();
        final long timestamp = old.timestamp();
        final byte[] payload = new byte[old.payloadLength()];
        old.getPayload(payload, 0, payload.length);
        final int blockLength = io.ringraft.codecs.sbe.LogEntryDecoder.BLOCK_LENGTH + 4;
        new io.ringraft.codecs.sbe.MessageHeaderEncoder().wrap(file, message).blockLength(blockLength)
            .templateId(io.ringraft.codecs.sbe.LogEntryEncoder.TEMPLATE_ID)
            .schemaId(io.ringraft.codecs.sbe.LogEntryEncoder.SCHEMA_ID).version(version);
        final int body = message + io.ringraft.codecs.sbe.MessageHeaderEncoder.ENCODED_LENGTH;
        file.putLong(body, index);
        file.putLong(body + 8, term);
        file.putByte(body + 16, (byte)type);
        file.putLong(body + 17, timestamp);
        file.putInt(body + 25, addedField);
        file.putInt(body + blockLength, payload.length);
        file.putBytes(body + blockLength + 4, payload);
        final int messageLength = io.ringraft.codecs.sbe.MessageHeaderEncoder.ENCODED_LENGTH + blockLength + 4 +
            payload.length;
        RecordFrame.seal(file, last, messageLength);
        final byte[] rewritten = new byte[bytes.length];
        file.getBytes(0, rewritten);
        Files.write(segment, rewritten);
        return last;
    }

    /**
     * Entries 1..{@code lastIndex} (history 0, payloads up to 50 B) on disk with the hard state's synced watermark at
     * {@code syncedIndex}: as a crash between a group commit's two syncs leaves them, or as a reader finds them when
     * it reads the hard state before the writer syncs the rest.
     *
     * @return the offset of the first record above the watermark in the first segment.
     */
    static int logWithWatermarkBehind(final LogConfig config, final long syncedIndex, final long lastIndex)
        throws IOException
    {
        try (DurableLog log = DurableLog.open(config))
        {
            log.append(batch(1, syncedIndex, 1, 0, 50));
            log.force();
        }
        final Path hardState = config.conclude().hardStateFile();
        final byte[] watermark = Files.readAllBytes(hardState);
        try (DurableLog log = DurableLog.open(config))
        {
            log.append(batch(syncedIndex + 1, lastIndex, 1, 0, 50));
            log.force();
        }
        Files.write(hardState, watermark);
        int offset = Segment.HEADER_LENGTH;
        for (long index = 1; index <= syncedIndex; index++)
        {
            offset += Segment.recordLength(payload(index, 0, 50).length);
        }
        return offset;
    }

    /** Zeroes {@code length} bytes of a file from {@code offset}: a latent sector error, as a disk reports it. */
    public static void zero(final Path file, final long offset, final int length) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            raf.write(new byte[length]);
        }
    }

    /**
     * Every file and directory under {@code root} with its size and SHA-256: equal before and after means the tree
     * was left byte for byte as it was.
     */
    public static List<String> fingerprint(final Path root)
    {
        final List<String> entries = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.sorted().toList())
            {
                String digest = "dir";
                if (Files.isRegularFile(file))
                {
                    digest = HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
                }
                entries.add(root.relativize(file) + " " + Files.size(file) + " " + digest);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
        return entries;
    }

    static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
