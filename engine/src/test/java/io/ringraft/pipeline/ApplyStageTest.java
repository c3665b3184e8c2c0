package io.ringraft.pipeline;

import org.agrona.concurrent.SystemNanoClock;
import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.pipeline.testing.ApplyHook;
import io.ringraft.pipeline.testing.Gate;
import io.ringraft.pipeline.testing.RecordingStateMachine;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.EntryVisitor;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotSource;
import io.ringraft.raft.SnapshotToInstall;
import io.ringraft.raft.testing.MemoryLog;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The apply stage on its own, driven directly, over a log whose reads can be made to misbehave. */
class ApplyStageTest
{
    @TempDir
    Path dir;

    /**
     * LogReader#read may visit an entry and still return before it (a truncation began during the visit). The
     * apply stage acts on every visit, so it must carry on after what it applied, never apply an entry twice.
     */
    @Test
    void anEntryVisitedButNotCountedByTheReadIsAppliedOnce()
    {
        final MemoryLog log = new MemoryLog();
        final EntryBatch batch = new EntryBatch();
        for (long index = 1; index <= 10; index++)
        {
            final byte[] payload = ClusterBasicsTest.payload(index);
            batch.append(index, 1, EntryType.NORMAL, 0, new UnsafeBuffer(payload), 0, payload.length);
        }
        log.append(batch);
        final LogReader undercounting = new LogReader()
        {
            private int reads;

            public long snapshotIndex()
            {
                return log.snapshotIndex();
            }

            public long snapshotTerm()
            {
                return log.snapshotTerm();
            }

            public long lastIndex()
            {
                return log.lastIndex();
            }

            public long term(final long index)
            {
                return log.term(index);
            }

            public long read(final long fromIndex, final long toIndex, final long maxBytes, final EntryVisitor visitor)
            {
                final long visited = log.read(fromIndex, toIndex, maxBytes, visitor);
                return ++reads == 1 ? visited - 1 : visited; // the first read does not count its last entry
            }
        };
        final RecordingStateMachine machine = new RecordingStateMachine(0, ApplyHook.NONE, new Gate());
        try (NodeCounters counters = new NodeCounters(dir, 1, new int[]{1}, 1))
        {
            final ApplyStage stage = new ApplyStage(new StateMachine[]{machine},
                new GroupStorage[]{new ReaderOnlyStorage(undercounting)}, new PendingProposals[]{new PendingProposals(16)},
                new long[]{0}, Membership.ofVoters(1), counters, null, 1024, SystemNanoClock.INSTANCE);

            assertThat(stage.apply(0, 1, 10)).isEqualTo(10);
            assertThat(machine.firstViolation()).as("in order, once each").isNull();
            assertThat(machine.applyCount()).isEqualTo(10);
        }
    }

    /** Storage whose only use here is its reader. */
    private record ReaderOnlyStorage(LogReader reader) implements GroupStorage
    {
        public SnapshotSource snapshots()
        {
            return null;
        }

        public HardState hardState()
        {
            throw new UnsupportedOperationException();
        }

        public void append(final EntryBatch entries)
        {
            throw new UnsupportedOperationException();
        }

        public void saveHardState(final HardState hardState)
        {
            throw new UnsupportedOperationException();
        }

        public void installSnapshot(final SnapshotToInstall snapshot)
        {
            throw new UnsupportedOperationException();
        }

        public void saveSnapshot(
            final long index, final long term, final Membership membership, final DirectBuffer data, final int offset,
            final int length)
        {
            throw new UnsupportedOperationException();
        }

        public void compactPrefix(final long index)
        {
            throw new UnsupportedOperationException();
        }

        public void force()
        {
            throw new UnsupportedOperationException();
        }

        public void close()
        {
        }
    }
}
