package io.ringraft.raft.sim;

import io.ringraft.raft.HardState;
import io.ringraft.raft.RaftNode;
import io.ringraft.raft.Role;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks Raft's safety properties incrementally, so that checking after every event costs O(what the event
 * changed), not O(cluster state). Global facts are recorded the first time anyone establishes them (the term
 * committed at an index, the state hash after applying an index, the content of entry (index, term)) and
 * every later observation must agree with them.
 */
final class SafetyChecker
{
    private static final long UNKNOWN = Long.MIN_VALUE;

    private record EntryKey(long index, long term)
    {
    }

    private final Long2LongHashMap leaderOfTerm = new Long2LongHashMap(UNKNOWN);
    /** Position i holds the term of the entry committed at index i, 0 while not known. */
    private final LongArrayList committedTerms = new LongArrayList();
    /** Position i holds the state-machine hash after applying index i, UNKNOWN while not known. */
    private final LongArrayList stateHashes = new LongArrayList();
    /** (index, term) -> {predecessor term or -1, content hash}: the log-matching witness. */
    private final Map<EntryKey, long[]> entries = new HashMap<>();
    private final LongArrayList ackedWriteIds = new LongArrayList();
    private long maxAckedIndex;
    private long maxCommit;
    private long leaderChanges;

    long maxCommit()
    {
        return maxCommit;
    }

    long maxAckedIndex()
    {
        return maxAckedIndex;
    }

    int ackedWrites()
    {
        return ackedWriteIds.size();
    }

    long leaderChanges()
    {
        return leaderChanges;
    }

    /** Runs after every event that reached {@code node}: only that member's state can have changed. */
    void checkNode(final SimNode node)
    {
        final RaftNode raft = node.raft();
        if (null == raft)
        {
            return;
        }
        final long term = raft.term();
        final Role role = raft.role();
        if (term < node.seenTerm)
        {
            throw violation(Invariant.MONOTONIC, node, "term went back from " + node.seenTerm + " to " + term);
        }
        if (Role.LEADER == role)
        {
            final long previous = leaderOfTerm.get(term);
            if (UNKNOWN == previous)
            {
                leaderOfTerm.put(term, node.id());
            }
            else if (previous != node.id())
            {
                throw violation(Invariant.ELECTION_SAFETY, node,
                    "second leader in term " + term + " (n" + previous + " was leader already)");
            }
            if (Role.LEADER != node.seenRole || node.seenTerm != term)
            {
                leaderChanges++;
                checkLeaderCompleteness(node, term);
            }
        }

        final long commit = raft.commitIndex();
        if (commit < node.seenCommit)
        {
            throw violation(Invariant.MONOTONIC, node, "commit index went back from " + node.seenCommit + " to " + commit);
        }
        if (commit > node.seenCommit)
        {
            checkCommitted(node, node.seenCommit + 1, commit);
        }
        final long applied = raft.appliedIndex();
        if (applied < node.seenApplied)
        {
            throw violation(Invariant.MONOTONIC, node, "applied index went back from " + node.seenApplied + " to " + applied);
        }
        if (role != node.seenRole || term != node.seenTerm)
        {
            node.noteRole(role, term);
        }
        node.seenTerm = term;
        node.seenRole = role;
        node.seenCommit = commit;
        node.seenApplied = applied;
    }

    private void checkCommitted(final SimNode node, final long from, final long to)
    {
        for (long index = from; index <= to; index++)
        {
            final long term = node.viewTerm(index);
            if (SimNode.COMPACTED == term)
            {
                continue;
            }
            if (SimNode.ABSENT == term)
            {
                throw violation(Invariant.CONTRACT, node,
                    "commit index " + to + " is beyond the member's log (nothing at " + index + ")");
            }
            final long known = committedTerm(index);
            if (0 == known)
            {
                setCommittedTerm(index, term);
            }
            else if (known != term)
            {
                throw violation(Invariant.STATE_MACHINE_SAFETY, node,
                    "committed term " + term + " at index " + index + " but term " + known + " was committed there");
            }
        }
        maxCommit = Math.max(maxCommit, to);
    }

    private void checkLeaderCompleteness(final SimNode node, final long term)
    {
        for (long index = node.viewSnapshotIndex() + 1; index <= maxCommit; index++)
        {
            final long has = node.viewTerm(index);
            final long committed = committedTerm(index);
            if (SimNode.ABSENT == has || (0 != committed && has != committed))
            {
                throw violation(Invariant.LEADER_COMPLETENESS, node,
                    "new leader of term " + term + " has " + (SimNode.ABSENT == has ? "nothing" : "term " + has) +
                    " at index " + index + " where term " + committed + " is committed (commit reached " + maxCommit + ")");
            }
        }
    }

