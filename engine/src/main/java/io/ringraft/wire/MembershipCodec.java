package io.ringraft.wire;

import io.ringraft.codecs.sbe.BooleanType;
import io.ringraft.codecs.sbe.MembershipDecoder;
import io.ringraft.codecs.sbe.MembershipEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.raft.Membership;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps {@link Membership} to and from the SBE {@code Membership} message (header included), the form it takes
 * inside snapshot metadata and snapshot chunks. Membership changes are rare, so this allocates freely.
 */
public final class MembershipCodec
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MembershipEncoder encoder = new MembershipEncoder();
    private final MembershipDecoder decoder = new MembershipDecoder();

    /** @return bytes written at {@code offset}: message header plus body. */
    public int encode(final Membership membership, final long configIndex, final MutableDirectBuffer buffer, final int offset)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .configIndex(configIndex)
            .autoLeave(membership.autoLeave() ? BooleanType.TRUE : BooleanType.FALSE);
        putIds(encoder.votersCount(membership.voters().length), membership.voters());
        putOutgoing(membership.outgoingVoters());
        putLearners(membership.learners());
        putLearnersNext(membership.learnersNext());
        final MembershipEncoder.EndpointsEncoder endpoints = encoder.endpointsCount(membership.endpoints().size());
        membership.endpoints().forEach((id, endpoint) -> endpoints.next().memberId(id).endpoint(endpoint));
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /** The exact number of bytes {@link #encode} writes for {@code membership}. */
    public static int encodedLength(final Membership membership)
    {
        final int ids = membership.voters().length + membership.outgoingVoters().length +
            membership.learners().length + membership.learnersNext().length;
        int endpoints = 0;
        for (final String endpoint : membership.endpoints().values())
        {
            endpoints += MembershipEncoder.EndpointsEncoder.sbeBlockLength() +
                MembershipEncoder.EndpointsEncoder.endpointHeaderLength() +
                endpoint.getBytes(StandardCharsets.UTF_8).length;
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + MembershipEncoder.BLOCK_LENGTH +
            5 * MembershipEncoder.VotersEncoder.HEADER_SIZE + ids * MembershipEncoder.VotersEncoder.sbeBlockLength() +
            endpoints;
    }

    /** Decodes a message written by {@link #encode}; the caller validated it (see {@code Frames}). */
    public Membership decode(final DirectBuffer buffer, final int offset)
    {
        decoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final MembershipDecoder.VotersDecoder voters = decoder.voters();
        final int[] voterIds = new int[voters.count()];
        for (int i = 0; i < voterIds.length; i++)
        {
            voterIds[i] = voters.next().memberId();
        }
        final MembershipDecoder.OutgoingVotersDecoder outgoing = decoder.outgoingVoters();
        final int[] outgoingIds = new int[outgoing.count()];
        for (int i = 0; i < outgoingIds.length; i++)
        {
            outgoingIds[i] = outgoing.next().memberId();
        }
        final MembershipDecoder.LearnersDecoder learners = decoder.learners();
        final int[] learnerIds = new int[learners.count()];
        for (int i = 0; i < learnerIds.length; i++)
        {
            learnerIds[i] = learners.next().memberId();
        }
        final MembershipDecoder.LearnersNextDecoder learnersNext = decoder.learnersNext();
        final int[] learnerNextIds = new int[learnersNext.count()];
        for (int i = 0; i < learnerNextIds.length; i++)
        {
            learnerNextIds[i] = learnersNext.next().memberId();
        }
        // Empty in a configuration written before version 4, which had no endpoints: the decoder knows the version.
        final MembershipDecoder.EndpointsDecoder endpointsDecoder = decoder.endpoints();
        final Map<Integer, String> endpoints = endpointsDecoder.count() == 0 ? Map.of() : new HashMap<>();
        while (endpointsDecoder.hasNext())
        {
            final int id = endpointsDecoder.next().memberId();
            endpoints.put(id, endpointsDecoder.endpoint());
        }
        return new Membership(
            voterIds, outgoingIds, learnerIds, learnerNextIds, decoder.autoLeave() == BooleanType.TRUE, endpoints);
    }

    /** Index of the entry that set the configuration last decoded. */
    public long lastConfigIndex()
    {
        return decoder.configIndex();
    }

    private static void putIds(final MembershipEncoder.VotersEncoder group, final int[] ids)
    {
        for (final int id : ids)
        {
            group.next().memberId(id);
        }
    }

    private void putOutgoing(final int[] ids)
    {
        final MembershipEncoder.OutgoingVotersEncoder group = encoder.outgoingVotersCount(ids.length);
        for (final int id : ids)
        {
            group.next().memberId(id);
        }
    }

    private void putLearners(final int[] ids)
    {
        final MembershipEncoder.LearnersEncoder group = encoder.learnersCount(ids.length);
        for (final int id : ids)
        {
            group.next().memberId(id);
        }
    }

    private void putLearnersNext(final int[] ids)
    {
        final MembershipEncoder.LearnersNextEncoder group = encoder.learnersNextCount(ids.length);
        for (final int id : ids)
        {
            group.next().memberId(id);
        }
    }
}
