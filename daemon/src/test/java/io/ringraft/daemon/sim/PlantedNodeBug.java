package io.ringraft.daemon.sim;

import io.ringraft.log.sim.SimDisk;
import io.ringraft.pipeline.GroupStorage;
import io.ringraft.pipeline.testing.ForwardingGroupStorage;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.RaftConfig;
import io.ringraft.raft.testing.PlantedBug;

/**
 * Bugs the whole-node simulation must catch, each the twin of one found in this project (see the durability issue)
 * or a classic: planted in test code only, through the seams a real node has (its core's safety rules, its storage,
 * its disk), on every member.
 */
enum PlantedNodeBug
{
    NONE,
    /** The core's: votes granted without the log check. */
    GRANT_VOTE_WITHOUT_LOG_CHECK(PlantedBug.GRANT_VOTE_WITHOUT_LOG_CHECK),
    /** The core's: an old term's entry committed by counting replicas (Raft paper, figure 8). */
    COMMIT_BY_COUNTING_OLD_TERM(PlantedBug.COMMIT_BY_COUNTING_OLD_TERM),
    /** The core's: a persist acknowledgement trusted for entries cut and written again since (issue 13, 5). */
    STALE_ACKNOWLEDGEMENT(PlantedBug.STALE_ACKNOWLEDGEMENT),
    /** The core's: a new leader serving reads before its first commit of the term (issue 13, 1: the -1 read index). */
    SERVE_READ_BEFORE_COMMIT_IN_TERM(PlantedBug.SERVE_READ_BEFORE_COMMIT_IN_TERM),
    /** Acknowledge an append before its fsync: forces make nothing durable, a crash keeps only what chance wrote. */
    ACK_BEFORE_FSYNC
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
    CUT_SYNCED_RECORDS_AT_RECOVERY
    {
        @Override
        GroupStorage wrapStorage(final GroupStorage storage)
        {
            return hideRepair(storage, false);
        }
    },
    /** A lost or empty hard state taken for a new member's: term 0, no vote, voting again in terms it voted in. */
    EMPTY_HARD_STATE_AS_NEW
    {
        @Override
        GroupStorage wrapStorage(final GroupStorage storage)
        {
            return hideRepair(storage, true);
        }
    };

    private final PlantedBug core;

    PlantedNodeBug()
    {
        this(null);
    }

    PlantedNodeBug(final PlantedBug core)
    {
        this.core = core;
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
