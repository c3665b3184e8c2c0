package io.ringraft.daemon.session;

import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvStateMachine;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steady state of open sessions allocates nothing in the session layer: commands with rising sequences and an
 * advancing respondedTo (a pipelining client keeps a window of unanswered ones), retries answered from saved results,
 * sessionless commands, reads and malformed records. The KV machine underneath overwrites values of the same length,
 * which allocates nothing either (KvApplyAllocationTest).
 */
class SessionApplyAllocationTest
{
    private static final int SESSIONS = 16;
    private static final int ROUNDS = 2_000;

    @Test
    void steadyStateCommandsOfOpenSessionsDoNotAllocate()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final SessionStateMachine machine = new SessionStateMachine(new KvStateMachine(), 64, 4_096);
        final ExpandableArrayBuffer record = new ExpandableArrayBuffer(256);
        final ExpandableArrayBuffer result = new ExpandableArrayBuffer(256);
        final UnsafeBuffer[] puts = new UnsafeBuffer[SESSIONS];
        final UnsafeBuffer[] gets = new UnsafeBuffer[SESSIONS];
        for (int s = 0; s < SESSIONS; s++)
        {
            puts[s] = new UnsafeBuffer(KvCommands.put(bytes("key-" + s), bytes("value-" + (1000 + s))));
            gets[s] = new UnsafeBuffer(KvCommands.get(bytes("key-" + s)));
        }
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[]{1, 77, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9});
        final long[] sessionIds = new long[SESSIONS];
        final long[] sequences = new long[SESSIONS];

        long index = 0;
        long timestamp = 1_000_000;
        for (int s = 0; s < SESSIONS; s++)
        {
            final int length = SessionRecords.encodeOpen(record, 0, s, 60_000);
            machine.apply(++index, ++timestamp, record, 0, length, result); // an open allocates its session, by design
            sessionIds[s] = index;
        }
        long allocated = 0;
        long entries = 0;
        for (int pass = 0; pass < 2; pass++) // the first pass warms up (and compiles) the code paths, fills the rings
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            entries = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                for (int s = 0; s < SESSIONS; s++)
                {
                    final long sequence = ++sequences[s];
                    final long window = 1 + s % 8; // up to 8 unanswered: some sessions' rings double once
                    final long respondedTo = Math.max(0, sequence - window);
                    int length = SessionRecords.encodeCommand(
                        record, 0, sessionIds[s], sequence, respondedTo, puts[s], 0, puts[s].capacity());
                    machine.apply(++index, ++timestamp, record, 0, length, result);
                    if (sequence > 1) // the previous one's answer was lost: its retry is replayed
                    {
                        length = SessionRecords.encodeCommand(
                            record, 0, sessionIds[s], sequence - 1, respondedTo, puts[s], 0, puts[s].capacity());
                        machine.apply(++index, ++timestamp, record, 0, length, result);
                        entries++;
                    }
                    length = SessionRecords.encodeCommand(
                        record, 0, SessionRecords.NO_SESSION, 0, 0, puts[s], 0, puts[s].capacity());
                    machine.apply(++index, ++timestamp, record, 0, length, result);
                    machine.query(gets[s], 0, gets[s].capacity(), result);
                    entries += 3;
                }
                machine.apply(++index, ++timestamp, garbage, 0, garbage.capacity(), result);
                entries++;
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertThat(allocated).as("bytes allocated over %d entries and reads", entries).isLessThan(1024);
        assertThat(machine.sessions()).isEqualTo(SESSIONS);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
