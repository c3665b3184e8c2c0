package io.ringraft.pipeline;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.pipeline.testing.ForwardingGroupStorage;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.Membership;
import io.ringraft.raft.testing.MemoryLog;
import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The state machine is given each entry's timestamp, the leader's clock as written in the log. */
class ApplyTimestampTest
{
    @TempDir
    Path dir;

    @Test
    void theStateMachineSeesTheTimestampOfEachEntry()
    {
        final MemoryLog log = new MemoryLog();
        final EntryBatch batch = new EntryBatch();
        final byte[] payload = {1, 2, 3};
        for (long index = 1; index <= 4; index++)
        {
            batch.append(index, 1, EntryType.NORMAL, 1_000 * index + 7, new UnsafeBuffer(payload), 0, payload.length);
        }
        log.append(batch);
        final List<Long> timestamps = new ArrayList<>();
        final StateMachine machine = new StateMachine()
        {
            public int apply(final long index, final DirectBuffer data, final int offset, final int length,
                final MutableDirectBuffer result)
            {
                timestamps.add(-1L); // called without a timestamp
                return 0;
            }

            public int apply(final long index, final long timestamp, final DirectBuffer data, final int offset,
                final int length, final MutableDirectBuffer result)
            {
                timestamps.add(timestamp);
                return 0;
            }

            public int query(
                final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
            {
                return 0;
            }

            public void snapshot(final WritableByteChannel out)
            {
            }

            public void restore(final ReadableByteChannel in)
            {
            }
        };
        try (NodeCounters counters = new NodeCounters(dir, 1, new int[]{1}, 1))
        {
            final GroupStorage storage = new ForwardingGroupStorage(null)
            {
                public LogReader reader()
                {
                    return log;
                }
            };
            final ApplyStage stage = new ApplyStage(new StateMachine[]{machine}, new GroupStorage[]{storage},
                new PendingProposals[]{new PendingProposals(16)}, new long[]{0}, Membership.ofVoters(1), counters, null,
                1024, SystemNanoClock.INSTANCE);

            assertThat(stage.apply(0, 1, 4)).isEqualTo(4);
        }
        assertThat(timestamps).containsExactly(1_007L, 2_007L, 3_007L, 4_007L);
    }
}
