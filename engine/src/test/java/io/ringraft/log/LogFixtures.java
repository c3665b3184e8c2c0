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
