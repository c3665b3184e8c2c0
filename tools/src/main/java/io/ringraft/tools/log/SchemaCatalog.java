/*
 * ringraft
 */
package io.ringraft.tools.log;

import uk.co.real_logic.sbe.ir.Ir;
import uk.co.real_logic.sbe.ir.IrDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The SBE schemas (as IR) the inspector decodes with: those stored in a group directory by the releases that wrote
 * it ({@code ringraft-schema-v<version>.sbeir.gz}, see the engine's {@code SchemaIrFile}), and this release's own,
 * built into the codecs jar, for directories that hold none. A message is decoded with the IR of the version its
 * SBE header names, so a record written by an older or newer release prints with that release's fields.
 */
final class SchemaCatalog
{
    static final String BUILT_IN_RESOURCE = "/ringraft-schema.sbeir";
    private static final Pattern STORED_NAME = Pattern.compile("ringraft-schema-v(\\d{1,5})\\.sbeir\\.gz");
    private static Ir builtIn;

    /** One IR and where it came from. */
    record Schema(Ir ir, Path file)
    {
        boolean stored()
        {
            return null != file;
        }

        String origin()
        {
            return stored() ? "stored " + file.getFileName() : "built in";
        }
    }

    private final TreeMap<Integer, Schema> byVersion = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Schema builtInSchema;

    private SchemaCatalog(final Path groupDirectory)
    {
        builtInSchema = new Schema(builtIn(), null);
        if (null != groupDirectory && Files.isDirectory(groupDirectory))
        {
            try (Stream<Path> files = Files.list(groupDirectory))
            {
                for (final Path file : files.sorted().toList())
                {
                    final Matcher name = STORED_NAME.matcher(file.getFileName().toString());
                    if (name.matches())
                    {
                        load(file);
                    }
                }
            }
            catch (final IOException ex)
            {
                problems.add("cannot list " + groupDirectory + ": " + ex);
            }
        }
    }

    /** The stored schemas of {@code groupDirectory} (none when null) and the built-in one. */
    static SchemaCatalog of(final Path groupDirectory)
    {
        return new SchemaCatalog(groupDirectory);
    }

    private void load(final Path file)
    {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file)))
        {
            final Ir ir = decode(in.readAllBytes());
            byVersion.put(ir.version(), new Schema(ir, file));
        }
        catch (final IOException | RuntimeException ex)
        {
            problems.add(file + ": not a readable SBE IR (" + ex.getMessage() + "); the built-in schema is used");
        }
    }

    private static synchronized Ir builtIn()
    {
        if (null == builtIn)
        {
            try (InputStream in = SchemaCatalog.class.getResourceAsStream(BUILT_IN_RESOURCE))
            {
                if (null == in)
                {
                    throw new IllegalStateException(BUILT_IN_RESOURCE + " is missing from the class path: rebuild " +
                        "the codecs module");
                }
                builtIn = decode(in.readAllBytes());
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot read " + BUILT_IN_RESOURCE + ": " + ex.getMessage(), ex);
            }
        }
        return builtIn;
    }

    private static Ir decode(final byte[] bytes)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        try (IrDecoder decoder = new IrDecoder(buffer))
        {
            return decoder.decode();
        }
    }

    /**
     * The schema to decode a message of {@code version} with: the stored one of that version, else the built-in one
     * if it is of that version, else the oldest known newer one (a later schema only appends), else the newest.
     */
    Schema forVersion(final int version)
    {
        final Schema exact = byVersion.get(version);
        if (null != exact)
        {
            return exact;
        }
        if (builtInSchema.ir().version() == version)
        {
            return builtInSchema;
        }
        final TreeMap<Integer, Schema> all = new TreeMap<>(byVersion);
        all.putIfAbsent(builtInSchema.ir().version(), builtInSchema);
        final var newer = all.ceilingEntry(version);
        return null != newer ? newer.getValue() : all.lastEntry().getValue();
    }

    Schema builtInSchema()
    {
        return builtInSchema;
    }

    /** The stored schemas, oldest first. */
    List<Schema> stored()
    {
        return List.copyOf(byVersion.values());
    }

    /** Stored IR files that could not be read. */
    List<String> problems()
    {
        return List.copyOf(problems);
    }

    /** E.g. "stored v2, v3; this release v3". */
    String describe()
    {
        final StringBuilder text = new StringBuilder();
        text.append(byVersion.isEmpty() ? "no stored schema IR (written by a release before it was stored)" :
            "stored schema IR version(s) " + String.join(", ", byVersion.keySet().stream()
            .map(String::valueOf).toList()));
        text.append("; this release's schema ").append(builtInSchema.ir().id()).append(" version ")
            .append(builtInSchema.ir().version());
        return text.toString();
    }
}
