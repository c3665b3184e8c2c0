package io.ringraft.pipeline;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The node's counters as a memory-mapped file, so that an operator's viewer in another process reads them
 * live with a {@link CountersReader}. Layout: a header page (magic, metadata length, values length), then the
 * Agrona counters metadata, then the values.
 */
public final class CountersFile implements AutoCloseable
{
    public static final String FILE_NAME = "counters.dat";
    private static final int MAGIC = 0x52524354; // "RRCT"
    private static final int HEADER_LENGTH = 4096;

    private final MappedByteBuffer mapped;
    private final CountersReader reader;

    private CountersFile(final MappedByteBuffer mapped, final CountersReader reader)
    {
        this.mapped = mapped;
        this.reader = reader;
    }

    /** Creates (replacing any old one) the counters file of a node for {@code maxCounters} counters. */
    static CountersFile create(final Path dataDir, final int maxCounters)
    {
        final int valuesLength = align(maxCounters * CountersReader.COUNTER_LENGTH, 4096);
        final int metadataLength = valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
        final File file = dataDir.resolve(FILE_NAME).toFile();
        if (file.exists() && !file.delete())
        {
            throw new IllegalStateException("cannot replace old counters file " + file);
        }
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file, HEADER_LENGTH + metadataLength + valuesLength);
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        header.putInt(4, metadataLength);
        header.putInt(8, valuesLength);
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII);
        header.putIntVolatile(0, MAGIC);
        return new CountersFile(mapped, manager);
    }

    /**
     * Maps a node's counters file read-only, from any process: nothing is ever written to it through this mapping.
     * A file that is too short, has not the magic or whose lengths do not fit in it is refused with an
     * {@link IllegalArgumentException} naming the file and the problem.
     */
    public static CountersFile openForReading(final Path dataDir)
    {
        final File file = dataDir.resolve(FILE_NAME).toFile();
        if (!file.exists())
        {
            throw new IllegalArgumentException("no counters file " + file + " (is dataDir that of a ringraft node?)");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, FileChannel.MapMode.READ_ONLY, "ringraft counters");
        try
        {
            final long fileLength = mapped.capacity();
            if (fileLength < HEADER_LENGTH)
            {
                throw new IllegalArgumentException("not a ringraft counters file (" + fileLength +
                    " bytes, shorter than its " + HEADER_LENGTH + "-byte header): " + file);
            }
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            if (header.getIntVolatile(0) != MAGIC)
            {
                throw new IllegalArgumentException("not a ringraft counters file (bad magic): " + file);
            }
            final int metadataLength = header.getInt(4);
            final int valuesLength = header.getInt(8);
            // The bounds checks of UnsafeBuffer can be switched off: lengths that do not fit must be refused here.
            if (metadataLength < 0 || valuesLength < 0 ||
                (long)HEADER_LENGTH + metadataLength + valuesLength > fileLength ||
                (long)valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH) != metadataLength)
            {
                throw new IllegalArgumentException("damaged ringraft counters file (metadata length " + metadataLength +
                    ", values length " + valuesLength + ", file length " + fileLength + "): " + file);
            }
            final CountersReader reader = new CountersReader(
                new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
                new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
                StandardCharsets.US_ASCII);
            return new CountersFile(mapped, reader);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    public CountersReader reader()
    {
        return reader;
    }

    CountersManager manager()
    {
        return (CountersManager)reader;
    }

    /** The value of the counter whose label is exactly {@code label}, or {@code missing} when there is none. */
    public long valueOf(final String label, final long missing)
    {
        final long[] found = {missing};
        reader.forEach((counterId, typeId, keyBuffer, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                found[0] = reader.getCounterValue(counterId);
            }
        });
        return found[0];
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    private static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
