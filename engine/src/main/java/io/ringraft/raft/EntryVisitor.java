package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.DirectBuffer;

/**
 * Receives log entries without copying them: the payload view is valid only for the duration of the call.
 */
@FunctionalInterface
public interface EntryVisitor
{
    void visit(long index, long term, EntryType type, long timestamp, DirectBuffer payload, int offset, int length);
}
