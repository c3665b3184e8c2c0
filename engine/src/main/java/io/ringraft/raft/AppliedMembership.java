package io.ringraft.raft;

import org.agrona.DirectBuffer;

/**
 * The configuration in force at the applied index, followed entry by entry by whoever applies the committed
 * entries in order, so that a snapshot of that index records the configuration of that index: the one asked for
 * with the snapshot would be older whenever a configuration entry is applied in between.
 * <p>
 * A CONF_CHANGE entry counts as the core counts it ({@code RaftNode}'s applyConfChanges): one that does not decode or
 * does not apply to the configuration before it was validated when proposed, so every member skips it alike and it
 * leaves the configuration unchanged. Configuration entries are rare; only they allocate.
 */
public final class AppliedMembership
{
    private final ConfChangeCodec codec = new ConfChangeCodec();
    private Membership membership;

    /** @param start the configuration at the index applying starts from: its snapshot's, or the bootstrap one. */
    public AppliedMembership(final Membership start)
    {
        reset(start);
    }

    public Membership membership()
    {
        return membership;
    }

    /** Applying starts again from a snapshot, whose configuration is the one at its index. */
    public void reset(final Membership membership)
    {
        if (null == membership)
        {
            throw new IllegalArgumentException("the configuration to start from is required");
        }
        this.membership = membership;
    }

    /** The payload of a CONF_CHANGE entry, applied next. */
    public void apply(final DirectBuffer payload, final int offset, final int length)
    {
        try
        {
            membership = MembershipChanger.apply(membership, codec.decode(payload, offset, length));
        }
        catch (final IllegalArgumentException ex)
        {
            // Skipped by every member alike: the configurations agree.
        }
    }
}
