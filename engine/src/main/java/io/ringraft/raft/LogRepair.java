package io.ringraft.raft;

/**
 * What recovery found missing among records this member had synced, and so may have acknowledged: until it holds
 * them again (or newer entries of a later leader), the member must not vote, grant pre-votes or campaign.
 *
 * @param syncedThroughIndex the synced watermark found at start: the highest index this member may have acknowledged.
 * @param firstMissingIndex  the first index recovery could not keep (its log now ends just before it).
 * @param hardStateLost      the hard state itself was missing or damaged next to a non-empty log: the term and vote
 *                           this member had are unknown (the term passed to the core is only the log's last term).
 */
public record LogRepair(long syncedThroughIndex, long firstMissingIndex, boolean hardStateLost)
{
    public static final LogRepair NONE = new LogRepair(0, 0, false);

    public boolean needed()
    {
        return this != NONE && (hardStateLost || firstMissingIndex <= syncedThroughIndex);
    }
}
