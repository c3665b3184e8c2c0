package io.ringraft.wire;

import io.ringraft.codecs.sbe.*;
import io.ringraft.raft.EntryVisitor;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Maps the core's {@link Message} to and from the SBE peer messages, one template per {@link MessageType}.
 * Encodes straight into the caller's buffer (an Aeron claim, a ring slot) and decodes into a reused
 * {@link Message}; no allocation on either path except for a snapshot chunk's membership.
 * <p>
 * {@link #decode} trusts its input: a frame from the network must pass {@code Frames.validatePeer} first.
 * Not thread safe: one instance per thread.
 */
public final class PeerMessageCodec
{
    /** Header, fixed block, group header and var-data length prefixes, generously rounded. */
    private static final int FIXED_OVERHEAD = 128;
    /** Per entry: group block (index, term, type, timestamp) plus the payload length prefix. */
    private static final int PER_ENTRY_OVERHEAD = 32;

    /** The SBE group count is a uint16: the core caps the entries of one append at this. */
    public static final int MAX_ENTRIES_PER_APPEND = AppendEntriesEncoder.EntriesEncoder.countMaxValue();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    private final RequestVoteEncoder requestVoteEncoder = new RequestVoteEncoder();
    private final VoteResponseEncoder voteResponseEncoder = new VoteResponseEncoder();
    private final AppendEntriesEncoder appendEncoder = new AppendEntriesEncoder();
    private final AppendResponseEncoder appendResponseEncoder = new AppendResponseEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final HeartbeatResponseEncoder heartbeatResponseEncoder = new HeartbeatResponseEncoder();
    private final InstallSnapshotEncoder snapshotEncoder = new InstallSnapshotEncoder();
    private final InstallSnapshotResponseEncoder snapshotResponseEncoder = new InstallSnapshotResponseEncoder();
    private final TimeoutNowEncoder timeoutNowEncoder = new TimeoutNowEncoder();
    private final ReadIndexRequestEncoder readIndexEncoder = new ReadIndexRequestEncoder();
    private final ReadIndexResponseEncoder readIndexResponseEncoder = new ReadIndexResponseEncoder();

    private final RequestVoteDecoder requestVoteDecoder = new RequestVoteDecoder();
    private final VoteResponseDecoder voteResponseDecoder = new VoteResponseDecoder();
    private final AppendEntriesDecoder appendDecoder = new AppendEntriesDecoder();
    private final AppendResponseDecoder appendResponseDecoder = new AppendResponseDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final HeartbeatResponseDecoder heartbeatResponseDecoder = new HeartbeatResponseDecoder();
    private final InstallSnapshotDecoder snapshotDecoder = new InstallSnapshotDecoder();
    private final InstallSnapshotResponseDecoder snapshotResponseDecoder = new InstallSnapshotResponseDecoder();
    private final TimeoutNowDecoder timeoutNowDecoder = new TimeoutNowDecoder();
    private final ReadIndexRequestDecoder readIndexDecoder = new ReadIndexRequestDecoder();
    private final ReadIndexResponseDecoder readIndexResponseDecoder = new ReadIndexResponseDecoder();

    private final MembershipCodec membershipCodec = new MembershipCodec();
    private final ExpandableDirectByteBuffer membershipScratch = new ExpandableDirectByteBuffer(256);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final EntryWriter entryWriter = new EntryWriter();

    /** An upper bound on the bytes {@link #encode} writes for this message, for sizing a claim or buffer. */
    public static int maxEncodedLength(final Message message)
    {
        return FIXED_OVERHEAD + message.entries.count() * PER_ENTRY_OVERHEAD + (int)message.entries.payloadBytes() +
            message.chunkLength + (null == message.membership ? 0 : 64 + 4 * 4 * message.membership.allMembers().length);
    }

    /**
     * The exact number of bytes {@link #encode} writes for this message. A sender that encodes in place (an Aeron
     * {@code tryClaim}) must claim exactly this much: a claim cannot shrink, and a receiver rejects trailing bytes.
     */
    public static int encodedLength(final Message message)
    {
        final int header = MessageHeaderEncoder.ENCODED_LENGTH;
        return switch (message.type)
        {
            case VOTE_REQUEST -> header + RequestVoteEncoder.BLOCK_LENGTH;
            case VOTE_RESPONSE -> header + VoteResponseEncoder.BLOCK_LENGTH;
            case APPEND -> header + AppendEntriesEncoder.BLOCK_LENGTH + AppendEntriesEncoder.EntriesEncoder.HEADER_SIZE +
                message.entries.count() * (AppendEntriesEncoder.EntriesEncoder.sbeBlockLength() +
                AppendEntriesEncoder.EntriesEncoder.payloadHeaderLength()) + (int)message.entries.payloadBytes();
            case APPEND_RESPONSE -> header + AppendResponseEncoder.BLOCK_LENGTH;
            case HEARTBEAT -> header + HeartbeatEncoder.BLOCK_LENGTH;
            case HEARTBEAT_RESPONSE -> header + HeartbeatResponseEncoder.BLOCK_LENGTH;
            case SNAPSHOT -> header + InstallSnapshotEncoder.BLOCK_LENGTH +
                InstallSnapshotEncoder.membershipHeaderLength() +
                (null == message.membership ? 0 : MembershipCodec.encodedLength(message.membership)) +
                InstallSnapshotEncoder.chunkHeaderLength() + message.chunkLength;
            case SNAPSHOT_RESPONSE -> header + InstallSnapshotResponseEncoder.BLOCK_LENGTH;
            case TIMEOUT_NOW -> header + TimeoutNowEncoder.BLOCK_LENGTH;
            case READ_INDEX -> header + ReadIndexRequestEncoder.BLOCK_LENGTH;
            case READ_INDEX_RESPONSE -> header + ReadIndexResponseEncoder.BLOCK_LENGTH;
        };
    }

    /**
     * Encodes {@code message} at {@code offset}; the buffer must have {@link #maxEncodedLength} bytes free.
     *
     * @return the encoded length, SBE message header included.
     */
    public int encode(final Message message, final MutableDirectBuffer buffer, final int offset)
    {
        final int bodyLength;
        switch (message.type)
        {
            case VOTE_REQUEST ->
            {
                header(requestVoteEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                requestVoteEncoder.lastLogIndex(message.index).lastLogTerm(message.logTerm)
                    .preVote(bool(message.preVote)).leadershipTransfer(bool(message.leadershipTransfer))
                    .commit(message.commit).commitTerm(message.commitTerm);
                bodyLength = requestVoteEncoder.encodedLength();
            }
            case VOTE_RESPONSE ->
            {
                header(voteResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                voteResponseEncoder.granted(bool(!message.reject)).preVote(bool(message.preVote))
                    .commit(message.commit).commitTerm(message.commitTerm);
                bodyLength = voteResponseEncoder.encodedLength();
            }
            case APPEND ->
            {
                header(appendEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                appendEncoder.prevLogIndex(message.index).prevLogTerm(message.logTerm).leaderCommit(message.commit);
                if (message.entries.count() > MAX_ENTRIES_PER_APPEND)
                {
                    throw new IllegalArgumentException("an append carries at most " + MAX_ENTRIES_PER_APPEND +
                        " entries (SBE group count), got " + message.entries.count());
                }
                entryWriter.group = appendEncoder.entriesCount(message.entries.count());
                message.entries.forEach(entryWriter);
                bodyLength = appendEncoder.encodedLength();
            }
            case APPEND_RESPONSE ->
            {
                header(appendResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                appendResponseEncoder.reject(bool(message.reject)).index(message.index)
                    .rejectHint(message.rejectHint).conflictTerm(message.conflictTerm);
                bodyLength = appendResponseEncoder.encodedLength();
            }
            case HEARTBEAT ->
            {
                header(heartbeatEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                heartbeatEncoder.commit(message.commit).readContext(message.context);
                bodyLength = heartbeatEncoder.encodedLength();
            }
            case HEARTBEAT_RESPONSE ->
            {
                header(heartbeatResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                heartbeatResponseEncoder.readContext(message.context);
                bodyLength = heartbeatResponseEncoder.encodedLength();
            }
            case SNAPSHOT ->
            {
                header(snapshotEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                snapshotEncoder.snapshotIndex(message.index).snapshotTerm(message.logTerm)
                    .chunkOffset(message.chunkOffset).totalLength(message.totalLength).done(bool(message.done));
                if (null == message.membership)
                {
                    snapshotEncoder.putMembership(membershipScratch, 0, 0);
                }
                else
                {
                    final int length = membershipCodec.encode(message.membership, message.index, membershipScratch, 0);
                    snapshotEncoder.putMembership(membershipScratch, 0, length);
                }
                snapshotEncoder.putChunk(message.chunk, 0, message.chunkLength);
                bodyLength = snapshotEncoder.encodedLength();
            }
            case SNAPSHOT_RESPONSE ->
            {
                header(snapshotResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                snapshotResponseEncoder.snapshotIndex(message.index).nextOffset(message.chunkOffset)
                    .reject(bool(message.reject)).done(bool(message.done));
                bodyLength = snapshotResponseEncoder.encodedLength();
            }
            case TIMEOUT_NOW ->
            {
                header(timeoutNowEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                bodyLength = timeoutNowEncoder.encodedLength();
            }
            case READ_INDEX ->
            {
                header(readIndexEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                readIndexEncoder.readContext(message.context);
                bodyLength = readIndexEncoder.encodedLength();
            }
            case READ_INDEX_RESPONSE ->
            {
                header(readIndexResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).header(), message);
                readIndexResponseEncoder.readContext(message.context).readIndex(message.index);
                bodyLength = readIndexResponseEncoder.encodedLength();
            }
            default -> throw new IllegalArgumentException("cannot encode message type " + message.type);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
    }

    /**
     * Decodes a validated peer frame into {@code into} (reset first).
     *
     * @return false when the template is not a peer message (the caller counts and drops it).
     */
    public boolean decode(final DirectBuffer buffer, final int offset, final Message into)
    {
        headerDecoder.wrap(buffer, offset);
        final MessageType type = MessageType.fromTemplateId(headerDecoder.templateId());
        if (null == type)
        {
            return false;
        }
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        into.reset();
        into.type = type;
        switch (type)
        {
            case VOTE_REQUEST ->
            {
                final RequestVoteDecoder d = requestVoteDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.index = d.lastLogIndex();
                into.logTerm = d.lastLogTerm();
                into.preVote = d.preVote() == BooleanType.TRUE;
                into.leadershipTransfer = d.leadershipTransfer() == BooleanType.TRUE;
                if (version >= RequestVoteDecoder.commitSinceVersion())
                {
                    // A version 1 sender tells no commit: 0 teaches the voter nothing.
                    into.commit = d.commit();
                    into.commitTerm = d.commitTerm();
                }
            }
            case VOTE_RESPONSE ->
            {
                final VoteResponseDecoder d = voteResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.reject = d.granted() != BooleanType.TRUE;
                into.preVote = d.preVote() == BooleanType.TRUE;
                if (version >= VoteResponseDecoder.commitSinceVersion())
                {
                    // A version 1 sender tells no commit: 0 teaches the candidate nothing.
                    into.commit = d.commit();
                    into.commitTerm = d.commitTerm();
                }
            }
            case APPEND ->
            {
                final AppendEntriesDecoder d = appendDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.index = d.prevLogIndex();
                into.logTerm = d.prevLogTerm();
                into.commit = d.leaderCommit();
                for (final AppendEntriesDecoder.EntriesDecoder entry : d.entries())
                {
                    final long index = entry.index();
                    final long term = entry.term();
                    final EntryType entryType = entry.entryType();
                    final long timestamp = entry.timestamp();
                    entry.wrapPayload(view);
                    into.entries.append(index, term, entryType, timestamp, view, 0, view.capacity());
                }
            }
            case APPEND_RESPONSE ->
            {
                final AppendResponseDecoder d = appendResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.reject = d.reject() == BooleanType.TRUE;
                into.index = d.index();
                into.rejectHint = d.rejectHint();
                into.conflictTerm = d.conflictTerm();
            }
            case HEARTBEAT ->
            {
                final HeartbeatDecoder d = heartbeatDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.commit = d.commit();
                into.context = d.readContext();
            }
            case HEARTBEAT_RESPONSE ->
            {
                final HeartbeatResponseDecoder d = heartbeatResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.context = d.readContext();
            }
            case SNAPSHOT ->
            {
                final InstallSnapshotDecoder d = snapshotDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.index = d.snapshotIndex();
                into.logTerm = d.snapshotTerm();
                into.chunkOffset = d.chunkOffset();
                into.totalLength = d.totalLength();
                into.done = d.done() == BooleanType.TRUE;
                d.wrapMembership(view);
                into.membership = view.capacity() > 0 ? membershipCodec.decode(view, 0) : null;
                d.wrapChunk(view);
                into.chunkLength = view.capacity();
                into.chunk.putBytes(0, view, 0, into.chunkLength);
            }
            case SNAPSHOT_RESPONSE ->
            {
                final InstallSnapshotResponseDecoder d =
                    snapshotResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.index = d.snapshotIndex();
                into.chunkOffset = d.nextOffset();
                into.reject = d.reject() == BooleanType.TRUE;
                into.done = d.done() == BooleanType.TRUE;
            }
            case TIMEOUT_NOW -> header(timeoutNowDecoder.wrap(buffer, bodyOffset, blockLength, version).header(), into);
            case READ_INDEX ->
            {
                final ReadIndexRequestDecoder d = readIndexDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.context = d.readContext();
            }
            case READ_INDEX_RESPONSE ->
            {
                final ReadIndexResponseDecoder d = readIndexResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
                header(d.header(), into);
                into.context = d.readContext();
                into.index = d.readIndex();
            }
            default -> throw new IllegalStateException("unhandled peer message type " + type);
        }
        return true;
    }

    private static void header(final PeerHeaderEncoder header, final Message message)
    {
        header.clusterId(message.clusterId).groupId(message.groupId).fromMember(message.from).toMember(message.to)
            .term(message.term);
    }

    private static void header(final PeerHeaderDecoder header, final Message into)
    {
        into.clusterId = header.clusterId();
        into.groupId = header.groupId();
        into.from = header.fromMember();
        into.to = header.toMember();
        into.term = header.term();
    }

    private static BooleanType bool(final boolean value)
    {
        return value ? BooleanType.TRUE : BooleanType.FALSE;
    }

    /** A reusable visitor so encoding an append allocates nothing per entry. */
    private static final class EntryWriter implements EntryVisitor
    {
        AppendEntriesEncoder.EntriesEncoder group;

        @Override
        public void visit(
            final long index, final long term, final EntryType type, final long timestamp,
            final DirectBuffer payload, final int offset, final int length)
        {
            group.next().index(index).term(term).entryType(type).timestamp(timestamp).putPayload(payload, offset, length);
        }
    }
}
