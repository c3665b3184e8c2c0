package io.ringraft.daemon.sim;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

/**
 * Every entry any member applied, by group and index, as a digest of its payload and a digest of the whole applied
 * sequence up to it (a chain): a second member applying a different entry at an index breaks state machine safety,
 * a different chain at an equal index means different replica states, an acknowledged write whose index holds
 * another entry was lost. Also each member's applied index, to check order and exactly-once.
 */
final class ApplyLedger
{
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final Long2LongHashMap[] entryDigest;
    private final Long2LongHashMap[] chainDigest;
    private final Long2LongHashMap[] acknowledged;
    /** Per group, by session and sequence, the index of the entry at which the command was applied. */
    private final Long2LongHashMap[] commandApplied;
    private final long[][] applied;
    private final long[][] chain;
    /**
     * The first violation seen. Most are found inside a stage (an apply), which logs what its state machine throws
     * and stops; the simulation reads it from here after every stage run.
     */
    private PropertyViolation firstViolation;

    ApplyLedger(final int groups, final int maxMemberId)
    {
        entryDigest = new Long2LongHashMap[groups];
        chainDigest = new Long2LongHashMap[groups];
        acknowledged = new Long2LongHashMap[groups];
        commandApplied = new Long2LongHashMap[groups];
        for (int g = 0; g < groups; g++)
        {
            entryDigest[g] = new Long2LongHashMap(UNKNOWN);
            chainDigest[g] = new Long2LongHashMap(UNKNOWN);
            acknowledged[g] = new Long2LongHashMap(UNKNOWN);
            commandApplied[g] = new Long2LongHashMap(UNKNOWN);
        }
        applied = new long[maxMemberId + 1][groups];
        chain = new long[maxMemberId + 1][groups];
    }

    /** A member starts (or restarts) with its state machine empty: applied index 0, empty chain. */
    void started(final int member)
    {
        java.util.Arrays.fill(applied[member], 0);
        java.util.Arrays.fill(chain[member], 0);
    }

    void applied(final int member, final int group, final long index, final DirectBuffer payload, final int offset,
        final int length)
    {
        // Only NORMAL entries reach the state machine (no-ops and configuration changes do not): indexes only rise.
        if (index <= applied[member][group])
        {
            throw violated(new PropertyViolation(Property.APPLY_ORDER, "member " + member + " group " + group +
                " applied index " + index + " after " + applied[member][group]));
        }
        final long digest = digest(payload, offset, length);
        final long known = entryDigest[group].get(index);
        if (UNKNOWN == known)
        {
            entryDigest[group].put(index, digest);
        }
        else if (known != digest)
        {
            throw violated(new PropertyViolation(Property.STATE_MACHINE_SAFETY, "member " + member + " group " + group +
                " applied a different entry at index " + index + " than another member"));
        }
        final long ack = acknowledged[group].get(index);
        if (UNKNOWN != ack && ack != digest)
        {
            throw violated(new PropertyViolation(Property.ACKNOWLEDGED_WRITE_KEPT, "member " + member + " group " +
                group + " applied another entry at index " + index + " than the write acknowledged there"));
        }
        applied[member][group] = index;
        chain[member][group] = chain[member][group] * 0x9E3779B97F4A7C15L + digest;
        checkChain(member, group, index, chain[member][group]);
    }

    /**
     * The session layer let the command of {@code (sessionId, sequence)} through to the KV state machine, at the entry
     * of {@code index}. A correct layer does so at one index only, the first committed entry carrying it, on every
     * member and in every life (a member that restarts applies the same entries again); at a second index the command
     * took effect twice.
     */
    void appliedCommand(final int member, final int group, final long index, final long sessionId,
        final long sequence)
    {
        final long key = sessionId << 32 ^ sequence;
        final long first = commandApplied[group].get(key);
        if (UNKNOWN == first)
        {
            commandApplied[group].put(key, index);
        }
        else if (first != index)
        {
            throw violated(new PropertyViolation(Property.EXACTLY_ONCE, "member " + member + " group " + group +
                " applied sequence " + sequence + " of session " + sessionId + " at index " + index +
                " after it was applied at index " + first));
        }
    }

    /** A member's state machine was replaced by a snapshot at {@code index}. */
    void restored(final int member, final int group, final long index)
    {
        if (index < applied[member][group])
        {
            throw violated(new PropertyViolation(Property.APPLY_ORDER, "member " + member + " group " + group +
                " restored a snapshot at " + index + " below its applied index " + applied[member][group]));
        }
        applied[member][group] = index;
        final long known = chainDigest[group].get(index);
        chain[member][group] = known;
    }

    private void checkChain(final int member, final int group, final long index, final long digest)
    {
        if (UNKNOWN == digest)
        {
            return;
        }
        final long known = chainDigest[group].get(index);
        if (UNKNOWN == known)
        {
            chainDigest[group].put(index, digest);
        }
        else if (known != digest)
        {
            throw violated(new PropertyViolation(Property.REPLICAS_EQUAL, "member " + member + " group " + group +
                " reached index " + index + " through other entries than another member"));
        }
    }

    /** A client was told OK for the write with this payload at {@code index}. */
    void acknowledged(final int group, final long index, final byte[] payload)
    {
        final long digest = digest(new org.agrona.concurrent.UnsafeBuffer(payload), 0, payload.length);
        final long applied = entryDigest[group].get(index);
        if (UNKNOWN != applied && applied != digest)
        {
            throw violated(new PropertyViolation(Property.ACKNOWLEDGED_WRITE_KEPT, "group " + group +
                " acknowledged a write at index " + index + " where another entry was applied"));
        }
        acknowledged[group].put(index, digest);
    }

    PropertyViolation violated(final PropertyViolation violation)
    {
        if (null == firstViolation)
        {
            firstViolation = violation;
        }
        return violation;
    }

    PropertyViolation firstViolation()
    {
        return firstViolation;
    }

    long appliedIndex(final int member, final int group)
    {
        return applied[member][group];
    }

    private static long digest(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = 0xCBF29CE484222325L ^ length;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ buffer.getByte(offset + i)) * 0x100000001B3L;
        }
        return h;
    }
}
