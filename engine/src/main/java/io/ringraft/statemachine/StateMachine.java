package io.ringraft.statemachine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The user's replicated state machine of one Raft group. Every method is called from the node's apply stage
 * only, one group at a time, so an implementation needs no synchronisation; it may take as long as it likes
 * (heartbeats do not wait for it), but while it runs no other group of the node applies.
 * <p>
 * Zero copy both ways: inputs are views valid only during the call; results are written into a buffer the
 * pipeline reuses.
 */
public interface StateMachine extends AutoCloseable
{
    /**
     * Applies the committed entry at {@code index}; called exactly once per entry, in index order.
     *
     * @param result where to write the answer handed to the proposer (it grows as needed).
     * @return the number of result bytes written at offset 0 of {@code result}.
     */
    int apply(long index, DirectBuffer payload, int offset, int length, MutableDirectBuffer result);

    /**
     * Applies the committed entry at {@code index} written by a leader whose wall clock read {@code timestamp} (ms
     * since the epoch) when it appended the entry; this is what the pipeline calls. The timestamp is in the log, so
     * every replica sees the same one: a state machine may base decisions on it (expiry by log time) and stay
     * deterministic, which it may not on its own member's clock. Leaders' clocks differ, so timestamps may go
     * backwards across a change of leader; the default ignores the timestamp.
     *
     * @see #apply(long, DirectBuffer, int, int, MutableDirectBuffer)
     */
    default int apply(
        final long index, final long timestamp, final DirectBuffer payload, final int offset, final int length,
        final MutableDirectBuffer result)
    {
        return apply(index, payload, offset, length, result);
    }

    /**
     * Answers a read-only query against the state that includes every entry up to the read's index.
     *
     * @return the number of result bytes written at offset 0 of {@code result}.
     */
    int query(DirectBuffer query, int offset, int length, MutableDirectBuffer result);

    /** Writes the whole state (as of the last applied index) so that {@link #restore} can rebuild it. */
    void snapshot(WritableByteChannel out) throws IOException;

    /** Replaces the whole state with one written by {@link #snapshot}. */
    void restore(ReadableByteChannel in) throws IOException;

    @Override
    default void close()
    {
    }
}
