package io.ringraft.daemon.kv;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Apply allocates only to store something new: overwrites of a value with one of the same length, reads, deletes of
 * absent keys, failed compare-and-sets and malformed commands allocate nothing.
 */
class KvApplyAllocationTest
{
    private static final int KEYS = 64;
    private static final int ROUNDS = 2_000;

    @Test
    void steadyStateApplyAndQueryDoNotAllocate()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final KvStateMachine machine = new KvStateMachine();
        final ExpandableArrayBuffer result = new ExpandableArrayBuffer(1024);
        final UnsafeBuffer[] puts = new UnsafeBuffer[KEYS];
        final UnsafeBuffer[] gets = new UnsafeBuffer[KEYS];
        final UnsafeBuffer[] casMisses = new UnsafeBuffer[KEYS];
        for (int k = 0; k < KEYS; k++)
        {
            puts[k] = new UnsafeBuffer(KvCommands.put(bytes("key-" + k), bytes("value-" + (1000 + k))));
            gets[k] = new UnsafeBuffer(KvCommands.get(bytes("key-" + k)));
            casMisses[k] = new UnsafeBuffer(KvCommands.compareAndSet(bytes("key-" + k), bytes("nope"), bytes("x")));
        }
        final UnsafeBuffer deleteAbsent = new UnsafeBuffer(KvCommands.delete(bytes("absent")));
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[]{1, 77, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9});

        long index = 0;
        for (int k = 0; k < KEYS; k++)
        {
            machine.apply(++index, puts[k], 0, puts[k].capacity(), result); // first store: allocates, by design
        }
        long allocated = 0;
        for (int pass = 0; pass < 2; pass++) // the first pass warms up (and compiles) the code paths
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int round = 0; round < ROUNDS; round++)
            {
                for (int k = 0; k < KEYS; k++)
                {
                    machine.apply(++index, puts[k], 0, puts[k].capacity(), result);
                    machine.apply(++index, gets[k], 0, gets[k].capacity(), result);
                    machine.query(gets[k], 0, gets[k].capacity(), result);
                    machine.apply(++index, casMisses[k], 0, casMisses[k].capacity(), result);
                }
                machine.apply(++index, deleteAbsent, 0, deleteAbsent.capacity(), result);
                machine.apply(++index, garbage, 0, garbage.capacity(), result);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        final long operations = (long)ROUNDS * (KEYS * 4 + 2);
        assertThat(allocated).as("bytes allocated over %d operations", operations).isLessThan(1024);
        assertThat(machine.size()).isEqualTo(KEYS);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
