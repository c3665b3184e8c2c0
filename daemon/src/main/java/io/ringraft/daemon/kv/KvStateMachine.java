package io.ringraft.daemon.kv;

import io.ringraft.statemachine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicated KV map of one group: PUT, DELETE, COMPARE_AND_SET and GET ({@link KvCommands}) on byte keys and
 * values. Deterministic: the result of a command depends only on the map and the command, and a snapshot is the same
 * bytes for the same content (entries sorted by key), so members can compare theirs.
 * <p>
 * A malformed command is answered with a BAD_COMMAND result, never an exception: an exception would stop the apply
 * stage, and the entry is committed on every member whatever it holds. Apply allocates only to store something new: a
 * new key (its copy, and the map's entry) or a value of a new length (an overwrite of the same length is in place).
 * <p>
 * Snapshot format: {@code "RKV1"}, entry count (i64), then per entry key length (i32), value length (i32), key, value.
 */
public final class KvStateMachine implements StateMachine
{
    private static final int SNAPSHOT_MAGIC = 0x524B5631; // "RKV1"

    private final Map<ByteKey, byte[]> map = new HashMap<>();
    private final ByteKey probe = new ByteKey();
    private final KvCommandView command = new KvCommandView();

    @Override
    public int apply(final long index, final DirectBuffer payload, final int offset, final int length, final MutableDirectBuffer result)
    {
        final String problem = command.wrap(payload, offset, length);
        if (null != problem)
        {
            return KvResults.write(result, KvResults.BAD_COMMAND, problem);
        }
        final ByteKey key = probe.wrap(payload, command.keyOffset(), command.keyLength());
        switch (command.op())
        {
            case KvCommands.PUT:
                store(key, payload, command.valueOffset(), command.valueLength());
                return KvResults.write(result, KvResults.OK);
            case KvCommands.DELETE:
                return KvResults.write(result, null != map.remove(key) ? KvResults.OK : KvResults.NOT_FOUND);
            case KvCommands.COMPARE_AND_SET:
                return compareAndSet(key, payload, result);
            default:
                return get(key, result);
        }
    }

    @Override
    public int query(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer result)
    {
        final String problem = command.wrap(query, offset, length);
        if (null != problem)
        {
            return KvResults.write(result, KvResults.BAD_COMMAND, problem);
        }
        if (KvCommands.GET != command.op())
        {
            return KvResults.write(result, KvResults.BAD_COMMAND, "a read may only GET");
        }
        return get(probe.wrap(query, command.keyOffset(), command.keyLength()), result);
    }

    private int get(final ByteKey key, final MutableDirectBuffer result)
    {
        final byte[] value = map.get(key);
        return null == value ? KvResults.write(result, KvResults.NOT_FOUND) : KvResults.write(result, KvResults.OK, value);
    }

    private int compareAndSet(final ByteKey key, final DirectBuffer payload, final MutableDirectBuffer result)
    {
        final byte[] current = map.get(key);
        final boolean matches = command.expectedPresent() ?
            null != current && equal(current, payload, command.expectedOffset(), command.expectedLength()) :
            null == current;
        if (!matches)
        {
            // Without the current value: the session layer saves this result for a retry, so it stays a header; a
            // client that wants the value reads it (and a value in a saved result would be stale on replay anyway).
            return KvResults.write(result, KvResults.CAS_MISMATCH);
        }
        store(key, payload, command.valueOffset(), command.valueLength());
        return KvResults.write(result, KvResults.OK);
    }

    private void store(final ByteKey probeKey, final DirectBuffer source, final int offset, final int length)
    {
        final byte[] current = map.get(probeKey);
        if (null != current && current.length == length)
        {
            source.getBytes(offset, current);
            return;
        }
        final byte[] value = new byte[length];
        source.getBytes(offset, value);
        if (null != current)
        {
            map.put(probeKey, value); // the key in the map stays the stored copy; only the value changes
        }
        else
        {
            map.put(ByteKey.copyOf(probeKey.view(), probeKey.viewOffset(), probeKey.length()), value);
        }
    }

    private static boolean equal(final byte[] value, final DirectBuffer buffer, final int offset, final int length)
    {
        if (value.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (value[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void snapshot(final WritableByteChannel out) throws IOException
    {
        final List<ByteKey> keys = new ArrayList<>(map.keySet());
        keys.sort(null);
        final DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(out), 64 * 1024));
        data.writeInt(SNAPSHOT_MAGIC);
        data.writeLong(keys.size());
        for (final ByteKey key : keys)
        {
            final byte[] value = map.get(key);
            data.writeInt(key.length());
            data.writeInt(value.length);
            data.write(key.bytes());
            data.write(value);
        }
        data.flush();
    }

    @Override
    public void restore(final ReadableByteChannel in) throws IOException
    {
        final DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(in), 64 * 1024));
        final int magic = data.readInt();
        if (SNAPSHOT_MAGIC != magic)
        {
            throw new IOException("not a KV snapshot: magic " + Integer.toHexString(magic) + ", expected " +
                Integer.toHexString(SNAPSHOT_MAGIC));
        }
        final long count = data.readLong();
        if (count < 0)
        {
            throw new IOException("KV snapshot: negative entry count " + count);
        }
        final Map<ByteKey, byte[]> restored = new HashMap<>();
        for (long i = 0; i < count; i++)
        {
            final int keyLength = data.readInt();
            final int valueLength = data.readInt();
            if (keyLength < 1 || keyLength > KvCommands.MAX_KEY_LENGTH || valueLength < 0 ||
                valueLength > KvCommands.MAX_VALUE_LENGTH)
            {
                throw new IOException("KV snapshot entry " + i + ": key length " + keyLength + " or value length " +
                    valueLength + " out of range");
            }
            final byte[] key = new byte[keyLength];
            final byte[] value = new byte[valueLength];
            data.readFully(key);
            data.readFully(value);
            restored.put(ByteKey.owning(key), value);
        }
        if (data.read() != -1)
        {
            throw new IOException("KV snapshot: bytes after its " + count + " entries");
        }
        map.clear();
        map.putAll(restored);
    }

    /** Entries in the map; for tests and status. */
    public int size()
    {
        return map.size();
    }
}
