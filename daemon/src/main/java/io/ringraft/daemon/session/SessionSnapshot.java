package io.ringraft.daemon.session;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The session layer's part of a snapshot, written before the user state machine's own bytes. Big-endian, like the
 * KV snapshot:
 * <pre>
 *   i32  magic "RSS1"
 *   i32  version (1)
 *   i32  length of the table that follows, in bytes: the user state machine's bytes start right after it
 *   table:
 *     i64  log time
 *     i32  session count
 *     per session, least recently used first:
 *       i64 id, i64 timeout ms, i64 log time of last use, i64 respondedTo, i32 saved result count
 *       per saved result, sequences increasing: i64 sequence, i32 length, the result's bytes
 * </pre>
 * The same table gives the same bytes, so replicas can compare snapshots. The length prefix lets a restore read
 * exactly its part of the channel and hand the rest to the user state machine.
 */
final class SessionSnapshot
{
    static final int MAGIC = 0x52535331; // "RSS1"
    static final int VERSION = 1;
    private static final int HEADER_LENGTH = 3 * Integer.BYTES;

    /** What a snapshot restores: the table and the log time. */
    static final class Restored
    {
        final SessionTable table;
        final long logTime;

        Restored(final SessionTable table, final long logTime)
        {
            this.table = table;
            this.logTime = logTime;
        }
    }

    private SessionSnapshot()
    {
    }

    static void write(final WritableByteChannel out, final SessionTable table, final long logTime) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 64 * table.size());
        final DataOutputStream data = new DataOutputStream(bytes);
        data.writeLong(logTime);
        data.writeInt(table.size());
        for (Session session = table.oldest(); null != session; session = session.newer)
        {
            data.writeLong(session.id);
            data.writeLong(session.timeoutMs);
            data.writeLong(session.lastUsedLogTime);
            data.writeLong(session.respondedTo);
            final SavedResults saved = session.saved;
            data.writeInt(saved.count());
            for (int i = 0; i < saved.count(); i++)
            {
                data.writeLong(saved.sequence(i));
                data.writeInt(saved.length(i));
                data.write(saved.array(i), 0, saved.length(i));
            }
        }
        data.flush();
        if (bytes.size() > Integer.MAX_VALUE - HEADER_LENGTH)
        {
            throw new IOException("session table of " + bytes.size() + " bytes is too large for a snapshot");
        }
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).putInt(MAGIC).putInt(VERSION).putInt(bytes.size());
        writeFully(out, header.flip());
        writeFully(out, ByteBuffer.wrap(bytes.toByteArray()));
    }

    private static void writeFully(final WritableByteChannel out, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            out.write(buffer);
        }
    }

    /**
     * Reads exactly the session layer's part of {@code in}, leaving the channel at the user state machine's bytes.
     *
     * @throws IOException naming what is wrong when the bytes are not a session table this build can read.
     */
    static Restored read(final ReadableByteChannel in, final int maxSessions) throws IOException
    {
        // Unbuffered for the fixed header: nothing past it may be consumed before its length is known.
        final DataInputStream header = new DataInputStream(Channels.newInputStream(in));
        final int magic;
        final int version;
        final int length;
        try
        {
            magic = header.readInt();
            version = header.readInt();
            length = header.readInt();
        }
        catch (final EOFException ex)
        {
            throw new IOException("session snapshot: shorter than its " + HEADER_LENGTH + "-byte header", ex);
        }
        if (MAGIC != magic)
        {
            throw new IOException("not a session snapshot: magic " + Integer.toHexString(magic) + ", expected " +
                Integer.toHexString(MAGIC) + " (was it written by a build without the session layer?)");
        }
        if (VERSION != version)
        {
            throw new IOException("session snapshot version " + version + " is not supported: this build reads " +
                VERSION);
        }
        if (length < Long.BYTES + Integer.BYTES)
        {
            throw new IOException("session snapshot: table length " + length + " is shorter than its own header");
        }
        final Bounded bounded = new Bounded(Channels.newInputStream(in), length);
        final DataInputStream data = new DataInputStream(new BufferedInputStream(bounded, 64 * 1024));
        try
        {
            final Restored restored = readTable(data, bounded, maxSessions);
            if (bounded.remaining > 0 || data.available() > 0)
            {
                throw new IOException("session snapshot: bytes left after the table's " + restored.table.size() +
                    " sessions (declared length " + length + ")");
            }
            return restored;
        }
        catch (final EOFException ex)
        {
            throw new IOException("session snapshot: the table ends before its declared length " + length +
                " (truncated or damaged)", ex);
        }
    }

    private static Restored readTable(final DataInputStream data, final Bounded bounded, final int maxSessions)
        throws IOException
    {
        final long logTime = data.readLong();
        final int count = data.readInt();
        if (count < 0)
        {
            throw new IOException("session snapshot: negative session count " + count);
        }
        final SessionTable table = new SessionTable(maxSessions);
        for (int s = 0; s < count; s++)
        {
            final long id = data.readLong();
            final long timeoutMs = data.readLong();
            final long lastUsedLogTime = data.readLong();
            final long respondedTo = data.readLong();
            final int saved = data.readInt();
            if (id <= 0 || null != table.get(id))
            {
                throw new IOException("session snapshot: session " + s + " has id " + id +
                    (id <= 0 ? ", not a log index" : ", which an earlier session has"));
            }
            if (timeoutMs < SessionStateMachine.MIN_TIMEOUT_MS || timeoutMs > SessionStateMachine.MAX_TIMEOUT_MS)
            {
                throw new IOException("session snapshot: session " + id + " has timeout " + timeoutMs +
                    " ms, outside [" + SessionStateMachine.MIN_TIMEOUT_MS + ", " + SessionStateMachine.MAX_TIMEOUT_MS +
                    "]");
            }
            if (respondedTo < 0 || saved < 0)
            {
                throw new IOException("session snapshot: session " + id + " has respondedTo " + respondedTo +
                    " and " + saved + " saved results; neither may be negative");
            }
            final Session session = new Session(id, timeoutMs, lastUsedLogTime);
            session.respondedTo = respondedTo;
            long previous = respondedTo;
            for (int r = 0; r < saved; r++)
            {
                final long sequence = data.readLong();
                final int resultLength = data.readInt();
                if (sequence <= previous)
                {
                    throw new IOException("session snapshot: session " + id + " saves sequence " + sequence +
                        " after " + previous + " (sequences must rise, above respondedTo " + respondedTo + ")");
                }
                if (resultLength < 0 || resultLength > bounded.remaining + data.available())
                {
                    throw new IOException("session snapshot: session " + id + " sequence " + sequence +
                        " has a result of " + resultLength + " bytes, more than the table holds");
                }
                final byte[] result = new byte[resultLength];
                data.readFully(result);
                session.saved.append(sequence, result);
                previous = sequence;
            }
            table.add(session);
        }
        return new Restored(table, logTime);
    }

    /** Reads at most {@code remaining} bytes of a stream: the user state machine's bytes stay in the channel. */
    private static final class Bounded extends InputStream
    {
        private final InputStream in;
        private long remaining;

        Bounded(final InputStream in, final long remaining)
        {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException
        {
            if (remaining <= 0)
            {
                return -1;
            }
            final int b = in.read();
            if (b >= 0)
            {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(final byte[] buffer, final int offset, final int length) throws IOException
        {
            if (remaining <= 0)
            {
                return -1;
            }
            final int read = in.read(buffer, offset, (int)Math.min(length, remaining));
            if (read > 0)
            {
                remaining -= read;
            }
            return read;
        }
    }
}
