package io.ringraft.raft;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leader's steady state on the raft stage: proposals, Ready extraction, append responses and persistence
 * feedback. Outputs belong to the caller, so the core must allocate the bytes it hands over (the Ready's
 * entries and one append per follower); this guards against anything beyond that, such as an object or an extra
 * copy per entry. Only the leader's own calls are measured, not the test harness around them.
 */
class LeaderAllocationTest
{
    private static final int BATCH = 100;
    private static final int PAYLOAD = 64;
    private static final int ENCODED_ENTRY = EntryBatch.ENTRY_HEADER_LENGTH + PAYLOAD;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private long measured;
    private long nanos;

    @Test
    void leaderAllocatesOnlyTheBytesItHandsOver()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        runBatches(cluster, payload, Integer.getInteger("warmup", 200));
        measured = 0;
        nanos = 0;
        final int batches = Integer.getInteger("batches", 500);
        runBatches(cluster, payload, batches);
        final long entries = (long)batches * BATCH;
        final double bytesPerEntry = (double)measured / entries;
        System.out.printf("leader: %.0f bytes allocated per %d-byte entry (%d encoded), %.0f ns CPU per entry%n",
            bytesPerEntry, PAYLOAD, ENCODED_ENTRY, (double)nanos / entries);
        assertThat(cluster.node(1).commitIndex()).isEqualTo(1 + (long)(Integer.getInteger("warmup", 200) + batches) * BATCH);
        // Three hand-overs per entry (the Ready and an append to each of two followers), each one buffer sized
        // in one step (growth by half again): at most one and a half times that.
        assertThat(bytesPerEntry).isLessThan(1.5 * 3 * ENCODED_ENTRY);
    }

    private void runBatches(final TestCluster cluster, final UnsafeBuffer payload, final int batches)
    {
        final RaftNode leader = cluster.node(1);
        for (int b = 0; b < batches; b++)
        {
            long start = begin();
            for (int i = 0; i < BATCH; i++)
            {
                leader.propose(payload, 0, PAYLOAD, 0);
            }
            Ready ready = leader.ready();
            end(start);
            cluster.member(1).log.persist(ready);
            start = begin();
            leader.persisted(ready.id());
            end(start);

            final List<Message> responses = new ArrayList<>();
            for (final Message m : ready.messages())
            {
                final RaftNode follower = cluster.node(m.to);
                follower.step(m);
                while (follower.hasReady())
                {
                    final Ready r = follower.ready();
                    cluster.member(m.to).log.persist(r);
                    follower.persisted(r.id());
                    responses.addAll(r.messagesAfterPersist());
                    responses.addAll(r.messages());
                    if (r.hasApply())
                    {
                        follower.applied(r.applyTo());
                    }
                }
            }
            start = begin();
            for (final Message response : responses)
            {
                leader.step(response);
            }
            ready = leader.ready();
            if (ready.hasApply())
            {
                leader.applied(ready.applyTo());
            }
            end(start);
            // Commit broadcasts: followers learn the commit, their answers are not needed here.
            for (final Message m : ready.messages())
            {
                cluster.node(m.to).step(m);
                cluster.process(m.to);
            }
            cluster.network.clear();
        }
    }

    private long begin()
    {
        nanos -= threads.getCurrentThreadCpuTime();
        return threads.getCurrentThreadAllocatedBytes();
    }

    private void end(final long start)
    {
        measured += threads.getCurrentThreadAllocatedBytes() - start;
        nanos += threads.getCurrentThreadCpuTime();
    }
}
