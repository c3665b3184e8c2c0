/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SessionCommandEncoder;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.log.DurableLog;
import io.ringraft.raft.HardState;
import org.agrona.concurrent.UnsafeBuffer;
import uk.co.real_logic.sbe.ir.Ir;
import uk.co.real_logic.sbe.ir.IrEncoder;
import uk.co.real_logic.sbe.xml.IrGenerator;
import uk.co.real_logic.sbe.xml.ParserOptions;
import uk.co.real_logic.sbe.xml.XmlSchemaParser;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the checked-in fixture {@code src/test/resources/log-fixtures/schema-v2}: a member data directory whose
 * session records were written by schema version 2, the schema of today without {@code SessionCommand.respondedTo}
 * (so its block is 16 bytes, not 24), together with that schema's IR, as a release of version 2 would have left
 * it. The log's own framing is today's engine's; only the payloads and the stored IR are of the older schema.
 * <p>
 * To write it again: {@code mvn -o -q -pl tools -am test-compile}, then run this class's main with the fixture
 * directory as its argument (class path: the tools module's test class path).
 */
public final class OldSchemaFixture
{
    static final String RESOURCE = "/log-fixtures/schema-v2";
    static final int OLD_VERSION = 2;

    private OldSchemaFixture()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dataDirectory = Path.of(args[0]);
        if (Files.exists(dataDirectory))
        {
            throw new IllegalStateException(dataDirectory + " exists: remove it first");
        }
        try (KvMember.Writer group = new KvMember.Writer(DurableLog.open(KvMember.config(dataDirectory, 1))))
        {
            // SessionOpen's layout is the same in both versions: only its header names version 2.
            final byte[] open = KvMember.sessionOpen(5, 60_000);
            new UnsafeBuffer(open).putShort(6, (short)OLD_VERSION, java.nio.ByteOrder.LITTLE_ENDIAN);
            group.append(1, EntryType.NORMAL, open);
            group.append(1, EntryType.NORMAL, sessionCommandV2(1, 1, KvCommands.put(KvMember.bytes("alpha"),
                KvMember.bytes("hello"))));
            group.append(1, EntryType.NORMAL, sessionCommandV2(1, 2, KvCommands.delete(KvMember.bytes("alpha"))));
            group.append(2, EntryType.NORMAL, KvCommands.put(KvMember.bytes("bare"), KvMember.bytes("v")));
            group.log.saveHardState(new HardState(2, 1, 4));
            group.log.force();
        }
        final Path groupDirectory = dataDirectory.resolve("1");
        try (var files = Files.list(groupDirectory))
        {
            for (final Path file : files.filter(f -> f.getFileName().toString().endsWith(".sbeir.gz")).toList())
            {
                Files.delete(file); // today's: the directory is to look as a version 2 release left it
            }
        }
        writeIr(oldSchemaIr(), groupDirectory.resolve("ringraft-schema-v" + OLD_VERSION + ".sbeir.gz"));
    }

    /** Today's schema with SessionCommand.respondedTo removed and the version lowered to 2. */
    static Ir oldSchemaIr() throws Exception
    {
        return editedSchemaIr(today -> today
            .replaceFirst("\\s*<field name=\"respondedTo\" id=\"3\"[^>]*/>", "")
            .replaceFirst("version=\"3\"", "version=\"" + OLD_VERSION + "\""),
            old -> !old.contains("respondedTo") && old.contains("version=\"" + OLD_VERSION + "\""));
    }

    /**
     * The IR of today's schema XML after {@code edit}, as another release's schema; {@code applied} tells whether the
     * edit took (today's schema may have changed under it).
     */
    static Ir editedSchemaIr(final UnaryOperator<String> edit, final Predicate<String> applied) throws Exception
    {
        final String today;
        try (InputStream in = OldSchemaFixture.class.getResourceAsStream("/ringraft-schema.xml"))
        {
            today = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final String edited = edit.apply(today);
        if (!applied.test(edited))
        {
            throw new IllegalStateException("the schema changed: adapt " + OldSchemaFixture.class.getSimpleName());
        }
        return new IrGenerator().generate(XmlSchemaParser.parse(
            new ByteArrayInputStream(edited.getBytes(StandardCharsets.UTF_8)), ParserOptions.DEFAULT));
    }

    static void writeIr(final Ir ir, final Path file) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        final int length;
        try (IrEncoder encoder = new IrEncoder(buffer, ir))
        {
            length = encoder.encode();
        }
        final byte[] bytes = new byte[length];
        buffer.get(0, bytes);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file)))
        {
            out.write(bytes);
        }
    }

    /** A SessionCommand as version 2 encodes it: sessionId, sequence, then the command; a 16-byte block. */
    static byte[] sessionCommandV2(final long sessionId, final long sequence, final byte[] command)
    {
        final int blockLength = 16;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH + blockLength + 4 +
            command.length]);
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(blockLength)
            .templateId(SessionCommandEncoder.TEMPLATE_ID).schemaId(SessionCommandEncoder.SCHEMA_ID)
            .version(OLD_VERSION);
        int at = MessageHeaderEncoder.ENCODED_LENGTH;
        buffer.putLong(at, sessionId, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(at + 8, sequence, java.nio.ByteOrder.LITTLE_ENDIAN);
        at += blockLength;
        buffer.putInt(at, command.length, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(at + 4, command);
        return Arrays.copyOf(buffer.byteArray(), buffer.capacity());
    }
}
