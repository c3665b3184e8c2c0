package io.ringraft.log;

import io.ringraft.codecs.sbe.BooleanType;
import io.ringraft.codecs.sbe.MembershipDecoder;
import io.ringraft.codecs.sbe.MembershipEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.raft.Membership;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/** Converts a {@link Membership} to and from the schema's {@code Membership} message, as stored in snapshots. */
final class MembershipCodec
{
    private MembershipCodec()
    {
    }

    /** @return the encoded length, SBE message header included. */
    static int encode(final Membership membership, final long configIndex, final MutableDirectBuffer buffer, final int offset)
    {
        final MembershipEncoder encoder = new MembershipEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .configIndex(configIndex)
            .autoLeave(membership.autoLeave() ? BooleanType.TRUE : BooleanType.FALSE);
        final int[] voters = membership.voters();
        final MembershipEncoder.VotersEncoder votersEncoder = encoder.votersCount(voters.length);
        for (final int id : voters)
        {
            votersEncoder.next().memberId(id);
        }
        final int[] outgoing = membership.outgoingVoters();
        final MembershipEncoder.OutgoingVotersEncoder outgoingEncoder = encoder.outgoingVotersCount(outgoing.length);
        for (final int id : outgoing)
        {
            outgoingEncoder.next().memberId(id);
        }
        final int[] learners = membership.learners();
        final MembershipEncoder.LearnersEncoder learnersEncoder = encoder.learnersCount(learners.length);
        for (final int id : learners)
        {
            learnersEncoder.next().memberId(id);
        }
        final int[] learnersNext = membership.learnersNext();
        final MembershipEncoder.LearnersNextEncoder nextEncoder = encoder.learnersNextCount(learnersNext.length);
        for (final int id : learnersNext)
        {
            nextEncoder.next().memberId(id);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    static byte[] encode(final Membership membership, final long configIndex)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);
        final int length = encode(membership, configIndex, buffer, 0);
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    static Membership decode(final DirectBuffer buffer, final int offset)
    {
        final MembershipDecoder decoder = new MembershipDecoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        final boolean autoLeave = decoder.autoLeave() == BooleanType.TRUE;
        final MembershipDecoder.VotersDecoder votersDecoder = decoder.voters();
        final int[] voters = new int[votersDecoder.count()];
        for (int i = 0; i < voters.length; i++)
        {
            voters[i] = votersDecoder.next().memberId();
        }
        final MembershipDecoder.OutgoingVotersDecoder outgoingDecoder = decoder.outgoingVoters();
        final int[] outgoing = new int[outgoingDecoder.count()];
        for (int i = 0; i < outgoing.length; i++)
        {
            outgoing[i] = outgoingDecoder.next().memberId();
        }
        final MembershipDecoder.LearnersDecoder learnersDecoder = decoder.learners();
        final int[] learners = new int[learnersDecoder.count()];
        for (int i = 0; i < learners.length; i++)
        {
            learners[i] = learnersDecoder.next().memberId();
        }
        final MembershipDecoder.LearnersNextDecoder nextDecoder = decoder.learnersNext();
        final int[] learnersNext = new int[nextDecoder.count()];
        for (int i = 0; i < learnersNext.length; i++)
        {
            learnersNext[i] = nextDecoder.next().memberId();
        }
        return new Membership(voters, outgoing, learners, learnersNext, autoLeave);
    }
}
