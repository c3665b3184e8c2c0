package io.ringraft.pipeline;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The node's counters as a memory-mapped file, so that an operator's viewer in another process reads them
 * live with a {@link CountersReader}. Layout: a header page (magic, metadata length, values length, then at offset
 * {@value #PID_OFFSET} the writer's process id and at {@value #HEARTBEAT_OFFSET} its heartbeat), then the Agrona
 * counters metadata, then the values.
 * <p>
 * <b>Liveness.</b> The file outlives its node (a killed one leaves it as last written, roles and all), so its header
 * says whether its writer lives: the process id, and a heartbeat (epoch ms) the raft stage writes every tick; a clean
 * close writes {@link #HEARTBEAT_CLOSED}. A file of a version before these fields reads 0 for both: unknown.
 * <p>
 * <b>Location.</b> When the counters live elsewhere than the data directory (in memory, off the data disk), the
 * process that runs the node may leave {@value #LOCATION_FILE_NAME} in the data directory naming their directory (the
 * daemon does), and {@link #openForReading} follows it, so a viewer given the data directory finds them. The node does
 * not: its data directory is its storage's, which need not be a real one.
 */
public final class CountersFile implements AutoCloseable
{
    public static final String FILE_NAME = "counters.dat";
    /** In a data directory whose counters are elsewhere: the absolute path of their directory, one line. */
    public static final String LOCATION_FILE_NAME = "counters-location";
    /** The heartbeat of a node that closed cleanly. */
    public static final long HEARTBEAT_CLOSED = -1;
    static final int PID_OFFSET = 16;
    static final int HEARTBEAT_OFFSET = 24;
    private static final int MAGIC = 0x52524354; // "RRCT"
    private static final int HEADER_LENGTH = 4096;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader reader;
    private final Path file;

    private CountersFile(final MappedByteBuffer mapped, final CountersReader reader, final Path file)
    {
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.reader = reader;
        this.file = file;
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
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(HEARTBEAT_OFFSET, System.currentTimeMillis());
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII);
        header.putIntVolatile(0, MAGIC);
        return new CountersFile(mapped, manager, file.toPath());
    }

    /**
     * Maps a node's counters file read-only, from any process: nothing is ever written to it through this mapping.
     * A file that is too short, has not the magic or whose lengths do not fit in it is refused with an
     * {@link IllegalArgumentException} naming the file and the problem.
     */
    public static CountersFile openForReading(final Path dataDir)
    {
        final File file = locate(dataDir).toFile();
        if (!file.exists())
        {
            throw new IllegalArgumentException("no counters file " + file + (file.toPath().startsWith(dataDir) ?
                " (is dataDir that of a ringraft node?)" : " (named by " + dataDir.resolve(LOCATION_FILE_NAME) +
                "; the node is not running: counters in memory go with it)"));
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
            return new CountersFile(mapped, reader, file.toPath());
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    /**
     * The counters file of {@code directory}: its own {@value #FILE_NAME} when it has one, else the one in the
     * directory its {@value #LOCATION_FILE_NAME} names, else (neither) where its own would be.
     */
    public static Path locate(final Path directory)
    {
        final Path own = directory.resolve(FILE_NAME);
        final Path location = directory.resolve(LOCATION_FILE_NAME);
        if (Files.isRegularFile(own) || !Files.isRegularFile(location))
        {
            return own;
        }
        try
        {
            final String named = Files.readString(location, StandardCharsets.UTF_8).trim();
            return named.isEmpty() ? own : Path.of(named).resolve(FILE_NAME);
        }
        catch (final IOException | InvalidPathException ex)
        {
            return own;
        }
    }

    /** The file this maps. */
    public Path path()
    {
        return file;
    }

    /** The process id of the node that wrote the file; 0 when the file does not say (an older version). */
    public long pid()
    {
        return header.getLongVolatile(PID_OFFSET);
    }

    /**
     * The writer's last heartbeat, epoch ms: recent while its node runs; {@link #HEARTBEAT_CLOSED} after a clean
     * close; 0 when the file does not say (an older version).
     */
    public long heartbeatMs()
    {
        return header.getLongVolatile(HEARTBEAT_OFFSET);
    }

    /** Called by the writer's raft stage every tick: one ordered store, no allocation. */
    void heartbeat(final long epochMs)
    {
        header.putLongOrdered(HEARTBEAT_OFFSET, epochMs);
    }

    void markClosed()
    {
        header.putLongVolatile(HEARTBEAT_OFFSET, HEARTBEAT_CLOSED);
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