    /** New durable entries of one member: check them against every entry with the same (index, term). */
    void onDurableEntries(final SimNode node, final List<SimStorage.StoredEntry> written, final SimStorage storage)
    {
        for (final SimStorage.StoredEntry entry : written)
        {
            final long previousTerm = storage.term(entry.index() - 1);
            if (previousTerm > entry.term())
            {
                throw violation(Invariant.LOG_MATCHING, node, "durable log term decreases at " + entry.index() +
                    ": term " + entry.term() + " after term " + previousTerm);
            }
            final long content = SimStateMachine.mix(0, entry.index(), entry.term(), entry.type(), entry.payload());
            final long[] seen = entries.putIfAbsent(
                new EntryKey(entry.index(), entry.term()), new long[]{previousTerm, content});
            if (null == seen)
            {
                continue;
            }
            if (seen[1] != content)
            {
                throw violation(Invariant.LOG_MATCHING, node, "entry (" + entry.index() + ", term " + entry.term() +
                    ") has a different content than the same entry on another member");
            }
            if (seen[0] >= 0 && previousTerm >= 0 && seen[0] != previousTerm)
            {
                throw violation(Invariant.LOG_MATCHING, node, "entry (" + entry.index() + ", term " + entry.term() +
                    ") follows term " + previousTerm + " here but term " + seen[0] + " elsewhere");
            }
            if (seen[0] < 0)
            {
                seen[0] = previousTerm;
            }
        }
    }

    void onDurableHardState(final SimNode node, final HardState before, final HardState after)
    {
        if (after.term() < before.term())
        {
            throw violation(Invariant.MONOTONIC, node, "durable term went back: " + before + " -> " + after);
        }
        if (after.term() == before.term() && HardState.NO_VOTE != before.votedFor() &&
            after.votedFor() != before.votedFor())
        {
            throw violation(Invariant.MONOTONIC, node, "durable vote changed within term: " + before + " -> " + after);
        }
        if (after.commit() < before.commit())
        {
            throw violation(Invariant.MONOTONIC, node, "durable commit went back: " + before + " -> " + after);
        }
    }

    /** A member applied {@code index}; its state hash afterwards must equal everybody else's at that index. */
    void onApplied(final SimNode node, final long index, final long term, final long stateHash)
    {
        final long committed = committedTerm(index);
        if (0 != committed && committed != term)
        {
            throw violation(Invariant.STATE_MACHINE_SAFETY, node,
                "applied term " + term + " at index " + index + " where term " + committed + " is committed");
        }
        checkStateHash(node, index, stateHash, "after applying");
    }

    void onRestored(final SimNode node, final long index, final long stateHash)
    {
        checkStateHash(node, index, stateHash, "restored from a snapshot");
    }

    private void checkStateHash(final SimNode node, final long index, final long stateHash, final String how)
    {
        while (stateHashes.size() <= index)
        {
            stateHashes.addLong(UNKNOWN);
        }
        final long known = stateHashes.getLong((int)index);
        if (UNKNOWN == known)
        {
            stateHashes.setLong((int)index, stateHash);
        }
        else if (known != stateHash)
        {
            throw violation(Invariant.STATE_MACHINE_SAFETY, node,
                "state " + how + " index " + index + " differs from another member's state at that index");
        }
    }

    void onAcknowledged(final long writeId, final long index)
    {
        ackedWriteIds.addLong(writeId);
        maxAckedIndex = Math.max(maxAckedIndex, index);
    }

    void onReadState(final SimNode node, final long readIndex, final long commitWhenStarted)
    {
        if (readIndex < commitWhenStarted)
        {
            throw violation(Invariant.LINEARIZABLE_READ, node, "read index " + readIndex +
                " is behind index " + commitWhenStarted + " committed before the read started");
        }
    }

    /** At the end of a run: the converged leader's state holds every acknowledged write. */
    void checkFinal(final SimNode leader)
    {
        final SimStateMachine state = leader.stateMachine();
        if (state.appliedIndex() < maxAckedIndex)
        {
            throw violation(Invariant.ACKNOWLEDGED_WRITE_KEPT, leader, "final leader applied only up to " +
                state.appliedIndex() + " but a write at " + maxAckedIndex + " was acknowledged");
        }
        final LongHashSet present = state.writeIdSet();
        for (int i = 0; i < ackedWriteIds.size(); i++)
        {
            if (!present.contains(ackedWriteIds.getLong(i)))
            {
                throw violation(Invariant.ACKNOWLEDGED_WRITE_KEPT, leader,
                    "acknowledged write " + ackedWriteIds.getLong(i) + " is missing from the final state");
            }
        }
    }

    private long committedTerm(final long index)
    {
        return index < committedTerms.size() ? committedTerms.getLong((int)index) : 0;
    }

    private void setCommittedTerm(final long index, final long term)
    {
        while (committedTerms.size() <= index)
        {
            committedTerms.addLong(0);
        }
        committedTerms.setLong((int)index, term);
    }

    private static InvariantViolation violation(final Invariant invariant, final SimNode node, final String detail)
    {
        return new InvariantViolation(invariant, "n" + node.id() + ": " + detail);
    }
}
