package io.ringraft.raft;

/**
 * The read side of a group's durable log as the Raft core (and the apply stage) see it.
 * <p>
 * Only entries whose persistence has been confirmed are visible here; entries the core has produced but
 * not yet seen durable live in the core's own unstable buffer. Implementations must allow reads from
 * one thread while another thread appends beyond {@link #lastIndex()}: the raft stage and the apply
 * stage read while the persist stage writes. A read that races with prefix compaction may find
 * nothing; callers then fall back to a snapshot.
 */
public interface LogReader
{
    /** Returned by {@link #term(long)} for an index outside [snapshotIndex, lastIndex]. */
    long NO_TERM = -1;

    /** Index of the last entry covered by the newest snapshot, 0 when there is none. */
    long snapshotIndex();

    /** Term of the entry at {@link #snapshotIndex()}, 0 when there is no snapshot. */
    long snapshotTerm();

    /** First index readable as an entry: {@code snapshotIndex() + 1}. */
    default long firstIndex()
    {
        return snapshotIndex() + 1;
    }

    /** Last durable index; equals {@link #snapshotIndex()} when the log holds no entries. */
    long lastIndex();

    /**
     * Term of the entry at {@code index}, {@link #snapshotTerm()} at the snapshot index, and
     * {@link #NO_TERM} when the index is compacted away or beyond the last index. Must be cheap: the
     * core calls it on every append it receives.
     */
    long term(long index);

    /**
     * Visits the entries from {@code fromIndex} to {@code toIndex} inclusive, in order, stopping once
     * {@code maxBytes} of payload have been visited (at least one entry is always visited when
     * available).
     * <p>
     * Entries are handed over in place. An entry that a truncation replaces while it is being visited may be
     * visited torn; the return value then stops before it. Committed entries are never replaced, and the core
     * reads only entries it has not asked to replace, so the pipeline's readers never meet this; any other
     * reader of uncommitted entries must act only on the entries up to the index returned.
     *
     * @return the last index visited and known intact, or {@code fromIndex - 1} when none was.
     */
    long read(long fromIndex, long toIndex, long maxBytes, EntryVisitor visitor);
}
