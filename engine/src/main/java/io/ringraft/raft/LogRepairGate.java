package io.ringraft.raft;

/**
 * Protocol-aware recovery in the core (Alagappan et al., FAST'18): while a member lacks records it had synced, and
 * so may have acknowledged, it keeps out of elections: it neither votes, nor grants pre-votes, nor campaigns
 * (TIMEOUT_NOW included). It still appends, acknowledges appends and applies committed entries: an append is
 * acknowledged only once it matches the leader's log (log matching), so those acknowledgements stay honest. The gate
 * opens by itself, once, when the member's DURABLE log proves that it holds every committed entry it ever
 * acknowledged. With H the hard-state term at start and W the synced watermark ({@link LogRepair}):
 * <ol>
 *     <li><b>Durable last index at least W.</b> Every committed entry e this member acknowledged lies at or below W
 *     and was committed by the leader of some term Tc whose append this member acknowledged while in term Tc, so
 *     Tc &lt;= H (a term is durable before any response of it leaves). By Leader Completeness every leader of a
 *     term &gt;= Tc holds e. The member lost indexes from {@code firstMissingIndex} on, so whatever it now holds at W
 *     was appended after the restart, from a leader of a term &gt;= its own &gt;= H, that holds e; by log
 *     matching the member's log up to W equals that leader's, so it holds e at its index too.</li>
 *     <li><b>A durable entry of a term T &gt; H.</b> Only the leader of term T creates entries of term T; T &gt; H
 *     &gt;= Tc, so that leader held e when it was elected, below every entry it then created. By log matching
 *     the member's log up to that entry equals that leader's, e included.</li>
 * </ol>
 * Either way the member now holds every committed entry it acknowledged, and since Raft never truncates a
 * committed entry from a log that holds it (any later leader holds it at the same index, so a conflict is always
 * after it), its up-to-date check can no longer let it vote for a candidate lacking one. Before that, its vote
 * could: a shorter log grants votes a complete one would refuse, and the member may be the only intact copy left
 * of an entry's quorum but one, the FAST'18 case where a committed entry is lost for good. Refusing the vote
 * instead leaves the group unavailable until enough intact members are up, never without the entry.
 * <p>
 * <b>Hard state lost.</b> Then H, the vote and W (recorded with the hard state) are unknown, and the term the
 * core starts with is only its log's last term: the index rule proves nothing (the leader sending the entry at W
 * might be older than a term in which this member acknowledged something), and only the term rule is used, with
 * H raised to the term of the first leader the member hears from after starting. That leader's term is at least
 * the lost term unless it is a stale leader that has not learned of a later term yet (without check-quorum it may
 * stay so for long, with check-quorum at most an election timeout): this rule assumes it is not. An entry of a
 * later term then proves the member holds what it acknowledged, and its term, then above the lost one, means it
 * cannot vote twice in a term it voted in before the crash.
 * <p>
 * Only durable state counts: the index and term are the log's durable last entry, and a snapshot received from
 * the leader counts once the Ready carrying it has been persisted.
 */
final class LogRepairGate
{
    private static final long UNKNOWN_TERM = -1;

    private final LogRepair repair;
    private boolean repairing;
    /** H: a durable entry of a later term ends the repair; {@link #UNKNOWN_TERM} until known. */
    private long termFloor;
    /** Id of the newest Ready handing a received snapshot to the disk while repairing. */
    private long snapshotReadyId;

    LogRepairGate(final LogRepair repair, final long hardStateTerm)
    {
        this.repair = repair;
        repairing = repair.needed();
        termFloor = repair.hardStateLost() ? UNKNOWN_TERM : hardStateTerm;
    }

    boolean repairing()
    {
        return repairing;
    }

    LogRepair repair()
    {
        return repair;
    }

    /** A leader of {@code term} reached this member (with a lost hard state the first one sets H). */
    void heardFromLeader(final long term)
    {
        if (repairing && UNKNOWN_TERM == termFloor)
        {
            termFloor = term;
        }
    }

    /** The Ready {@code readyId} carries a received snapshot to the disk: it counts only once persisted. */
    void snapshotHandedOut(final long readyId)
    {
        if (repairing)
        {
            snapshotReadyId = readyId;
        }
    }

    /**
     * Checks the exit rule against the durable log.
     *
     * @param durableLastIndex the last index (entry or snapshot) known durable.
     * @param durableLastTerm  the term of that entry or snapshot.
     * @param persistedReadyId the newest Ready confirmed persisted.
     * @param snapshotPending  a received snapshot not yet handed out in a Ready (the log already ends at it).
     * @return true when this call ended the repair.
     */
    boolean maybeFinish(
        final long durableLastIndex, final long durableLastTerm, final long persistedReadyId,
        final boolean snapshotPending)
    {
        if (!repairing || snapshotPending || persistedReadyId < snapshotReadyId)
        {
            return false;
        }
        final boolean reachedWatermark = !repair.hardStateLost() && durableLastIndex >= repair.syncedThroughIndex();
        final boolean laterTerm = UNKNOWN_TERM != termFloor && durableLastTerm > termFloor;
        if (reachedWatermark || laterTerm)
        {
            repairing = false;
            return true;
        }
        return false;
    }
}
