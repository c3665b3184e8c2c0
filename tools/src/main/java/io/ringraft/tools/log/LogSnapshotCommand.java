/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.SnapshotMetadataDecoder;
import io.ringraft.log.LogInspector;
import io.ringraft.log.Snapshot;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ringraft log snapshot FILE}: one snapshot file's metadata and, for the KV store, its keys. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = {
        "Show a snapshot file (a group directory's snapshots/*.snap): index, term, data length, membership, "
            + "whether its checksums verify, and when it holds the KV store's data the keys with their value sizes.",
        "Exit code: 0 when it verifies, 1 when it does not (a start skips it), 2 usage error or unreadable input.",
        ""
    })
final class LogSnapshotCommand extends InspectionCommand
{
    private static final byte[] KV_MAGIC = "RKV1".getBytes(StandardCharsets.US_ASCII);

    @Parameters(index = "0", paramLabel = "FILE", description = "A snapshot file.")
    private Path file;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000",
        description = "List at most N keys (default: ${DEFAULT-VALUE}).")
    private long maxKeys;

    @Option(names = "--payload-bytes", paramLabel = "N", defaultValue = "64",
        description = "Show at most N bytes of a key (default: ${DEFAULT-VALUE}).")
    private int previewBytes;

    @Override
    int run()
    {
        final CommandLine commandLine = spec.commandLine();
        if (!Files.isRegularFile(file))
        {
            throw new CommandLine.ParameterException(commandLine, file + ": no such file (give a snapshot file, " +
                "such as DIR/<group>/snapshots/<index>-<term>.snap)");
        }
        final PrintWriter out = commandLine.getOut();
        final int groupId = groupIdOf(file);
        final StringBuilder problem = new StringBuilder();
        final Snapshot snapshot = LogInspector.loadSnapshot(file, groupId, problem);
        if (null == snapshot)
        {
            out.println(file + ": NOT VERIFIED: " + problem + "; a start skips this snapshot");
            out.flush();
            return Findings.NOT_HEALTHY;
        }
        out.println(file + ": snapshot of group " + groupId + ", verified (metadata and data CRC32C)");
        out.println("  index " + snapshot.index() + ", term " + snapshot.term() + ", data " + snapshot.length() +
            " B, membership " + snapshot.membership());
        final PayloadDecoder preview = new PayloadDecoder(SchemaCatalog.of(null), previewBytes);
        try (DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(new SnapshotStream(snapshot),
            64 * 1024)))
        {
            final byte[] magic = new byte[KV_MAGIC.length];
            if (snapshot.length() < 12 || data.read(magic) != magic.length || !java.util.Arrays.equals(magic, KV_MAGIC))
            {
                out.println("  data: not a KV store snapshot (no RKV1 magic): the state machine's own format");
                out.flush();
                return Findings.HEALTHY;
            }
            final long count = data.readLong();
            out.println("  KV store: " + count + " key(s)");
            for (long i = 0; i < count; i++)
            {
                final int keyLength = data.readInt();
                final int valueLength = data.readInt();
                if (keyLength < 1 || valueLength < 0)
                {
                    out.println("  KV data damaged at entry " + i + ": key length " + keyLength + ", value length " +
                        valueLength);
                    out.flush();
                    return Findings.NOT_HEALTHY;
                }
                final byte[] key = new byte[keyLength];
                data.readFully(key);
                data.skipNBytes(valueLength);
                if (i < maxKeys)
                {
                    out.println("    " + preview.text(new UnsafeBuffer(key), 0, keyLength) + "  (" + valueLength +
                        " B)");
                }
            }
            if (count > maxKeys)
            {
                out.println("    ... " + (count - maxKeys) + " more (see --keys)");
            }
        }
        catch (final EOFException ex)
        {
            out.println("  KV data ends before its last key: damaged or not a KV snapshot");
            out.flush();
            return Findings.NOT_HEALTHY;
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot read " + file, ex);
        }
        out.flush();
        return Findings.HEALTHY;
    }

    /** The group the metadata names, so that the snapshot is verified against itself; 0 if unreadable. */
    private static int groupIdOf(final Path file)
    {
        try
        {
            final byte[] head = new byte[8 + MessageHeaderDecoder.ENCODED_LENGTH + SnapshotMetadataDecoder.BLOCK_LENGTH];
            try (InputStream in = Files.newInputStream(file))
            {
                if (in.readNBytes(head, 0, head.length) < head.length)
                {
                    return 0;
                }
            }
            // After the record frame (length, checksum): the SBE header, then the metadata.
            return new SnapshotMetadataDecoder().wrapAndApplyHeader(new UnsafeBuffer(head), 8,
                new MessageHeaderDecoder()).groupId();
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0; // the load says what is wrong
        }
    }

    /** The snapshot's data as a stream. */
    private static final class SnapshotStream extends InputStream
    {
        private final Snapshot snapshot;
        private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[64 * 1024]);
        private long position;

        SnapshotStream(final Snapshot snapshot)
        {
            this.snapshot = snapshot;
        }

        @Override
        public int read()
        {
            final byte[] one = new byte[1];
            return -1 == read(one, 0, 1) ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] bytes, final int offset, final int length)
        {
            if (position >= snapshot.length())
            {
                return -1;
            }
            final int count = snapshot.read(position, chunk, 0, Math.min(length, chunk.capacity()));
            chunk.getBytes(0, bytes, offset, count);
            position += count;
            return count;
        }
    }
}
