package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;

import java.util.List;

/**
 * A membership change request: one change is applied directly when it is safe, several (or an explicit
 * request) go through joint consensus. Stored in the log as the payload of a CONF_CHANGE entry.
 */
public record ConfChange(ConfChangeTransition transition, List<Change> changes)
{
    public record Change(ConfChangeType type, int memberId, String endpoint)
    {
    }

    public static ConfChange single(final ConfChangeType type, final int memberId, final String endpoint)
    {
        return new ConfChange(ConfChangeTransition.AUTO, List.of(new Change(type, memberId, endpoint)));
    }

    /** The empty change that leaves an explicit joint configuration. */
    public static ConfChange leaveJoint()
    {
        return new ConfChange(ConfChangeTransition.AUTO, List.of());
    }
}
