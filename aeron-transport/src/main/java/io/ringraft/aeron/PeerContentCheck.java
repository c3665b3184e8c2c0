package io.ringraft.aeron;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.AppendEntriesDecoder;
import io.ringraft.codecs.sbe.InstallSnapshotDecoder;
import io.ringraft.codecs.sbe.MembershipDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What {@link Frames#validatePeer} leaves to the reader and the wire decoder would otherwise trip over: the
 * Membership message nested as opaque bytes inside a snapshot chunk must itself be a valid Membership frame, and
 * the entries of an append must have consecutive indexes (the decoder's entry batch refuses anything else). A peer
 * frame that passes this and {@link Frames#validatePeer} decodes without an exception.
 * <p>
 * Runs on the receiver thread after {@link Frames#validatePeer} returned OK; allocates nothing.
 */
final class PeerContentCheck
{
    private final AppendEntriesDecoder appendDecoder = new AppendEntriesDecoder();
    private final InstallSnapshotDecoder snapshotDecoder = new InstallSnapshotDecoder();
    private final UnsafeBuffer membershipView = new UnsafeBuffer(0, 0);

    /** @return {@link FrameCheck#OK}, {@link TransportCounters#BAD_MEMBERSHIP} or {@link TransportCounters#NON_CONSECUTIVE_ENTRIES}. */
    int check(final DirectBuffer buffer, final int offset)
    {
        final int templateId = Frames.templateId(buffer, offset);
        if (AppendEntriesDecoder.TEMPLATE_ID == templateId)
        {
            return checkAppend(buffer, offset);
        }
        if (InstallSnapshotDecoder.TEMPLATE_ID == templateId)
        {
            return checkSnapshot(buffer, offset);
        }
        return FrameCheck.OK;
    }

    private int checkAppend(final DirectBuffer buffer, final int offset)
    {
        appendDecoder.wrap(buffer, offset + Frames.HEADER_LENGTH, Frames.blockLength(buffer, offset),
            Frames.version(buffer, offset));
        long previous = 0;
        boolean first = true;
        for (final AppendEntriesDecoder.EntriesDecoder entry : appendDecoder.entries())
        {
            final long index = entry.index();
            if (!first && index != previous + 1)
            {
                return TransportCounters.NON_CONSECUTIVE_ENTRIES;
            }
            first = false;
            previous = index;
            entry.skipPayload();
        }
        return FrameCheck.OK;
    }

    private int checkSnapshot(final DirectBuffer buffer, final int offset)
    {
        snapshotDecoder.wrap(buffer, offset + Frames.HEADER_LENGTH, Frames.blockLength(buffer, offset),
            Frames.version(buffer, offset));
        snapshotDecoder.wrapMembership(membershipView);
        final int length = membershipView.capacity();
        if (0 == length)
        {
            return FrameCheck.OK;
        }
        return FrameCheck.OK == Frames.validate(membershipView, 0, length) &&
            MembershipDecoder.TEMPLATE_ID == Frames.templateId(membershipView, 0) ?
            FrameCheck.OK : TransportCounters.BAD_MEMBERSHIP;
    }
}
