/*
 * ringraft
 */
package io.ringraft.codecs;

import org.junit.jupiter.api.Test;
import uk.co.real_logic.sbe.ir.Ir;
import uk.co.real_logic.sbe.ir.IrDecoder;
import uk.co.real_logic.sbe.ir.Signal;
import uk.co.real_logic.sbe.ir.Token;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-declared {@link SchemaLayouts} table must say exactly what the schema's IR says: same messages, block
 * lengths, enum fields and valid values, groups and var-data in the same order. Adding a message or field to the
 * schema without declaring it in the table fails here, not in production.
 */
class SchemaLayoutsTest
{
    @Test
    void tableMatchesTheSchemaIr() throws Exception
    {
        final Ir ir = loadIr();
        final Map<Integer, String> expected = new TreeMap<>();
        for (final List<Token> tokens : ir.messages())
        {
            final FrameLayout layout = layoutFromIr(tokens, ir.version());
            expected.put(layout.templateId(), layout.shape());
        }

        final Map<Integer, String> actual = SchemaLayouts.all().stream()
            .collect(Collectors.toMap(FrameLayout::templateId, FrameLayout::shape, (a, b) -> a, TreeMap::new));

        assertThat(ir.id()).isEqualTo(Frames.SCHEMA_ID);
        assertThat(ir.version()).isEqualTo(Frames.SCHEMA_VERSION);
        assertThat(actual).isEqualTo(expected);
        // Guards the IR reading itself: an empty shape on both sides would compare equal.
        assertThat(expected.get(io.ringraft.codecs.sbe.AppendEntriesDecoder.TEMPLATE_ID))
            .contains("peerHeader=0", "group(v0 block=25)[ enum(v0 @16 {0,1,2,}) data(v0 header=4) ]");
        assertThat(expected).hasSize(SchemaLayouts.all().size());
    }

    @Test
    void everyMessageHasASample()
    {
        assertThat(SampleMessages.all().stream().map(SampleMessages.Sample::templateId))
            .containsExactlyElementsOf(SchemaLayouts.all().stream().map(FrameLayout::templateId).toList());
        for (final SampleMessages.Sample sample : SampleMessages.all())
        {
            assertThat(Frames.templateName(sample.templateId())).isEqualTo(sample.name());
        }
    }

    @Test
    void peerTemplatesAreExactlyThoseWithAPeerHeader()
    {
        for (final FrameLayout layout : SchemaLayouts.all())
        {
            assertThat(Frames.isPeerTemplate(layout.templateId()))
                .as(layout.name())
                .isEqualTo(layout.peerHeaderOffset() >= 0);
        }
        assertThat(Frames.isPeerTemplate(12)).isFalse();
        assertThat(Frames.isKnownTemplate(0)).isFalse();
        assertThat(Frames.isKnownTemplate(65535)).isFalse();
        assertThat(Frames.templateName(999)).isEqualTo("unknown");
    }

    static Ir loadIr() throws Exception
    {
        try (InputStream in = SchemaLayoutsTest.class.getResourceAsStream("/ringraft-schema.sbeir"))
        {
            assertThat(in).as("ringraft-schema.sbeir on the class path").isNotNull();
            final byte[] bytes = in.readAllBytes();
            final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            try (IrDecoder decoder = new IrDecoder(buffer))
            {
                return decoder.decode();
            }
        }
    }

    private static FrameLayout layoutFromIr(final List<Token> tokens, final int schemaVersion)
    {
        final Token message = tokens.get(0);
        assertThat(message.signal()).isEqualTo(Signal.BEGIN_MESSAGE);
        final FrameLayout.Builder builder = FrameLayout.message(message.name(), message.id(), message.encodedLength());

        // Older versions' root block ends after the last field they knew.
        for (int version = 0; version < schemaVersion; version++)
        {
            int blockLengthAtVersion = 0;
            for (int i = 1; i < tokens.size(); i++)
            {
                final Token token = tokens.get(i);
                if (token.signal() == Signal.BEGIN_GROUP || token.signal() == Signal.BEGIN_VAR_DATA)
                {
                    break;
                }
                if (token.signal() == Signal.BEGIN_FIELD && token.version() <= version)
                {
                    blockLengthAtVersion = Math.max(
                        blockLengthAtVersion, token.offset() + tokens.get(i + 1).encodedLength());
                }
            }
            builder.fieldsAddedIn(version + 1, blockLengthAtVersion);
        }

        addMembers(builder, tokens, 1, tokens.size() - 1, true);
        return builder.build();
    }

    private static void addMembers(
        final FrameLayout.Builder builder, final List<Token> tokens, final int from, final int to, final boolean root)
    {
        int i = from;
        while (i < to)
        {
            final Token token = tokens.get(i);
            switch (token.signal())
            {
                case BEGIN_FIELD:
                {
                    final Token type = tokens.get(i + 1);
                    if (type.signal() == Signal.BEGIN_ENUM)
                    {
                        builder.enumField(token.version(), token.offset(), validValues(tokens, i + 1));
                    }
                    else if (root && type.signal() == Signal.BEGIN_COMPOSITE && "PeerHeader".equals(type.name()))
                    {
                        builder.peerHeaderAt(token.offset());
                    }
                    i += token.componentTokenCount();
                    break;
                }

                case BEGIN_GROUP:
                {
                    builder.beginGroup(token.version(), token.encodedLength());
                    final int end = i + token.componentTokenCount() - 1;
                    final int dimensions = i + 1;
                    addMembers(builder, tokens, dimensions + tokens.get(dimensions).componentTokenCount(), end, false);
                    builder.endGroup();
                    i += token.componentTokenCount();
                    break;
                }

                case BEGIN_VAR_DATA:
                {
                    final Token length = tokens.get(i + 2);
                    assertThat(length.name()).isEqualTo("length");
                    builder.varData(token.version(), length.encodedLength());
                    i += token.componentTokenCount();
                    break;
                }

                default:
                    i++;
            }
        }
    }

    private static long[] validValues(final List<Token> tokens, final int beginEnum)
    {
        final long[] bits = new long[4];
        final int end = beginEnum + tokens.get(beginEnum).componentTokenCount();
        for (int i = beginEnum + 1; i < end; i++)
        {
            final Token token = tokens.get(i);
            if (token.signal() == Signal.VALID_VALUE)
            {
                final int raw = (int)token.encoding().constValue().longValue();
                bits[raw >>> 6] |= 1L << raw;
            }
        }
        return bits;
    }
}
