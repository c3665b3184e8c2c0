package io.ringraft.daemon.sim;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.pipeline.GroupStorage;
import io.ringraft.pipeline.testing.ForwardingGroupStorage;
import io.ringraft.raft.AppliedMembership;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.SnapshotToInstall;
import org.agrona.DirectBuffer;

import java.util.HashMap;
import java.util.Map;

/**
 * Checks {@link Property#SNAPSHOT_MEMBERSHIP} where a snapshot reaches the disk: one a member takes must record the
 * configuration in force at its index, which the simulation works out from what the member holds (its previous
 * snapshot's configuration changed by the configuration entries of its log up to the index: all committed, as the
 * index is applied); and every snapshot of an index, taken or installed, on any member, records the same one. A member
 * restored from a snapshot starts with its configuration: a wrong one gives it other voters than its peers had there.
 */
final class SnapshotConfigurations
{
    private final ApplyLedger ledger;
    private final Membership bootstrap;
    /** Per group: the configuration recorded by a snapshot of each index, as text (a canonical form). */
    private final Map<Long, String>[] recorded;

    @SuppressWarnings("unchecked")
    SnapshotConfigurations(final int groups, final Membership bootstrap, final ApplyLedger ledger)
    {
        this.ledger = ledger;
        this.bootstrap = bootstrap;
        recorded = new Map[groups];
        for (int g = 0; g < groups; g++)
        {
            recorded[g] = new HashMap<>();
        }
    }

    /** Wraps the storage the member's stages write through (under any planted bug, so it sees what reaches disk). */
    GroupStorage checking(final int member, final int group, final GroupStorage storage)
    {
        return new ForwardingGroupStorage(storage)
        {
            @Override
            public void saveSnapshot(final long index, final long term, final Membership membership,
                final DirectBuffer data, final int offset, final int length)
            {
                final Membership expected = configurationAt(storage, index);
                if (null != expected && !expected.toString().equals(String.valueOf(membership)))
                {
                    throw ledger.violated(new PropertyViolation(Property.SNAPSHOT_MEMBERSHIP, "m" + member +
                        " group " + group + " took a snapshot at index " + index + " recording " + membership +
                        " where its log's configuration at that index is " + expected));
                }
                record(member, group, index, membership, "took");
                super.saveSnapshot(index, term, membership, data, offset, length);
            }

            @Override
            public void installSnapshot(final SnapshotToInstall snapshot)
            {
                record(member, group, snapshot.index(), snapshot.membership(), "installed");
                super.installSnapshot(snapshot);
            }
        };
    }

    private void record(final int member, final int group, final long index, final Membership membership,
        final String how)
    {
        final String configuration = String.valueOf(membership);
        final String known = recorded[group].putIfAbsent(index, configuration);
        if (null != known && !known.equals(configuration))
        {
            throw ledger.violated(new PropertyViolation(Property.SNAPSHOT_MEMBERSHIP, "m" + member + " group " +
                group + " " + how + " a snapshot at index " + index + " recording " + configuration +
                " where another snapshot of that index recorded " + known));
        }
    }

    /** The configuration at {@code index} from the member's newest snapshot and its log; null if it cannot tell. */
    private Membership configurationAt(final GroupStorage storage, final long index)
    {
        final SnapshotSource base = storage.snapshots().newest();
        final LogReader reader = storage.reader();
        if (base.index() > index || reader.firstIndex() > base.index() + 1 || reader.lastIndex() < index)
        {
            return null;
        }
        final AppliedMembership configuration = new AppliedMembership(
            0 == base.index() || null == base.membership() ? bootstrap : base.membership());
        long next = base.index() + 1;
        while (next <= index)
        {
            final long last = reader.read(next, index, Long.MAX_VALUE,
                (entryIndex, entryTerm, type, timestamp, payload, offset, length) ->
                {
                    if (EntryType.CONF_CHANGE == type)
                    {
                        configuration.apply(payload, offset, length);
                    }
                });
            if (last < next)
            {
                return null;
            }
            next = last + 1;
        }
        return configuration.membership();
    }
}
