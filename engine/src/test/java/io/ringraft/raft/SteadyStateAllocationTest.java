package io.ringraft.raft;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steady state of a 3-member group as the raft stage drives it: proposals on the leader, Ready extraction
 * on every member, appends and responses stepped, persistence and apply feedback. The core reuses its Ready and
 * its messages, so after warm-up it must allocate nothing per entry; any object per entry (16 bytes at least)
 * or a copy of the entries into a fresh buffer breaks the bound. Only the cores' own calls are measured, on
 * this thread; the harness (the in-memory log, copying messages between members) is not.
 */
class SteadyStateAllocationTest
{
    private static final int BATCH = 100;
    private static final int PAYLOAD = 64;
    /** Less than one object per entry: what is left is per batch at most (and after warm-up, nothing). */
    private static final double MAX_BYTES_PER_ENTRY = 16;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final List<Message> inFlight = new ArrayList<>();
    private final List<Message> spare = new ArrayList<>();
    private long measured;
    private long nanos;

    @Test
    void threeMemberExchangeAllocatesNothingPerEntry()
    {
        final TestCluster cluster = new TestCluster(1, 2, 3);
        cluster.elect(1);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        final int warmup = 200;
        runBatches(cluster, payload, warmup);
        measured = 0;
        nanos = 0;
        final int batches = 300;
        runBatches(cluster, payload, batches);
        final long entries = (long)batches * BATCH;
        final double bytesPerEntry = (double)measured / entries;
        System.out.printf("3-member core exchange: %.1f bytes allocated per %d-byte entry, %.0f ns CPU per entry%n",
            bytesPerEntry, PAYLOAD, (double)nanos / entries);
        for (final int id : new int[] {1, 2, 3})
        {
            assertThat(cluster.node(id).commitIndex()).as("commit on member %d", id)
                .isEqualTo(1 + (long)(warmup + batches) * BATCH);
        }
        assertThat(bytesPerEntry).isLessThanOrEqualTo(MAX_BYTES_PER_ENTRY);
    }

    /** One round: the leader proposes a batch and replicates it, the followers persist and answer, all apply. */
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
            end(start);
            drain(cluster, 1);
            // Appends to the followers, then their responses back, then the commit broadcast, until quiet.
            for (int round = 0; round < 10 && !inFlight.isEmpty(); round++)
            {
                final List<Message> delivering = new ArrayList<>(inFlight);
                inFlight.clear();
                for (final Message m : delivering)
                {
                    start = begin();
                    cluster.node(m.to).step(m);
                    end(start);
                    drain(cluster, m.to);
                    spare.add(m);
                }
            }
            assertThat(inFlight).as("exchange settles").isEmpty();
        }
    }

    /** Handles every Ready of a member as the pipeline does; messages are copied because Readies are reused. */
    private void drain(final TestCluster cluster, final int id)
    {
        final RaftNode node = cluster.node(id);
        while (true)
        {
            long start = begin();
            final boolean has = node.hasReady();
            final Ready ready = has ? node.ready() : null;
            end(start);
            if (!has)
            {
                return;
            }
            cluster.member(id).log.persist(ready);
            copy(ready.messages());
            copy(ready.messagesAfterPersist());
            start = begin();
            if (ready.mustPersist())
            {
                node.persisted(ready.id());
            }
            if (ready.hasApply())
            {
                node.applied(ready.applyTo());
            }
            end(start);
        }
    }

    private void copy(final List<Message> messages)
    {
        for (final Message m : messages)
        {
            if (m.type == MessageType.APPEND || m.type == MessageType.APPEND_RESPONSE)
            {
                final Message copy = spare.isEmpty() ? new Message() : spare.remove(spare.size() - 1);
                inFlight.add(copy.copyFrom(m));
            }
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
