package io.ringraft.daemon.kv;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KvStateMachineTest
{
    private final KvStateMachine machine = new KvStateMachine();
    private final ExpandableArrayBuffer result = new ExpandableArrayBuffer(16);
    private long index;

    @Test
    void putGetOverwriteDelete()
    {
        assertThat(code(apply(KvCommands.get(b("k"))))).isEqualTo(KvResults.NOT_FOUND);
        assertThat(code(apply(KvCommands.put(b("k"), b("v1"))))).isEqualTo(KvResults.OK);
        assertThat(value(apply(KvCommands.get(b("k"))))).isEqualTo(b("v1"));
        assertThat(value(query(KvCommands.get(b("k"))))).isEqualTo(b("v1"));
        apply(KvCommands.put(b("k"), b("v2"))); // same length: in place
        assertThat(value(query(KvCommands.get(b("k"))))).isEqualTo(b("v2"));
        apply(KvCommands.put(b("k"), b("longer value")));
        assertThat(value(query(KvCommands.get(b("k"))))).isEqualTo(b("longer value"));
        apply(KvCommands.put(b("empty"), new byte[0]));
        assertThat(value(query(KvCommands.get(b("empty"))))).isEmpty();
        assertThat(machine.size()).isEqualTo(2);
        assertThat(code(apply(KvCommands.delete(b("k"))))).isEqualTo(KvResults.OK);
        assertThat(code(apply(KvCommands.delete(b("k"))))).isEqualTo(KvResults.NOT_FOUND);
        assertThat(code(query(KvCommands.get(b("k"))))).isEqualTo(KvResults.NOT_FOUND);
        assertThat(machine.size()).isEqualTo(1);
    }

    @Test
    void compareAndSet()
    {
        assertThat(code(apply(KvCommands.compareAndSet(b("k"), null, b("a"))))).isEqualTo(KvResults.OK);
        final byte[] absentFailed = apply(KvCommands.compareAndSet(b("k"), null, b("b")));
        assertThat(code(absentFailed)).isEqualTo(KvResults.CAS_MISMATCH);
        // A mismatch carries no value: it is what the session layer saves for a retry, so it stays header-sized.
        assertThat(value(absentFailed)).isNull();
        assertThat(absentFailed).hasSize(KvResults.HEADER_LENGTH);
        final byte[] wrong = apply(KvCommands.compareAndSet(b("k"), b("x"), b("b")));
        assertThat(code(wrong)).isEqualTo(KvResults.CAS_MISMATCH);
        assertThat(value(wrong)).isNull();
        assertThat(code(apply(KvCommands.compareAndSet(b("k"), b("a"), b("b"))))).isEqualTo(KvResults.OK);
        assertThat(value(query(KvCommands.get(b("k"))))).isEqualTo(b("b"));
        final byte[] missing = apply(KvCommands.compareAndSet(b("nope"), b("a"), b("b")));
        assertThat(code(missing)).isEqualTo(KvResults.CAS_MISMATCH);
        assertThat(value(missing)).isNull();
    }

    @Test
    void badCommandsGetAnErrorResultNotAnException()
    {
        final byte[] valid = KvCommands.put(b("key"), b("value"));
        assertBad(new byte[0], "shorter than its 16-byte header");
        assertBad(Arrays.copyOf(valid, 10), "shorter than its 16-byte header");
        assertBad(Arrays.copyOf(valid, valid.length - 1), "lengths do not add up");
        assertBad(Arrays.copyOf(valid, valid.length + 1), "lengths do not add up");
        assertBad(with(valid, 0, (byte)9), "unknown command version");
        assertBad(with(valid, 1, (byte)77), "unknown op");
        assertBad(withInt(valid, 4, 0), "key length outside");
        assertBad(withInt(valid, 4, Integer.MAX_VALUE), "key length outside");
        assertBad(withInt(valid, 8, -5), "value length outside");
        assertBad(withInt(valid, 8, Integer.MAX_VALUE - 2), "value length outside");
        assertBad(with(KvCommands.delete(b("k")), 2, (byte)1), "do not fit the op");
        final Random random = new Random(42);
        for (int i = 0; i < 2_000; i++)
        {
            final byte[] garbage = new byte[random.nextInt(40)];
            random.nextBytes(garbage);
            apply(garbage); // must not throw
        }
        assertThat(machine.size()).isZero();
        final byte[] putAsRead = query(KvCommands.put(b("k"), b("v")));
        assertThat(KvResults.describe(putAsRead)).isEqualTo("BAD_COMMAND: a read may only GET");
        assertThat(machine.size()).isZero();
    }

    @Test
    void snapshotRestoresTheSameMapAndIsDeterministic() throws IOException
    {
        final Random random = new Random(7);
        final KvStateMachine other = new KvStateMachine();
        for (int i = 0; i < 500; i++)
        {
            final byte[] key = b("key-" + random.nextInt(200));
            final byte[] command;
            switch (random.nextInt(4))
            {
                case 0: command = KvCommands.delete(key); break;
                case 1: command = KvCommands.compareAndSet(key, null, b("cas-" + i)); break;
                default: command = KvCommands.put(key, b("value-" + i));
            }
            apply(command);
        }
        // The same content reached in another order must snapshot to the same bytes.
        final byte[] snapshot = snapshot(machine);
        other.restore(Channels.newChannel(new ByteArrayInputStream(snapshot)));
        assertThat(snapshot(other)).isEqualTo(snapshot);
        assertThat(other.size()).isEqualTo(machine.size()).isPositive();
        for (int k = 0; k < 200; k++)
        {
            final byte[] get = KvCommands.get(b("key-" + k));
            assertThat(queryOn(other, get)).isEqualTo(query(get));
        }

        final KvStateMachine reversed = new KvStateMachine();
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(16);
        for (int k = 199; k >= 0; k--)
        {
            final byte[] value = value(queryOn(other, KvCommands.get(b("key-" + k))));
            if (null != value)
            {
                final byte[] put = KvCommands.put(b("key-" + k), value);
                reversed.apply(k, new UnsafeBuffer(put), 0, put.length, scratch);
            }
        }
        assertThat(snapshot(reversed)).isEqualTo(snapshot);
    }

    @Test
    void restoreReplacesEverythingAndRejectsGarbage() throws IOException
    {
        apply(KvCommands.put(b("a"), b("1")));
        final byte[] snapshot = snapshot(machine);
        apply(KvCommands.put(b("b"), b("2")));
        machine.restore(Channels.newChannel(new ByteArrayInputStream(snapshot)));
        assertThat(machine.size()).isEqualTo(1);
        assertThat(code(query(KvCommands.get(b("b"))))).isEqualTo(KvResults.NOT_FOUND);

        assertThatThrownBy(() -> machine.restore(Channels.newChannel(new ByteArrayInputStream(b("garbage!!!!!")))))
            .isInstanceOf(IOException.class).hasMessageContaining("not a KV snapshot");
        assertThatThrownBy(() -> machine.restore(Channels.newChannel(
            new ByteArrayInputStream(Arrays.copyOf(snapshot, snapshot.length - 1))))).isInstanceOf(IOException.class);
        assertThat(machine.size()).isEqualTo(1);
    }

    private void assertBad(final byte[] command, final String reason)
    {
        final byte[] answer = apply(command);
        assertThat(KvResults.describe(answer)).startsWith("BAD_COMMAND: ").contains(reason);
        assertThat(code(answer)).isEqualTo(KvResults.BAD_COMMAND);
        assertThat(KvResults.describe(query(command))).contains(reason);
    }

    private byte[] apply(final byte[] command)
    {
        final int length = machine.apply(++index, new UnsafeBuffer(command), 0, command.length, result);
        return Arrays.copyOf(result.byteArray(), length);
    }

    private byte[] query(final byte[] query)
    {
        return queryOn(machine, query);
    }

    private static byte[] queryOn(final KvStateMachine target, final byte[] query)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        final int length = target.query(new UnsafeBuffer(query), 0, query.length, out);
        return Arrays.copyOf(out.byteArray(), length);
    }

    private static byte[] snapshot(final KvStateMachine target) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        target.snapshot(Channels.newChannel(out));
        return out.toByteArray();
    }

    private static int code(final byte[] answer)
    {
        return KvResults.code(answer);
    }

    private static byte[] value(final byte[] answer)
    {
        return KvResults.value(answer);
    }

    private static byte[] with(final byte[] bytes, final int at, final byte value)
    {
        final byte[] copy = bytes.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] withInt(final byte[] bytes, final int at, final int value)
    {
        final byte[] copy = bytes.clone();
        new UnsafeBuffer(copy).putInt(at, value, KvCommands.ORDER);
        return copy;
    }

    private static byte[] b(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
