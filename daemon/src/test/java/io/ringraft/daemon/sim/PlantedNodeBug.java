package io.ringraft.daemon.sim;

import io.ringraft.log.sim.SimDisk;
import io.ringraft.pipeline.GroupStorage;
import io.ringraft.pipeline.testing.ForwardingGroupStorage;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.Membership;
import io.ringraft.raft.RaftConfig;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.testing.PlantedBug;
import org.agrona.DirectBuffer;

/**
 * Bugs the whole-node simulation must catch, each the twin of one found in this project (see the durability issue)
 * or a classic: planted in test code only, through the seams a real node has (its core's safety rules, its storage,
 * its disk), on every member.
 */
enum PlantedNodeBug
{
    NONE,
    /** The core's: votes granted without the log check. */
    GRANT_VOTE_WITHOUT_LOG_CHECK(PlantedBug.GRANT_VOTE_WITHOUT_LOG_CHECK, Property.STATE_MACHINE_SAFETY,
        Property.ACKNOWLEDGED_WRITE_KEPT, Property.REPLICAS_EQUAL, Property.LINEARIZABLE, Property.ELECTION_SAFETY,
        Property.LIVENESS),
    /**
     * The core's: an old term's entry committed by counting replicas (Raft paper, figure 8); reached by the seeds with
     * {@link FigureEightFaults}. Members that applied the replaced entries may also never converge again.
     */
    COMMIT_BY_COUNTING_OLD_TERM(PlantedBug.COMMIT_BY_COUNTING_OLD_TERM, Property.STATE_MACHINE_SAFETY,
        Property.ACKNOWLEDGED_WRITE_KEPT, Property.REPLICAS_EQUAL, Property.LINEARIZABLE, Property.LIVENESS),
    /** The core's: a persist acknowledgement trusted for entries cut and written again since (issue 13, 5). */
    STALE_ACKNOWLEDGEMENT(PlantedBug.STALE_ACKNOWLEDGEMENT, Property.STATE_MACHINE_SAFETY,
        Property.ACKNOWLEDGED_WRITE_KEPT, Property.REPLICAS_EQUAL, Property.LINEARIZABLE, Property.APPLY_ORDER),
    /** The core's: a new leader serving reads before its first commit of the term (issue 13, 1: the -1 read index). */
    SERVE_READ_BEFORE_COMMIT_IN_TERM(PlantedBug.SERVE_READ_BEFORE_COMMIT_IN_TERM, Property.LINEARIZABLE),
    /** Acknowledge an append before its fsync: forces make nothing durable, a crash keeps only what chance wrote. */
    ACK_BEFORE_FSYNC(null, Property.ACKNOWLEDGED_WRITE_KEPT, Property.LINEARIZABLE, Property.STATE_MACHINE_SAFETY,
        Property.SYNCED_STATE_KEPT_OR_REPAIRED, Property.LIVENESS)
    {
        @Override
        void configureDisk(final SimDisk disk)
        {
            disk.ignoreForces(true);
        }
    },
    /**
     * Recovery that cuts synced records (a damaged tail) and starts as if the log were whole: the repair that
     * recovery reports is hidden from the core, which votes with the shortened log.
     */
    CUT_SYNCED_RECORDS_AT_RECOVERY(null, Property.SYNCED_STATE_KEPT_OR_REPAIRED, Property.STATE_MACHINE_SAFETY,
        Property.ACKNOWLEDGED_WRITE_KEPT, Property.LINEARIZABLE)
    {
        @Override
        GroupStorage wrapStorage(final GroupStorage storage)
        {
            return hideRepair(storage, false);
        }
    },
    /** A lost or empty hard state taken for a new member's: term 0, no vote, voting again in terms it voted in. */
    EMPTY_HARD_STATE_AS_NEW(null, Property.SYNCED_STATE_KEPT_OR_REPAIRED, Property.ELECTION_SAFETY,
        Property.STATE_MACHINE_SAFETY)
    {
        @Override
        GroupStorage wrapStorage(final GroupStorage storage)
        {
            return hideRepair(storage, true);
        }
    },
    /**
     * A snapshot records the configuration of an earlier index than its own: the previous snapshot's, so that the
     * configuration changes applied since are lost to a member that restarts from it or installs it. The twin of
     * issue 13, observation 6 (the configuration captured when the snapshot was asked for, the snapshot taken at a
     * later applied index, past a committed change), planted where the snapshot reaches the disk.
     */
    SNAPSHOT_MEMBERSHIP_AT_WRONG_INDEX(null, Property.SNAPSHOT_MEMBERSHIP)
    {
        @Override
        GroupStorage wrapStorage(final GroupStorage storage)
        {
            return new ForwardingGroupStorage(storage)
            {
                @Override
                public void saveSnapshot(final long index, final long term, final Membership membership,
                    final DirectBuffer data, final int offset, final int length)
                {
                    final SnapshotSource previous = snapshots().newest();
                    final Membership earlier = 0 == previous.index() || null == previous.membership() ? membership :
                        previous.membership();
                    super.saveSnapshot(index, term, earlier, data, offset, length);
                }
            };
        }
    };

    private final PlantedBug core;
    private final java.util.Set<Property> expected;

    PlantedNodeBug()
    {
        this((PlantedBug)null);
    }

    PlantedNodeBug(final PlantedBug core, final Property... expected)
    {
        this.core = core;
        this.expected = java.util.Set.of(expected);
    }

    /** The properties this bug may break first; a planted-bug test insists on one of them. */
    java.util.Set<Property> expectedProperties()
    {
        return expected;
    }

    void configureDisk(final SimDisk disk)
    {
    }

    GroupStorage wrapStorage(final GroupStorage storage)
    {
        return storage;
    }

    void configureCore(final RaftConfig config)
    {
        if (null != core)
        {
            core.plantIn(config);
        }
    }

    private static GroupStorage hideRepair(final GroupStorage storage, final boolean hardStateLost)
    {
        return new ForwardingGroupStorage(storage)
        {
            @Override
            public LogRepair repair()
            {
                final LogRepair repair = super.repair();
                return repair.hardStateLost() == hardStateLost ? LogRepair.NONE : repair;
            }
        };
    }
}
