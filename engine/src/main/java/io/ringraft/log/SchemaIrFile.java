package io.ringraft.log;

import io.ringraft.codecs.sbe.MessageHeaderDecoder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Keeps in each group directory the SBE IR of the schema that wrote it, gzipped as
 * {@code ringraft-schema-v<version>.sbeir.gz} (some 7 KB rather than 64):
 * written when the directory is created and when a release with another schema version first opens it. The IR
 * describes every message of the schema, so a later release's inspector can still decode this release's records
 * and payloads field by field (SBE's on-the-fly decoder), whatever its own schema has become. Nothing reads it
 * back at start: it is for the inspector only.
 */
final class SchemaIrFile
{
    /** The IR the codecs module builds next to its classes. */
    static final String RESOURCE = "/ringraft-schema.sbeir";

    private SchemaIrFile()
    {
    }

    /** The name the IR of {@code schemaVersion} has in a group directory. */
    static String fileName(final int schemaVersion)
    {
        return "ringraft-schema-v" + schemaVersion + ".sbeir.gz";
    }

    /** Writes this release's IR into {@code groupDirectory} unless it is already there, durably. */
    static void ensure(final Disk disk, final Path groupDirectory, final System.Logger logger)
    {
        final Path file = groupDirectory.resolve(fileName(MessageHeaderDecoder.SCHEMA_VERSION));
        if (disk.exists(file))
        {
            return;
        }
        final ByteArrayOutputStream ir = new ByteArrayOutputStream();
        try (InputStream in = SchemaIrFile.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                // A build without the IR loses only the inspector's decoding of later schema versions.
                logger.log(System.Logger.Level.WARNING, "no {0} on the class path: {1} not written", RESOURCE, file);
                return;
            }
            try (GZIPOutputStream gzip = new GZIPOutputStream(ir))
            {
                in.transferTo(gzip);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
        final ByteBuffer content = ByteBuffer.allocateDirect(ir.size());
        content.put(ir.toByteArray()).flip();
        DurableFiles.writeAtomically(disk, file, content);
    }
}
