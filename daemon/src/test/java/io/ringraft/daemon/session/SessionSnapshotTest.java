package io.ringraft.daemon.session;

import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvResults;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static io.ringraft.daemon.session.SessionStateMachineTest.b;
import static io.ringraft.daemon.session.SessionStateMachineTest.kvCode;
import static io.ringraft.daemon.session.SessionStateMachineTest.outcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The session table in snapshots: kept across a restore, the same bytes on every replica, bad input refused. */
class SessionSnapshotTest
{
    private static final long TIMEOUT_MS = 10_000;

    @Test
    void aRestoredReplicaKeepsSessionsSavedResultsAndLogTime() throws IOException
    {
        final Replica leader = new Replica();
        final long session = leader.open(1_000, TIMEOUT_MS);
        final long idle = leader.open(1_001, 2_000);
        leader.command(1_002, session, 1, 0, KvCommands.put(b("k"), b("a")));
        final byte[] cas = KvCommands.compareAndSet(b("k"), b("a"), b("b"));
        leader.command(1_003, session, 2, 1, cas);
        final byte[] snapshot = leader.snapshot();

        final Replica restored = new Replica();
        restored.restore(snapshot, leader.lastIndex());

        assertThat(restored.snapshot()).isEqualTo(snapshot);
        assertThat(restored.machine.sessions()).isEqualTo(2);
        assertThat(restored.machine.logTime()).isEqualTo(1_003);
        final byte[] retry = restored.command(1_004, session, 2, 1, cas);
        assertThat(outcome(retry)).isEqualTo(SessionOutcome.REPLAYED);
        assertThat(kvCode(retry)).isEqualTo(KvResults.OK);
        assertThat(outcome(restored.command(1_005, session, 1, 0, KvCommands.put(b("k"), b("a")))))
            .isEqualTo(SessionOutcome.ANSWER_DISCARDED);
        assertThat(restored.kvApplies()).isZero();
        assertThat(KvResults.value(restored.query(KvCommands.get(b("k"))))).isEqualTo(b("b"));
        assertThat(outcome(restored.command(3_002, idle, 1, 0, KvCommands.delete(b("x")))))
            .as("expiry continues from the snapshot's log time").isEqualTo(SessionOutcome.SESSION_UNKNOWN);
    }

    @Test
    void replicasFedTheSameLogHaveByteIdenticalSnapshots() throws IOException
    {
        final Replica a = new Replica(8, 4);
        final Replica b = new Replica(8, 4);
        Replica c = null;
        final Random random = new Random(15);
        final RandomLog log = new RandomLog(random);
        for (int i = 0; i < 5_000; i++)
        {
            final byte[] payload = log.next(a.lastIndex() + 1);
            final long timestamp = log.timestamp();
            final byte[] fromA = a.raw(timestamp, payload);
            assertThat(b.raw(timestamp, payload)).isEqualTo(fromA);
            if (null != c)
            {
                assertThat(c.raw(timestamp, payload)).as("entry %d on the restored replica", a.lastIndex())
                    .isEqualTo(fromA);
            }
            log.answered(fromA);
            if (i == 2_500)
            {
                c = new Replica(8, 4);
                c.restore(a.snapshot(), a.lastIndex());
            }
        }
        assertThat(log.outcomes()).as("the log exercised every outcome").doesNotContain(0);
        assertThat(b.snapshot()).isEqualTo(a.snapshot());
        assertThat(c.snapshot()).isEqualTo(a.snapshot());
    }

    @Test
    void restoreRefusesBadInputNamingWhatIsWrongAndKeepsItsState() throws IOException
    {
        final Replica source = new Replica();
        final long session = source.open(1_000, TIMEOUT_MS);
        source.command(1_001, session, 1, 0, KvCommands.put(b("k"), b("v")));
        final byte[] good = source.snapshot();
        final Replica target = new Replica();
        target.restore(good, source.lastIndex());

        assertRefused(target, new byte[5], "shorter than its 12-byte header");
        assertRefused(target, withInt(good, 0, 0x12345678), "not a session snapshot: magic 12345678");
        assertRefused(target, withInt(good, 4, 2), "session snapshot version 2 is not supported");
        assertRefused(target, withInt(good, 8, 3), "table length 3 is shorter than its own header");
        assertRefused(target, Arrays.copyOf(good, 30), "the table ends before its declared length");
        assertRefused(target, withInt(good, 8 + 12, -1), "negative session count -1");
        assertRefused(target, withLong(good, 12 + 12, 0), "has id 0, not a log index");
        assertRefused(target, withLong(good, 12 + 12 + 8, 10), "has timeout 10 ms, outside [1000, 3600000]");
        assertRefused(target, withLong(good, 12 + 12 + 24, 1), "sequence 1 after 1 (sequences must rise");
        assertRefused(target, withInt(good, 12 + 12 + 32 + 4 + 8, 1_000_000), "result of 1000000 bytes");
        final int tableLength = ByteBuffer.wrap(good).getInt(8);
        assertRefused(target, withInt(good, 8, tableLength - 1), "more than the table holds");
        assertRefused(target, withInt(good, 8, tableLength + 4), "bytes left after the table's 1 sessions");
        assertRefused(target, withInt(good, 12 + tableLength, 0), "not a KV snapshot"); // the inner machine's own check

        assertThat(target.snapshot()).as("unchanged by the refused restores").isEqualTo(good);
        assertThat(outcome(target.command(1_002, session, 1, 0, KvCommands.put(b("k"), b("v")))))
            .isEqualTo(SessionOutcome.REPLAYED);
    }

    private static void assertRefused(final Replica target, final byte[] snapshot, final String problem)
    {
        assertThatThrownBy(() -> target.restore(snapshot, 0))
            .isInstanceOf(IOException.class).hasMessageContaining(problem);
    }

    private static byte[] withInt(final byte[] bytes, final int at, final int value)
    {
        final byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    private static byte[] withLong(final byte[] bytes, final int at, final long value)
    {
        final byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putLong(at, value);
        return copy;
    }
}
