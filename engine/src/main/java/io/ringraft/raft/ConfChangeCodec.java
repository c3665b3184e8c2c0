package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeDecoder;
import io.ringraft.codecs.sbe.ConfChangeEncoder;
import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps a {@link ConfChange} to and from the payload of a CONF_CHANGE entry: the SBE {@code ConfChange}
 * message with its message header, so the log inspector decodes it like any other record.
 * Membership changes are rare, so this favours clarity over avoiding allocation.
 */
public final class ConfChangeCodec
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConfChangeEncoder encoder = new ConfChangeEncoder();
    private final ConfChangeDecoder decoder = new ConfChangeDecoder();

    /** @return the encoded length written at {@code offset}. */
    public int encode(final ConfChange change, final MutableDirectBuffer buffer, final int offset)
    {
        if (null == change || null == change.transition() || null == change.changes())
        {
            throw new IllegalArgumentException("conf change and its transition and changes must be set: " + change);
        }
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder).transition(change.transition());
        final ConfChangeEncoder.ChangesEncoder changes = encoder.changesCount(change.changes().size());
        for (final ConfChange.Change c : change.changes())
        {
            if (null == c.type())
            {
                throw new IllegalArgumentException("conf change type missing for member " + c.memberId());
            }
            changes.next().changeType(c.type()).memberId(c.memberId())
                .endpoint(null == c.endpoint() ? "" : c.endpoint());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /** @throws IllegalArgumentException when the bytes are not a ConfChange message. */
    public ConfChange decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new IllegalArgumentException("conf change payload too short: " + length + " bytes");
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != ConfChangeDecoder.SCHEMA_ID ||
            headerDecoder.templateId() != ConfChangeDecoder.TEMPLATE_ID)
        {
            throw new IllegalArgumentException("conf change payload has schema " + headerDecoder.schemaId() +
                " template " + headerDecoder.templateId() + ", expected " + ConfChangeDecoder.SCHEMA_ID + "/" +
                ConfChangeDecoder.TEMPLATE_ID);
        }
        decoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final ConfChangeTransition transition = decoder.transition();
        final List<ConfChange.Change> changes = new ArrayList<>();
        for (final ConfChangeDecoder.ChangesDecoder c : decoder.changes())
        {
            final ConfChangeType type = c.changeType();
            final int memberId = c.memberId();
            final String endpoint = c.endpoint();
            changes.add(new ConfChange.Change(type, memberId, endpoint.isEmpty() ? null : endpoint));
        }
        if (decoder.limit() - offset > length)
        {
            throw new IllegalArgumentException("conf change payload truncated: " + length + " bytes, needs " +
                (decoder.limit() - offset));
        }
        return new ConfChange(transition, List.copyOf(changes));
    }
}
