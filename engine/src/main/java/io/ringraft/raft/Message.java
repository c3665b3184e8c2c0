package io.ringraft.raft;

import org.agrona.ExpandableArrayBuffer;

/**
 * One peer message, mutable so that decoders and the core can reuse instances. Field meaning depends on
 * {@link #type}, mirroring the SBE schema (see each field). The wire codec maps it one to one.
 * <p>
 * Ownership: {@link RaftNode#step(Message)} reads a message during the call only, so the caller may reuse it
 * afterwards. Messages the core puts into a {@link Ready} are the core's, reused after the next
 * {@link RaftNode#ready()}: a caller that keeps one longer keeps a copy ({@link #copyFrom}).
 */
public final class Message
{
    public MessageType type;
    public int clusterId;
    public int groupId;
    public int from;
    public int to;
    public long term;

    /**
     * APPEND: prevLogIndex. VOTE_REQUEST: lastLogIndex. APPEND_RESPONSE: index (see schema).
     * SNAPSHOT / SNAPSHOT_RESPONSE: snapshot index. READ_INDEX_RESPONSE: read index.
     */
    public long index;
    /** APPEND: prevLogTerm. VOTE_REQUEST: lastLogTerm. SNAPSHOT: snapshot term. */
    public long logTerm;
    /** APPEND: leaderCommit. HEARTBEAT: commit. VOTE_REQUEST, VOTE_RESPONSE: the sender's commit index. */
    public long commit;
    /** VOTE_REQUEST, VOTE_RESPONSE: term of the sender's entry at commit, 0 when it tells none. */
    public long commitTerm;

    /** VOTE_RESPONSE: !granted. APPEND_RESPONSE, SNAPSHOT_RESPONSE: rejected. */
    public boolean reject;
    /** APPEND_RESPONSE when rejected: the follower's last index that may match. */
    public long rejectHint;
    /** APPEND_RESPONSE when rejected: term of the follower's entry at rejectHint. */
    public long conflictTerm;

    /** VOTE_REQUEST, VOTE_RESPONSE. */
    public boolean preVote;
    /** VOTE_REQUEST sent after TIMEOUT_NOW: voters ignore their lease. */
    public boolean leadershipTransfer;
    /**
     * READ_INDEX, READ_INDEX_RESPONSE: the client's read context. HEARTBEAT, HEARTBEAT_RESPONSE (echoed): the
     * leader's heartbeat round id, which confirms pending reads and, for leases, tells when it was sent.
     */
    public long context;

    /** APPEND: the entries, consecutive from index + 1. */
    // Empty until used: heartbeats, votes and responses carry no entries, so they allocate no buffer.
    public final EntryBatch entries = new EntryBatch(0);

    /** SNAPSHOT: offset of this chunk; SNAPSHOT_RESPONSE: bytes received so far (next offset). */
    public long chunkOffset;
    /** SNAPSHOT: total length of the snapshot data. */
    public long totalLength;
    /** SNAPSHOT: last chunk. SNAPSHOT_RESPONSE: installed and durable. */
    public boolean done;
    /** SNAPSHOT: the configuration at the snapshot index. */
    public Membership membership;
    /** SNAPSHOT: chunk bytes, {@link #chunkLength} of them. */
    public final ExpandableArrayBuffer chunk = new ExpandableArrayBuffer(0);
    public int chunkLength;

    public Message reset()
    {
        type = null;
        clusterId = 0;
        groupId = 0;
        from = 0;
        to = 0;
        term = 0;
        index = 0;
        logTerm = 0;
        commit = 0;
        commitTerm = 0;
        reject = false;
        rejectHint = 0;
        conflictTerm = 0;
        preVote = false;
        leadershipTransfer = false;
        context = 0;
        entries.clear();
        chunkOffset = 0;
        totalLength = 0;
        done = false;
        membership = null;
        chunkLength = 0;
        return this;
    }

    /** Copies every field of {@code other} into this message (entries and chunk bytes included). */
    public Message copyFrom(final Message other)
    {
        copyHeaderFrom(other);
        entries.copyFrom(other.entries.encodedBuffer(), 0, other.entries.encodedLength());
        chunkLength = other.chunkLength;
        if (chunkLength > 0)
        {
            chunk.putBytes(0, other.chunk, 0, chunkLength);
        }
        return this;
    }

    /**
     * Copies every field of {@code other} except its bytes: the entries are left empty and the chunk length 0, for
     * a caller that carries the bytes elsewhere.
     */
    public Message copyHeaderFrom(final Message other)
    {
        type = other.type;
        clusterId = other.clusterId;
        groupId = other.groupId;
        from = other.from;
        to = other.to;
        term = other.term;
        index = other.index;
        logTerm = other.logTerm;
        commit = other.commit;
        commitTerm = other.commitTerm;
        reject = other.reject;
        rejectHint = other.rejectHint;
        conflictTerm = other.conflictTerm;
        preVote = other.preVote;
        leadershipTransfer = other.leadershipTransfer;
        context = other.context;
        entries.clear();
        chunkOffset = other.chunkOffset;
        totalLength = other.totalLength;
        done = other.done;
        membership = other.membership;
        chunkLength = 0;
        return this;
    }

    @Override
    public String toString()
    {
        return type + "{g=" + groupId + " " + from + "->" + to + " t=" + term + " i=" + index + " lt=" + logTerm +
            " c=" + commit + (reject ? " REJECT hint=" + rejectHint + " ct=" + conflictTerm : "") +
            (preVote ? " pre" : "") + (context != 0 ? " ctx=" + context : "") +
            (entries.isEmpty() ? "" : " entries=[" + entries.firstIndex() + ".." + entries.lastIndex() + "]") + "}";
    }
}
