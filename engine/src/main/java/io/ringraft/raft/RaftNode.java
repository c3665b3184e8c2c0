package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.List;

/**
 * One Raft group on one member: a pure, deterministic state machine in the style of etcd-raft's RawNode.
 * No threads, no clock, no I/O; every input is a method call and every output comes out of {@link #ready()}.
 * <p>
 * CONTRACT (the pipeline, the simulator and the tests rely on it; change it only together with them):
 * <ul>
 *     <li>Construction: {@code new RaftNode(config, log, snapshots, hardState, bootstrap)} restores from durable
 *     state only: the hard state, the {@link LogReader} (snapshot index/term and durable entries) and the
 *     newest snapshot. The membership is derived from the snapshot and the conf-change entries of the log:
 *     the snapshot's configuration, or {@code bootstrap} when there is no snapshot, with the log's later
 *     conf-change entries applied on top (so pass the same bootstrap on every start). A trailing
 *     {@link LogRepair} reports synced records recovery could not keep: the commit is then clamped to the log,
 *     and the member keeps out of elections (no vote, no pre-vote, no campaign, TIMEOUT_NOW ignored) until its
 *     durable log proves it holds what it may have acknowledged ({@link LogRepairGate}), see {@link #repairing()}.
 *     </li>
 *     <li>Inputs: {@link #tick()}, {@link #step(Message)}, {@link #propose}, {@link #proposeConfChange},
 *     {@link #readIndex(long)}, {@link #transferLeadership(int)}, and feedback {@link #persisted(long)},
 *     {@link #applied(long)}, {@link #snapshotTaken(long, long)}.</li>
 *     <li>Outputs: while {@link #hasReady()}, call {@link #ready()} and handle the {@link Ready} as its
 *     documentation says. Readies that must persist are persisted FIFO; {@link #persisted(long)} with a
 *     Ready's id confirms it and every earlier one.</li>
 *     <li>Durability rules: the node counts its own vote and its own log for commit only once persisted;
 *     vote and append responses are in {@link Ready#messagesAfterPersist()}; only locally durable
 *     entries are handed out to apply.</li>
 *     <li>Stale or foreign messages (lower term, other cluster or group, unknown member) are dropped and
 *     counted ({@link #droppedMessages()}), never thrown.</li>
 * </ul>
 * Implementation choices:
 * <ul>
 *     <li>Membership: a member joining later must be given the group's original bootstrap too (or receive a
 *     snapshot), since the log's conf-change entries are changes relative to it.
 *     A configuration takes effect when its entry is <em>committed and durable locally</em>, independently
 *     of how far the state machine has applied: a slow state machine must not hold up membership.</li>
 *     <li>A leader whose removal (or demotion) commits keeps the LEADER role, refusing proposals (NOT_LEADER),
 *     reads and transfers, until a quorum of the new configuration acknowledged a heartbeat carrying that commit;
 *     then it hands over with TIMEOUT_NOW to a caught-up voter and steps down. It also steps down when that quorum
 *     stops answering for an election timeout, with or without check-quorum.</li>
 *     <li>Senders outside the configuration are dropped except for a leader's APPEND, HEARTBEAT, SNAPSHOT
 *     and TIMEOUT_NOW, and a candidate's VOTE_REQUEST (not one for a transfer): a lagging member may not know its
 *     leader's, or its candidate's, newer configuration yet.</li>
 *     <li>{@link #electionsStarted()} counts election attempts started by this node (a pre-vote round, or a
 *     vote round entered directly), not the pre-vote round's follow-up.</li>
 *     <li>A response that waits for persistence goes in {@link Ready#messages()} instead when no Ready is
 *     waiting for the disk (it depends on nothing); when earlier Readies are still being persisted, a Ready
 *     carrying only such responses repeats the hard state so that it takes its place in the FIFO.</li>
 *     <li>Lease reads ({@link RaftConfig.ReadOnlyOption#LEASE_BASED}): the lease is measured from when the
 *     confirming heartbeat round was <em>sent</em> (round ids carry the send tick); no lease read is served while
 *     a transfer is in progress or after this leader sent TIMEOUT_NOW in its term, a ReadIndex round is used
 *     instead. A member refuses to help elect anyone for an election timeout after it heard from a leader of any
 *     term, and, with lease reads (LEASE_BASED or LEASE_ON_REQUEST), after it starts. {@link #leaseRead} asks for
 *     the lease per read; its caller may narrow the lease to what its own monotonic clock allows.</li>
 *     <li>Reads: every {@link ReadState} handed out carries an index a leader confirmed (at least 1, at or past
 *     everything committed before the read reached it); nothing else ever reaches {@link Ready#readStates()}. A
 *     leader holds the reads (its own and forwarded ones) that arrive before it committed an entry of its term,
 *     then serves them (etcd's pendingReadIndexMessages). Reads pending when leadership changes, and reads
 *     forwarded to a leader being removed, get no answer: the caller's deadline ends them, and it retries.</li>
 *     <li>An APPEND that would overwrite a committed entry is a broken safety invariant, not bad input: it
 *     throws {@link IllegalStateException} rather than be counted and ignored.</li>
 * </ul>
 */
public final class RaftNode
{
    private static final int NO_LEADER = -1;
    /** The lease bound of a read that must not be answered on the lease: no heartbeat is that recent. */
    private static final long NO_LEASE = Long.MAX_VALUE;
    /**
     * A lease read at tick {@code now} needs a quorum to have acknowledged heartbeats sent at or after tick
     * {@code now - electionTicks + LEASE_MARGIN_TICKS}. Two ticks, because members tick at different phases: a
     * span of d ticks on the leader's counter lasts less than d + 1 ticks of real time, while a follower that
     * counted electionTicks ticks since it received the heartbeat has waited more than electionTicks - 1.
     */
    static final int LEASE_MARGIN_TICKS = 2;
    /** Heartbeat round ids are {@code (tick << ROUND_BITS) | roundOfTheTick}, so a response names its send tick. */
    private static final int ROUND_BITS = 16;
    private static final int MAX_ROUNDS_PER_TICK = (1 << ROUND_BITS) - 1;

    private final RaftConfig config;
    private final SafetyRules rules;
    private final int self;
    private final int clusterId;
    private final int groupId;
    private final RaftLog raftLog;
    private final SnapshotSource snapshots;
    private final ProgressTracker tracker;
    private final ReadIndexQueue readIndexQueue = new ReadIndexQueue();
    /**
     * Reads (own or forwarded) that reached this leader before it committed an entry of its term: until then its
     * commit index may lag entries earlier leaders committed and acknowledged, so it cannot name a read index yet.
     */
    private final ReadIndexQueue readsAwaitingCommit = new ReadIndexQueue();
    private final UncommittedBytes uncommitted = new UncommittedBytes();
    private final SnapshotAssembler snapshotAssembler = new SnapshotAssembler();
    private final ConfChangeCodec confChangeCodec = new ConfChangeCodec();
    private final ExpandableArrayBuffer confChangeBuffer = new ExpandableArrayBuffer(256);
    private final ConfChangeReader confChangeReader = new ConfChangeReader();
    private final EntryVisitor confChangeScanner;
    private final LogRepairGate repairGate;

    private Role role = Role.FOLLOWER;
    private long term;
    private int votedFor;
    private int leader = NO_LEADER;
    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;
    private int leadTransferee = NO_LEADER;

    /** Ticks of this member since it started; the clock of leases and heartbeat round ids. */
    private long ticks;
    /**
     * Ticks since this member last heard from a leader (of any term), saturating at electionTicks. While below
     * electionTicks it refuses to help elect anyone else: that promise is what a leader's lease stands on, so
     * unlike the leader field it survives term changes and, with lease reads, restarts.
     */
    private int leaderContactElapsed;
    /** Heartbeat rounds started in the current tick, and the id of the newest round sent. */
    private int roundsThisTick;
    private long lastRound;
    /**
     * This leader sent TIMEOUT_NOW in its term: the target may campaign (bypassing the followers' leases) whenever
     * that message arrives, however late, so the leader serves no lease read for the rest of its term.
     */
    private boolean timeoutNowSent;
    /**
     * Index of the committed configuration entry that removed (or demoted) this leader, 0 when it is a voter. Such a
     * leader keeps leading, without counting itself and refusing proposals and reads, until a quorum of the new
     * configuration has acknowledged a heartbeat carrying that commit: until then the others still count it as a
     * voter, and since it no longer campaigns and may refuse their votes (its log can be longer), stepping down
     * earlier can stall the group forever.
     */
    private long leavingIndex;

    /** CONF_CHANGE entries in the log whose configuration has not taken effect yet, ascending. */
    private final LongArrayList pendingConfIndices = new LongArrayList();

    /** Output accumulated for the next Ready. */
    private final List<Message> messages = new ArrayList<>();
    private final List<Message> messagesAfterPersist = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();
    /** The one Ready handed out, refilled by every {@link #ready()}, and the pool its messages come from. */
    private final Ready ready = new Ready();
    private final MessagePool messagePool = new MessagePool();
    private SnapshotToInstall snapshotToInstall;
    private long snapshotRequestIndex;
    private boolean broadcastAppendPending;
    private boolean broadcastCommitPending;
    private boolean broadcastHeartbeatPending;

    /** Persistence bookkeeping: the newest Ready handed out that must persist, and the newest confirmed. */
    private long lastReadyId;
    private long persistedReadyId;
    private boolean selfVoteAwaitingReady;
    private long selfVoteReadyId;
    private long selfVoteTerm;

    private long emittedTerm;
    private int emittedVotedFor;
    private long emittedCommit;
    private Role emittedRole;
    private int emittedLeader = NO_LEADER;

    private long applyHandedOut;
    private long appliedIndex;
    private long localSnapshotIndex;
    private long lastSnapshotRequest;

    private long electionsStarted;
    /** Whether the newest election this node started was a leadership transfer's (TIMEOUT_NOW), not a timeout's. */
    private boolean lastElectionForTransfer;
    private long droppedMessages;
    private long leaseReads;

    public RaftNode(
        final RaftConfig config,
        final LogReader log,
        final SnapshotSource snapshots,
        final HardState hardState,
        final Membership bootstrap)
    {
        this(config, log, snapshots, hardState, bootstrap, LogRepair.NONE);
    }

    /**
     * @param repair what recovery found missing among the records this member had synced, {@link LogRepair#NONE}
     *               when nothing.
     */
    public RaftNode(
        final RaftConfig config,
        final LogReader log,
        final SnapshotSource snapshots,
        final HardState hardState,
        final Membership bootstrap,
        final LogRepair repair)
    {
        if (null == config || null == log || null == hardState || null == repair)
        {
            throw new IllegalArgumentException("config, log, hardState and repair are required (config=" + config +
                ", log=" + log + ", hardState=" + hardState + ", repair=" + repair + ")");
        }
        this.config = config.conclude();
        this.rules = config.safetyRules();
        this.self = config.memberId();
        this.clusterId = config.clusterId();
        this.groupId = config.groupId();
        this.snapshots = snapshots;
        // The commit recorded before the damage may be past what is left; the leader tells it again.
        final long commit = repair.needed() ?
            Math.min(hardState.commit(), Math.max(log.lastIndex(), log.snapshotIndex())) : hardState.commit();
        this.raftLog = new RaftLog(log, commit, rules);
        this.repairGate = new LogRepairGate(repair, hardState.term());
        this.tracker = new ProgressTracker(config.maxInflightMessages(), config.maxInflightBytes());
        confChangeScanner = (index, entryTerm, type, timestamp, payload, offset, length) ->
        {
            if (type == EntryType.CONF_CHANGE)
            {
                pendingConfIndices.addLong(index);
            }
        };

        term = hardState.term();
        votedFor = hardState.votedFor();
        emittedTerm = term;
        emittedVotedFor = votedFor;
        emittedCommit = raftLog.committed();

        final long snapshotIndex = null == snapshots ? 0 : snapshots.index();
        Membership membership = null;
        long scanFrom = raftLog.floorIndex() + 1;
        if (snapshotIndex > 0 && null != snapshots.membership())
        {
            membership = snapshots.membership();
            scanFrom = Math.max(scanFrom, snapshotIndex + 1);
        }
        if (null == membership)
        {
            membership = null == bootstrap ? new Membership(null, null, null, null, false) : bootstrap;
        }
        tracker.membership(membership, raftLog.lastIndex() + 1);
        if (scanFrom <= raftLog.stableLastIndex())
        {
            raftLog.read(scanFrom, raftLog.stableLastIndex(), Long.MAX_VALUE, confChangeScanner);
        }
        applyHandedOut = Math.min(Math.max(snapshotIndex, raftLog.floorIndex()), raftLog.committed());
        appliedIndex = applyHandedOut;
        localSnapshotIndex = Math.max(snapshotIndex, raftLog.floorIndex());
        lastSnapshotRequest = localSnapshotIndex;
        applyConfChanges();
        becomeFollower(term, NO_LEADER);
        emittedRole = role();
        // Before a crash this member may have acknowledged a leader that now serves reads on its lease: it keeps
        // the promise for an election timeout after starting. Without lease reads no one relies on it.
        leaderContactElapsed = this.config.readOnlyOption() != RaftConfig.ReadOnlyOption.SAFE ?
            0 : this.config.electionTicks();
        maybeFinishRepair();
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** Advances logical time by one tick: election and heartbeat timers, check-quorum, leases. */
    public void tick()
    {
        ticks++;
        roundsThisTick = 0;
        if (leaderContactElapsed < config.electionTicks())
        {
            leaderContactElapsed++;
        }
        if (role == Role.LEADER)
        {
            tickLeader();
        }
        else
        {
            tickElection();
        }
    }

    private void tickElection()
    {
        electionElapsed++;
        if (isPromotable() && electionElapsed >= randomizedElectionTimeout)
        {
            electionElapsed = 0;
            campaign(false);
        }
    }

    private void tickLeader()
    {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= config.electionTicks())
        {
            electionElapsed = 0;
            // A removed leader checks the quorum even without check-quorum: when the new configuration stopped
            // answering (it elected a leader of a later term, which need not tell it), it must not lead forever.
            if ((config.checkQuorum() || 0 != leavingIndex) && !tracker.quorumActiveAndReset(self))
            {
                becomeFollower(term, NO_LEADER);
                return;
            }
            if (NO_LEADER != leadTransferee)
            {
                leadTransferee = NO_LEADER;
            }
        }
        if (heartbeatElapsed >= config.heartbeatTicks())
        {
            heartbeatElapsed = 0;
            broadcastHeartbeatPending = true;
        }
    }

    /** Handles one peer message; the message is only read during this call. */
    public void step(final Message m)
    {
        if (null == m || null == m.type || m.clusterId != clusterId || m.groupId != groupId || m.to != self ||
            m.from == self || !isKnownSender(m) || !isWellFormed(m))
        {
            droppedMessages++;
            return;
        }

        if (m.term > term)
        {
            if (m.type == MessageType.VOTE_REQUEST)
            {
                if (honoursLease() && !m.leadershipTransfer)
                {
                    // Heard from a live leader within the election timeout: this candidate is disruptive.
                    droppedMessages++;
                    return;
                }
            }
            if (m.type == MessageType.VOTE_REQUEST && m.preVote)
            {
                // A pre-vote never changes our term.
            }
            else if (m.type == MessageType.VOTE_RESPONSE && m.preVote && !m.reject)
            {
                // Granted pre-votes carry the term we would campaign in; we are not in it yet.
            }
            else
            {
                final boolean fromLeader = m.type == MessageType.APPEND || m.type == MessageType.HEARTBEAT ||
                    m.type == MessageType.SNAPSHOT;
                becomeFollower(m.term, fromLeader ? m.from : NO_LEADER);
            }
        }
        else if (m.term < term)
        {
            if ((config.checkQuorum() || config.preVote()) &&
                (m.type == MessageType.APPEND || m.type == MessageType.HEARTBEAT))
            {
                // A stale leader (e.g. after a partition) learns the newer term from this, and steps down;
                // with pre-vote it could otherwise never hear of it.
                final Message response = newMessage(MessageType.APPEND_RESPONSE, m.from);
                messages.add(response);
            }
            else if (m.type == MessageType.VOTE_REQUEST && m.preVote)
            {
                final Message response = newVoteResponse(m.from, true);
                response.reject = true;
                messagesAfterPersist.add(response);
            }
            droppedMessages++;
            return;
        }

        if (m.type == MessageType.VOTE_REQUEST)
        {
            handleVoteRequest(m);
            return;
        }

        switch (role)
        {
            case LEADER -> stepLeader(m);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
            default -> stepFollower(m);
        }
    }

    /**
     * Proposes a NORMAL entry (the payload is copied).
     *
     * @return the log index given to the entry (> 0) or a negative {@link ProposeResult} code.
     */
    public long propose(final DirectBuffer payload, final int offset, final int length, final long timestamp)
    {
        final long refusal = checkProposal(length);
        if (0 != refusal)
        {
            return refusal;
        }
        return appendAsLeader(EntryType.NORMAL, timestamp, payload, offset, length);
    }

    /** Proposes a membership change; same result codes as {@link #propose}. */
    public long proposeConfChange(final ConfChange change, final long timestamp)
    {
        if (null == change || null == change.transition() || null == change.changes())
        {
            throw new IllegalArgumentException("conf change and its transition and changes must be set: " + change);
        }
        if (role != Role.LEADER || 0 != leavingIndex)
        {
            return ProposeResult.NOT_LEADER;
        }
        if (!pendingConfIndices.isEmpty() || (tracker.membership().isJoint() && !change.changes().isEmpty()))
        {
            return ProposeResult.CONF_CHANGE_PENDING;
        }
        final Membership next = MembershipChanger.apply(tracker.membership(), change);
        if (next.allMembers().length > ProgressTracker.MAX_MEMBERS)
        {
            throw new IllegalArgumentException("a group may have at most " + ProgressTracker.MAX_MEMBERS +
                " members, the change leads to " + next.allMembers().length + ": " + next);
        }
        final int length = confChangeCodec.encode(change, confChangeBuffer, 0);
        final long refusal = checkProposal(length);
        if (0 != refusal)
        {
            return refusal;
        }
        return appendAsLeader(EntryType.CONF_CHANGE, timestamp, confChangeBuffer, 0, length);
    }

    private long checkProposal(final int length)
    {
        if (role != Role.LEADER || 0 != leavingIndex)
        {
            return ProposeResult.NOT_LEADER;
        }
        if (NO_LEADER != leadTransferee)
        {
            return ProposeResult.TRANSFERRING;
        }
        if (length > config.maxEntryBytes())
        {
            return ProposeResult.TOO_LARGE;
        }
        final long pending = uncommitted.bytes();
        if (pending > 0 && length > 0 && pending + length > config.maxUncommittedBytes())
        {
            return ProposeResult.BACK_PRESSURED;
        }
        return 0;
    }

    private long appendAsLeader(
        final EntryType type, final long timestamp, final DirectBuffer payload, final int offset, final int length)
    {
        final long index = raftLog.append(term, type, timestamp, payload, offset, length);
        uncommitted.add(index, length);
        if (type == EntryType.CONF_CHANGE)
        {
            pendingConfIndices.addLong(index);
        }
        // Sent at the next hasReady()/ready(): every proposal of a batch goes out in one append per follower.
        broadcastAppendPending = true;
        return index;
    }

    /**
     * Requests a linearizable read; the answer arrives as a {@link ReadState} with the same context in a later
     * Ready, or never (leadership changed meanwhile: the caller's deadline ends it). Context must be non-zero and
     * unique among pending reads, also across restarts of this member: an answer to a read sent before a restart
     * may arrive after it. On a follower the request is forwarded to the leader.
     *
     * @return false when this node cannot serve reads now (no leader known, or a leader being removed); the caller
     * redirects or retries.
     */
    public boolean readIndex(final long context)
    {
        return read(context, defaultLeaseSince());
    }

    /**
     * Requests a lease read (Raft dissertation 6.4.1; etcd's ReadOnlyLeaseBased, here per read): a leader that holds
     * its lease answers it in the next Ready with its commit index, without a heartbeat round; otherwise it is served
     * exactly as {@link #readIndex(long)} (held until this leader committed an entry of its term, confirmed by a
     * heartbeat round, forwarded by a follower). The lease is held while a quorum of voters acknowledged heartbeats
     * this leader sent at or after both {@code sentSinceTick} and {@code electionTicks - LEASE_MARGIN_TICKS} ticks
     * ago, no transfer is under way and no TIMEOUT_NOW was sent in this term; it needs check-quorum and
     * {@link RaftConfig.ReadOnlyOption#LEASE_ON_REQUEST} (or LEASE_BASED), with SAFE it is never held.
     *
     * @param sentSinceTick the oldest send tick ({@link #ticks()}) the caller trusts: ticks can be late or skipped
     * while real time runs on, so the pipeline passes the oldest tick that began within the lease on its monotonic
     * clock; {@link Long#MIN_VALUE} for no bound beyond the tick count's.
     * @return as {@link #readIndex(long)}.
     */
    public boolean leaseRead(final long context, final long sentSinceTick)
    {
        return read(context, config.readOnlyOption() == RaftConfig.ReadOnlyOption.SAFE ? NO_LEASE : sentSinceTick);
    }

    private boolean read(final long context, final long leaseSince)
    {
        if (0 == context)
        {
            throw new IllegalArgumentException("read context must be non-zero");
        }
        if (role == Role.LEADER)
        {
            if (0 != leavingIndex)
            {
                return false;
            }
            acceptRead(context, self, leaseSince);
            return true;
        }
        if (NO_LEADER != leader && (role == Role.FOLLOWER || role == Role.LEARNER))
        {
            final Message request = newMessage(MessageType.READ_INDEX, leader);
            request.context = context;
            messages.add(request);
            return true;
        }
        return false;
    }

    /** Starts a leadership transfer to {@code memberId}; false if not leader or the target is not a voter. */
    public boolean transferLeadership(final int memberId)
    {
        if (role != Role.LEADER || 0 != leavingIndex || memberId == self || !tracker.membership().isVoter(memberId))
        {
            return false;
        }
        if (leadTransferee == memberId)
        {
            return true;
        }
        leadTransferee = memberId;
        // The transfer is abandoned when it has not completed within an election timeout.
        electionElapsed = 0;
        final Progress progress = tracker.get(memberId);
        if (progress.match == raftLog.lastIndex())
        {
            sendTimeoutNow(memberId);
        }
        else
        {
            sendAppend(progress, true);
        }
        return true;
    }

    /**
     * A leader gives up leadership in its term, for a reason the core cannot see (its disk stalled); false if not
     * leader. Followers elect another leader after their timeout.
     */
    public boolean stepDown()
    {
        if (role != Role.LEADER)
        {
            return false;
        }
        becomeFollower(term, NO_LEADER);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ outputs

    public boolean hasReady()
    {
        flushBroadcasts();
        return !messages.isEmpty() || !messagesAfterPersist.isEmpty() || raftLog.hasEntriesToPersist() ||
            hardStateChanged() || null != snapshotToInstall || applyLimit() > applyHandedOut ||
            !readStates.isEmpty() || snapshotRequestIndex > 0 || role() != emittedRole || leader != emittedLeader;
    }

    /**
     * The accumulated output since the last call. The core reuses the returned Ready and its messages: they are
     * valid until the next call, so a caller that keeps anything longer copies it (see {@link Ready}).
     */
    public Ready ready()
    {
        // Before flushing: the broadcasts take their messages from the pool the previous Ready gives back.
        ready.recycle(messagePool);
        flushBroadcasts();
        ready.role = role();
        ready.term = term;
        ready.leader = leader;
        emittedRole = ready.role;
        emittedLeader = leader;

        if (null != snapshotToInstall)
        {
            ready.snapshot = snapshotToInstall;
            snapshotToInstall = null;
        }
        if (raftLog.hasEntriesToPersist())
        {
            raftLog.takeEntriesToPersist(ready.entries);
        }
        if (hardStateChanged())
        {
            ready.hardState = currentHardState(ready.hardStateSlot);
        }
        if (!ready.mustPersist() && !messagesAfterPersist.isEmpty() && persistedReadyId != lastReadyId)
        {
            // These responses must not overtake earlier Readies still being persisted: give this Ready an id by
            // re-persisting the (small) hard state so FIFO persistence orders them.
            ready.hardState = currentHardState(ready.hardStateSlot);
        }
        if (ready.mustPersist())
        {
            ready.id = ++lastReadyId;
            raftLog.handedOut(ready.id, ready.entries);
            if (selfVoteAwaitingReady && null != ready.hardState)
            {
                selfVoteAwaitingReady = false;
                selfVoteReadyId = ready.id;
            }
            if (null != ready.snapshot)
            {
                repairGate.snapshotHandedOut(ready.id);
            }
            moveAll(messagesAfterPersist, ready.messagesAfterPersist);
        }
        else
        {
            ready.id = lastReadyId;
            // Nothing earlier is waiting for the disk, so these depend on nothing: they may leave now.
            moveAll(messagesAfterPersist, messages);
        }
        moveAll(messages, ready.messages);

        final long applyTo = applyLimit();
        if (applyTo > applyHandedOut)
        {
            ready.applyFrom = applyHandedOut + 1;
            ready.applyTo = applyTo;
            applyHandedOut = applyTo;
        }
        if (!readStates.isEmpty())
        {
            moveAll(readStates, ready.readStates);
        }
        ready.snapshotRequestIndex = snapshotRequestIndex;
        snapshotRequestIndex = 0;
        return ready;
    }

    /** Appends every element of {@code from} to {@code to} and empties {@code from}; unlike addAll, no array copy. */
    private static <T> void moveAll(final List<T> from, final List<T> to)
    {
        for (int i = 0, size = from.size(); i < size; i++)
        {
            to.add(from.get(i));
        }
        from.clear();
    }

    private HardState currentHardState(final HardState target)
    {
        emittedTerm = term;
        emittedVotedFor = votedFor;
        emittedCommit = raftLog.committed();
        return target.set(term, votedFor, raftLog.committed());
    }

    private boolean hardStateChanged()
    {
        return term != emittedTerm || votedFor != emittedVotedFor || raftLog.committed() != emittedCommit;
    }

    /** Committed entries that are also durable here may be applied. */
    private long applyLimit()
    {
        return Math.min(raftLog.committed(), raftLog.stableLastIndex());
    }

    // ------------------------------------------------------------------------------------------------ feedback

    /** Everything in the Ready with this id, and every earlier one, is durable. */
    public void persisted(final long readyId)
    {
        if (readyId > lastReadyId)
        {
            throw new IllegalArgumentException("persisted(" + readyId + ") but the newest Ready handed out is " +
                lastReadyId);
        }
        if (readyId <= persistedReadyId)
        {
            return;
        }
        persistedReadyId = readyId;
        raftLog.persistedUpTo(readyId);
        maybeFinishRepair();

        if (role == Role.CANDIDATE && selfVoteReadyId > 0 && readyId >= selfVoteReadyId && selfVoteTerm == term)
        {
            selfVoteReadyId = 0;
            tracker.recordVote(self, true);
            tallyVotes();
        }
        if (role == Role.LEADER)
        {
            final Progress own = tracker.get(self);
            if (null != own && own.maybeUpdate(raftLog.stableLastIndex()))
            {
                maybeCommit();
            }
        }
        final Membership before = tracker.membership();
        applyConfChanges();
        if (before != tracker.membership() && (role == Role.CANDIDATE || role == Role.PRE_CANDIDATE))
        {
            // A commit learned from a voter made a configuration entry take effect once durable here.
            recountCampaign();
        }
    }

    /** The state machine has applied every entry up to {@code index}. */
    public void applied(final long index)
    {
        if (index > applyHandedOut)
        {
            throw new IllegalArgumentException("applied(" + index + ") but only entries up to " + applyHandedOut +
                " were handed out to apply");
        }
        if (index <= appliedIndex)
        {
            return;
        }
        appliedIndex = index;
        final long threshold = config.snapshotThresholdEntries();
        if (appliedIndex - localSnapshotIndex >= threshold && appliedIndex - lastSnapshotRequest >= threshold)
        {
            lastSnapshotRequest = appliedIndex;
            snapshotRequestIndex = appliedIndex;
        }
    }

    /** A local snapshot covering {@code index} (at {@code term}) is durable: the log before it may be compacted. */
    public void snapshotTaken(final long index, final long term)
    {
        if (index > applyHandedOut)
        {
            // The snapshot stage may report before the apply feedback arrives, but never past what was handed out.
            throw new IllegalArgumentException("snapshotTaken(" + index + ") is beyond the last index handed out " +
                "to apply, " + applyHandedOut);
        }
        localSnapshotIndex = Math.max(localSnapshotIndex, index);
        lastSnapshotRequest = Math.max(lastSnapshotRequest, index);
    }

    // ------------------------------------------------------------------------------------------------ accessors

    public Role role()
    {
        if (role == Role.FOLLOWER && !tracker.membership().isVoter(self) && tracker.membership().isLearner(self))
        {
            return Role.LEARNER;
        }
        return role;
    }

    public long term()
    {
        return term;
    }

    /** Member id of the current leader, -1 when unknown. */
    public int leader()
    {
        return leader;
    }

    public long commitIndex()
    {
        return raftLog.committed();
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    public long lastIndex()
    {
        return raftLog.lastIndex();
    }

    /** Last index this member's persistence feedback confirmed durable (what it may apply and count as its own). */
    long stableLastIndex()
    {
        return raftLog.stableLastIndex();
    }

    public Membership membership()
    {
        return tracker.membership();
    }

    public long electionsStarted()
    {
        return electionsStarted;
    }

    /**
     * Why the newest election of {@link #electionsStarted()} began: true when the leader handed over (TIMEOUT_NOW),
     * false when this member's election timeout ran out without hearing from a leader.
     */
    public boolean lastElectionForTransfer()
    {
        return lastElectionForTransfer;
    }

    /** Reads that asked for the lease (or any, with LEASE_BASED) and were answered without a heartbeat round. */
    public long leaseReads()
    {
        return leaseReads;
    }

    public long droppedMessages()
    {
        return droppedMessages;
    }

    /**
     * Whether this member is still repairing a log that lost synced records: it takes no part in elections until
     * its durable log holds them again, or an entry of a later leader ({@link LogRepairGate}); then this turns
     * false for good.
     */
    public boolean repairing()
    {
        return repairGate.repairing();
    }

    /** What recovery reported at start, {@link LogRepair#NONE} when nothing was missing. */
    public LogRepair logRepair()
    {
        return repairGate.repair();
    }

    /** Member id a leadership transfer is heading to, -1 when none. */
    /** On a leader, the highest index {@code memberId} is known to hold; -1 if not leader or not a member. */
    public long matchIndex(final int memberId)
    {
        final Progress progress = role == Role.LEADER ? tracker.get(memberId) : null;
        return null == progress ? -1 : progress.match;
    }

    /**
     * Ticks since this member last heard from a leader of its term (or granted a vote, which restarts the same
     * clock); 0 on a leader. Read by status queries on the raft stage's thread.
     */
    public int ticksSinceLeaderContact()
    {
        return role == Role.LEADER ? 0 : electionElapsed;
    }

    /** Ticks of this member since it started: the clock heartbeat rounds and {@link #leaseRead} bounds use. */
    public long ticks()
    {
        return ticks;
    }

    public int electionTicks()
    {
        return config.electionTicks();
    }

    public int leadTransferee()
    {
        return leadTransferee;
    }

    /** Payload bytes proposed by this leader and not yet committed. */
    public long uncommittedBytes()
    {
        return role == Role.LEADER ? uncommitted.bytes() : 0;
    }

    // ------------------------------------------------------------------------------------------------ roles

    private void reset(final long newTerm)
    {
        if (newTerm != term)
        {
            term = newTerm;
            votedFor = HardState.NO_VOTE;
        }
        leader = NO_LEADER;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout = config.electionTicks() + config.random().nextInt(config.electionTicks());
        leadTransferee = NO_LEADER;
        leavingIndex = 0;
        tracker.resetVotes();
        readIndexQueue.clear();
        readsAwaitingCommit.clear();
        uncommitted.reset();
        selfVoteAwaitingReady = false;
        selfVoteReadyId = 0;
        broadcastAppendPending = false;
        broadcastCommitPending = false;
        broadcastHeartbeatPending = false;
    }

    private void becomeFollower(final long newTerm, final int newLeader)
    {
        reset(newTerm);
        role = Role.FOLLOWER;
        leader = newLeader;
    }

    private void becomePreCandidate()
    {
        // Pre-vote keeps the term: a node that cannot win must not inflate everyone's term.
        reset(term);
        role = Role.PRE_CANDIDATE;
    }

    private void becomeCandidate()
    {
        reset(term + 1);
        role = Role.CANDIDATE;
        votedFor = self;
        selfVoteAwaitingReady = true;
        selfVoteTerm = term;
    }

    private void becomeLeader()
    {
        reset(term);
        role = Role.LEADER;
        leader = self;
        timeoutNowSent = false;
        final long lastIndex = raftLog.lastIndex();
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            progress.reset(lastIndex + 1);
            if (progress.memberId == self)
            {
                progress.match = raftLog.stableLastIndex();
                progress.becomeReplicate();
                progress.next = lastIndex + 1;
            }
        }
        // Entries of earlier terms commit only through an entry of the current term.
        appendAsLeader(EntryType.NO_OP, 0, confChangeBuffer, 0, 0);
        maybeAutoLeave();
    }

    /**
     * A committed configuration not yet in effect here (its entry is not durable yet) means this member may be
     * counting votes with an outdated configuration: it must not campaign until it catches up.
     */
    private boolean hasCommittedConfChangeNotInEffect()
    {
        return !pendingConfIndices.isEmpty() && pendingConfIndices.getLong(0) <= raftLog.committed();
    }

    private boolean isPromotable()
    {
        return tracker.membership().isVoter(self) && null == snapshotToInstall && !repairGate.repairing();
    }

    private void maybeFinishRepair()
    {
        final long durableLastIndex = raftLog.stableLastIndex();
        repairGate.maybeFinish(
            durableLastIndex, raftLog.term(durableLastIndex), persistedReadyId, null != snapshotToInstall);
    }

    private void campaign(final boolean transfer)
    {
        if (!isPromotable() || hasCommittedConfChangeNotInEffect())
        {
            return;
        }
        electionsStarted++;
        lastElectionForTransfer = transfer;
        if (config.preVote() && !transfer)
        {
            becomePreCandidate();
            tracker.recordVote(self, true);
            sendVoteRequests(true, false, term + 1);
        }
        else
        {
            becomeCandidate();
            sendVoteRequests(false, transfer, term);
        }
        tallyVotes();
    }

    private void sendVoteRequests(final boolean preVote, final boolean transfer, final long voteTerm)
    {
        final long lastIndex = raftLog.lastIndex();
        final long lastTerm = raftLog.lastTerm();
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            if (progress.memberId == self || !tracker.membership().isVoter(progress.memberId))
            {
                continue;
            }
            final Message request = newMessage(MessageType.VOTE_REQUEST, progress.memberId);
            request.term = voteTerm;
            request.index = lastIndex;
            request.logTerm = lastTerm;
            request.preVote = preVote;
            request.leadershipTransfer = transfer;
            tellCommit(request);
            messages.add(request);
        }
    }

    private void tallyVotes()
    {
        switch (tracker.voteResult())
        {
            case WON ->
            {
                if (role == Role.PRE_CANDIDATE)
                {
                    becomeCandidate();
                    sendVoteRequests(false, false, term);
                    tallyVotes();
                }
                else if (role == Role.CANDIDATE)
                {
                    becomeLeader();
                }
            }
            case LOST -> becomeFollower(term, NO_LEADER);
            default ->
            {
            }
        }
    }

    private void handleVoteRequest(final Message m)
    {
        learnCommit(m);
        // A member repairing its log may lack entries it acknowledged: its vote could elect a leader without them.
        final boolean canVote = !repairGate.repairing() && (votedFor == m.from ||
            (votedFor == HardState.NO_VOTE && leader == NO_LEADER) || (m.preVote && m.term > term));
        final boolean upToDate = rules.candidateUpToDate(m.index, m.logTerm, raftLog.lastIndex(), raftLog.lastTerm());
        final Message response = newVoteResponse(m.from, m.preVote);
        if (canVote && upToDate)
        {
            response.term = m.term;
            if (!m.preVote)
            {
                electionElapsed = 0;
                votedFor = m.from;
            }
        }
        else
        {
            response.reject = true;
        }
        messagesAfterPersist.add(response);
    }

    /** A vote response carries this member's commit and the term of that entry ({@link #learnCommit}). */
    private Message newVoteResponse(final int to, final boolean preVote)
    {
        final Message response = newMessage(MessageType.VOTE_RESPONSE, to);
        response.preVote = preVote;
        tellCommit(response);
        return response;
    }

    private void tellCommit(final Message m)
    {
        final long commit = raftLog.committed();
        final long commitTerm = raftLog.term(commit);
        if (commit > 0 && commitTerm > 0)
        {
            m.commit = commit;
            m.commitTerm = commitTerm;
        }
    }

    /**
     * Vote requests and responses carry the sender's commit index and the term of that entry: a receiver (candidate or
     * voter) that holds an entry of that term at that index advances its own commit there and puts into effect the
     * configurations that commit. Without this, a membership change can stall elections for good when no leader is
     * left to spread the commit: a member removed at a committed index refuses a candidate with a shorter log
     * (rightly) and does not campaign itself, while members that hold the removal but have not learned it is committed
     * still count it as a voter and, with another voter down or repairing ({@link LogRepairGate}), can never gather a
     * quorum of the old configuration, where the new one would do; likewise a learner promoted at a committed index
     * it has not learned never campaigns, however long its log.
     * <p>
     * Safety: a member's commit index only covers committed entries. A leader commits an index only once a quorum of
     * its configuration holds it; a follower commits only up to the prefix it shares with the leader that told it; a
     * member restarting with lost records clamps its commit to the prefix it kept, which it held when it learned that
     * commit. A committed entry stays committed whatever happens later, so an old or delayed message is as good as a
     * fresh one. If this member holds an entry of the same term at that index, Log Matching makes its log equal to
     * the sender's up to there: every entry up to it is committed, exactly what an append from the leader with that
     * commit would have told it. Nothing else changes: votes are granted and counted as before, with the configuration
     * the committed entries put into effect, as by any member whose commit is up to date.
     */
    private void learnCommit(final Message m)
    {
        // A leader commits by its own quorum: what a candidate knows, it learns from its followers soon enough.
        if (role != Role.LEADER && m.commit > raftLog.committed() && m.commitTerm > 0 &&
            raftLog.matchTerm(m.commit, m.commitTerm))
        {
            final Membership before = tracker.membership();
            commitTo(m.commit);
            if (before != tracker.membership() && (role == Role.CANDIDATE || role == Role.PRE_CANDIDATE))
            {
                recountCampaign();
            }
        }
    }

    /** The configuration changed during a campaign: recount the votes with it, or give up when no longer a voter. */
    private void recountCampaign()
    {
        if (!tracker.membership().isVoter(self))
        {
            becomeFollower(term, NO_LEADER);
            return;
        }
        tallyVotes();
    }

    // ------------------------------------------------------------------------------------------------ follower

    private void heardFromLeader(final int from)
    {
        electionElapsed = 0;
        leaderContactElapsed = 0;
        leader = from;
        repairGate.heardFromLeader(term);
    }

    /**
     * Whether this member refuses to help elect a candidate that was not sent by its leader (TIMEOUT_NOW): it is
     * the leader, or it heard from one less than an election timeout ago. Check-quorum makes this protect the
     * leader from disruption; lease reads rely on it to know that no other leader exists.
     */
    private boolean honoursLease()
    {
        return config.checkQuorum() && (role == Role.LEADER || leaderContactElapsed < config.electionTicks());
    }

    private void stepFollower(final Message m)
    {
        switch (m.type)
        {
            case APPEND ->
            {
                heardFromLeader(m.from);
                handleAppend(m);
            }
            case HEARTBEAT ->
            {
                heardFromLeader(m.from);
                handleHeartbeat(m);
            }
            case SNAPSHOT ->
            {
                heardFromLeader(m.from);
                handleSnapshot(m);
            }
            case TIMEOUT_NOW -> campaign(true);
            case READ_INDEX_RESPONSE -> readStates.add(new ReadState(m.context, m.index));
            default -> droppedMessages++;
        }
    }

    private void stepCandidate(final Message m)
    {
        switch (m.type)
        {
            case APPEND ->
            {
                becomeFollower(m.term, m.from);
                heardFromLeader(m.from);
                handleAppend(m);
            }
            case HEARTBEAT ->
            {
                becomeFollower(m.term, m.from);
                heardFromLeader(m.from);
                handleHeartbeat(m);
            }
            case SNAPSHOT ->
            {
                becomeFollower(m.term, m.from);
                heardFromLeader(m.from);
                handleSnapshot(m);
            }
            case VOTE_RESPONSE ->
            {
                if (m.preVote != (role == Role.PRE_CANDIDATE))
                {
                    droppedMessages++;
                    return;
                }
                // Record the vote first: the recount a learned configuration triggers counts it too.
                tracker.recordVote(m.from, !m.reject);
                learnCommit(m);
                if (role == Role.CANDIDATE || role == Role.PRE_CANDIDATE)
                {
                    tallyVotes();
                }
            }
            default -> droppedMessages++;
        }
    }

    private void handleAppend(final Message m)
    {
        final Message response = newMessage(MessageType.APPEND_RESPONSE, m.from);
        messagesAfterPersist.add(response);
        final long committed = raftLog.committed();
        if (m.index < committed)
        {
            response.index = committed;
            return;
        }
        if (raftLog.matchTerm(m.index, m.logTerm))
        {
            final long lastNew = m.index + m.entries.count();
            if (!m.entries.isEmpty())
            {
                final long conflict = raftLog.findConflict(m.entries);
                if (0 != conflict)
                {
                    dropPendingConfFrom(conflict);
                    raftLog.truncateAndAppend(m.entries, conflict);
                    m.entries.forEach(conflict, Long.MAX_VALUE, confChangeScanner);
                }
            }
            commitTo(Math.min(m.commit, lastNew));
            response.index = lastNew;
        }
        else
        {
            final long hint = raftLog.findConflictByTerm(Math.min(m.index, raftLog.lastIndex()), m.logTerm);
            response.reject = true;
            response.index = m.index;
            response.rejectHint = hint;
            response.conflictTerm = Math.max(0, raftLog.term(hint));
        }
    }

    private void handleHeartbeat(final Message m)
    {
        final long lastIndex = raftLog.lastIndex();
        commitTo(Math.min(m.commit, lastIndex));
        if (m.commit > lastIndex)
        {
            // A heartbeat's commit is at most what this member acknowledged to the leader: the leader believes it
            // holds entries it no longer has, which only lost synced records explain (see LogRepair). Until a write
            // comes, the leader would send it only heartbeats: answer as a rejection of an append at that index, with
            // where this log really ends, so that the leader probes it from there and gives the entries back.
            final Message rejection = newMessage(MessageType.APPEND_RESPONSE, m.from);
            rejection.reject = true;
            rejection.index = m.commit;
            rejection.rejectHint = lastIndex;
            rejection.conflictTerm = Math.max(0, raftLog.term(lastIndex));
            messagesAfterPersist.add(rejection);
        }
        final Message response = newMessage(MessageType.HEARTBEAT_RESPONSE, m.from);
        response.context = m.context;
        messages.add(response);
    }

    private void handleSnapshot(final Message m)
    {
        final Message response = newMessage(MessageType.SNAPSHOT_RESPONSE, m.from);
        response.index = m.index;
        if (m.index <= raftLog.committed())
        {
            // Already have everything it covers: tell the leader to move on (once what we have is durable).
            snapshotAssembler.reset();
            response.done = true;
            response.chunkOffset = m.totalLength;
            messagesAfterPersist.add(response);
            return;
        }
        final boolean complete = snapshotAssembler.offer(m);
        response.chunkOffset = snapshotAssembler.received();
        if (!complete)
        {
            messages.add(response);
            return;
        }
        response.done = true;
        if (raftLog.matchTerm(m.index, m.logTerm))
        {
            // Our log already holds the snapshot's last entry, hence everything before it: just commit.
            snapshotAssembler.reset();
            commitTo(m.index);
        }
        else
        {
            final Membership membership = null == m.membership ? tracker.membership() : m.membership;
            snapshotToInstall = snapshotAssembler.take(membership);
            raftLog.restore(m.index, m.logTerm);
            pendingConfIndices.clear();
            tracker.membership(membership, raftLog.lastIndex() + 1);
            applyHandedOut = Math.max(applyHandedOut, m.index);
            appliedIndex = Math.max(appliedIndex, m.index);
            localSnapshotIndex = Math.max(localSnapshotIndex, m.index);
            lastSnapshotRequest = Math.max(lastSnapshotRequest, m.index);
        }
        messagesAfterPersist.add(response);
    }

    private void commitTo(final long index)
    {
        if (index > raftLog.committed())
        {
            raftLog.commitTo(index);
            applyConfChanges();
        }
    }

    // ------------------------------------------------------------------------------------------------ leader

    private void stepLeader(final Message m)
    {
        if (m.type == MessageType.READ_INDEX)
        {
            handleForwardedRead(m);
            return;
        }
        final Progress progress = tracker.get(m.from);
        if (null == progress)
        {
            droppedMessages++;
            return;
        }
        switch (m.type)
        {
            case APPEND_RESPONSE -> handleAppendResponse(m, progress);
            case HEARTBEAT_RESPONSE -> handleHeartbeatResponse(m, progress);
            case SNAPSHOT_RESPONSE -> handleSnapshotResponse(m, progress);
            default -> droppedMessages++;
        }
    }

    private void handleAppendResponse(final Message m, final Progress progress)
    {
        progress.recentActive = true;
        if (m.reject)
        {
            long nextProbe = m.rejectHint;
            if (m.conflictTerm > 0)
            {
                nextProbe = raftLog.findConflictByTerm(m.rejectHint, m.conflictTerm);
            }
            if (progress.maybeDecreaseTo(m.index, nextProbe))
            {
                if (progress.state == Progress.State.REPLICATE)
                {
                    progress.becomeProbe();
                }
                sendAppend(progress, true);
            }
            return;
        }
        final boolean wasPaused = progress.isPaused();
        final boolean updated = progress.maybeUpdate(m.index);
        if (updated || (progress.match == m.index && progress.state == Progress.State.PROBE))
        {
            switch (progress.state)
            {
                case PROBE -> progress.becomeReplicate();
                case SNAPSHOT ->
                {
                    if (progress.match + 1 >= raftLog.firstIndex())
                    {
                        progress.becomeProbe();
                        progress.becomeReplicate();
                    }
                }
                case REPLICATE -> progress.inflights.freeLE(m.index);
            }
            // When the commit advanced, the broadcast flushed with the next Ready carries it to everyone.
            if (!maybeCommit() && wasPaused)
            {
                // It may have missed the commit while paused: an empty append brings it up to date.
                sendAppend(progress, true);
            }
            while (progress.state == Progress.State.REPLICATE && sendAppend(progress, false))
            {
                // Keep the window full: one catching-up follower may need several capped appends.
            }
            if (m.from == leadTransferee && progress.match == raftLog.lastIndex())
            {
                sendTimeoutNow(m.from);
            }
            if (0 != leavingIndex && 0 == progress.leaveNoticeRound && progress.match >= leavingIndex)
            {
                // It has the entry that removed this leader: tell it the commit now rather than at the next beat.
                broadcastHeartbeatPending = true;
            }
        }
    }

    private void handleHeartbeatResponse(final Message m, final Progress progress)
    {
        progress.recentActive = true;
        progress.probeSent = false;
        if (progress.state == Progress.State.SNAPSHOT)
        {
            if (progress.snapshotChunkInFlight && ++progress.snapshotStallRounds >= 2)
            {
                // The chunk or its answer was lost: resend from what the follower acknowledged.
                sendSnapshotChunk(progress);
            }
        }
        else if (progress.match < raftLog.lastIndex())
        {
            if (progress.state == Progress.State.REPLICATE && progress.inflights.isFull())
            {
                // The follower is alive but its window stays full: appends or their answers may have been lost
                // (the transport drops rather than blocks). Let one more append through; if there is a gap, the
                // follower rejects it and the leader probes back. A merely slow follower costs no resend.
                progress.inflights.freeFirstOne();
            }
            // Even empty, an append lets the follower reveal a gap left by a lost append.
            sendAppend(progress, true);
        }
        final long round = m.context;
        if (round > 0 && round <= lastRound)
        {
            progress.ackedRoundTick = Math.max(progress.ackedRoundTick, round >>> ROUND_BITS);
            final int confirmed = readIndexQueue.ack(round, 1L << progress.slot, tracker);
            if (confirmed >= 0)
            {
                for (int i = 0; i <= confirmed; i++)
                {
                    respondToRead(readIndexQueue.context(i), readIndexQueue.index(i), readIndexQueue.requester(i));
                }
                readIndexQueue.removeUpTo(confirmed);
            }
            if (0 != leavingIndex && 0 != progress.leaveNoticeRound && round >= progress.leaveNoticeRound)
            {
                progress.leaveNoticeAcked = true;
                maybeFinishLeaving();
            }
        }
    }

    private void handleSnapshotResponse(final Message m, final Progress progress)
    {
        progress.recentActive = true;
        if (progress.state != Progress.State.SNAPSHOT || m.index != progress.snapshotIndex)
        {
            return;
        }
        if (m.reject)
        {
            progress.becomeProbe();
            sendAppend(progress, true);
        }
        else if (m.done)
        {
            progress.match = Math.max(progress.match, m.index);
            progress.becomeProbe();
            sendAppend(progress, true);
        }
        else
        {
            progress.snapshotAckedOffset = m.chunkOffset;
            progress.snapshotChunkInFlight = false;
            sendSnapshotChunk(progress);
        }
    }

    private void handleForwardedRead(final Message m)
    {
        if (0 != leavingIndex)
        {
            // It hands over soon and serves no new read; the follower's deadline ends this one.
            return;
        }
        acceptRead(m.context, m.from, defaultLeaseSince());
    }

    /** The lease bound of a read that did not ask for the lease: only LEASE_BASED answers every read on it. */
    private long defaultLeaseSince()
    {
        return config.readOnlyOption() == RaftConfig.ReadOnlyOption.LEASE_BASED ? Long.MIN_VALUE : NO_LEASE;
    }

    private void acceptRead(final long context, final int requester, final long leaseSince)
    {
        if (mayServeReads())
        {
            serveRead(context, requester, leaseSince);
        }
        else
        {
            // Only context and requester matter here: the read index is taken when the read is served.
            readsAwaitingCommit.add(context, 0, requester, 0, 0);
        }
    }

    /** The first commit of this leader's term: its commit index now covers every acknowledged write. */
    private void serveReadsAwaitingCommit()
    {
        for (int i = 0, size = readsAwaitingCommit.size(); i < size; i++)
        {
            // A held lease read waited beyond the bound its caller gave: only the default applies to it now.
            serveRead(readsAwaitingCommit.context(i), readsAwaitingCommit.requester(i), defaultLeaseSince());
        }
        readsAwaitingCommit.clear();
    }

    private boolean mayServeReads()
    {
        return rules.mayServeReads(raftLog.term(raftLog.committed()), term);
    }

    private void serveRead(final long context, final int requester, final long leaseSince)
    {
        final long index = raftLog.committed();
        if (tracker.isSoleVoter(self) || holdsLease(leaseSince))
        {
            leaseReads += NO_LEASE == leaseSince ? 0 : 1;
            respondToRead(context, index, requester);
            return;
        }
        // Confirmed by the next heartbeat round a quorum answers: one sent after the read arrived.
        final Progress own = tracker.get(self);
        final long ownAck = null == own ? 0 : 1L << own.slot;
        if (readIndexQueue.add(context, index, requester, ownAck, lastRound))
        {
            broadcastHeartbeatPending = true;
        }
    }

    /**
     * Lease reads: whether no other leader can exist now. A quorum acknowledged heartbeats this leader sent
     * recently enough that each of them still refuses to vote ({@link #honoursLease()}), measured from when
     * the heartbeats were sent (an answer may arrive late), and no transfer can have let a candidate bypass that.
     * Only heartbeats sent at or after {@code leaseSince} count ({@link #NO_LEASE}: none).
     */
    private boolean holdsLease(final long leaseSince)
    {
        return NO_LEASE != leaseSince && config.checkQuorum() && NO_LEADER == leadTransferee && !timeoutNowSent &&
            tracker.quorumAckedSince(Math.max(leaseSince, ticks - config.electionTicks() + LEASE_MARGIN_TICKS), self);
    }

    private void respondToRead(final long context, final long index, final int requester)
    {
        if (requester == self)
        {
            readStates.add(new ReadState(context, index));
        }
        else
        {
            final Message response = newMessage(MessageType.READ_INDEX_RESPONSE, requester);
            response.context = context;
            response.index = index;
            messages.add(response);
        }
    }

    private boolean maybeCommit()
    {
        final long quorumIndex = tracker.committedIndex();
        if (quorumIndex > raftLog.committed() &&
            rules.mayCommitByCounting(raftLog.term(quorumIndex), term))
        {
            raftLog.commitTo(quorumIndex);
            uncommitted.releaseTo(quorumIndex);
            broadcastCommitPending = true;
            if (!readsAwaitingCommit.isEmpty() && mayServeReads())
            {
                serveReadsAwaitingCommit();
            }
            applyConfChanges();
            return true;
        }
        return false;
    }

    private void flushBroadcasts()
    {
        if (role != Role.LEADER)
        {
            broadcastAppendPending = false;
            broadcastCommitPending = false;
            broadcastHeartbeatPending = false;
            return;
        }
        if (broadcastAppendPending || broadcastCommitPending)
        {
            final boolean sendIfEmpty = broadcastCommitPending;
            broadcastAppendPending = false;
            broadcastCommitPending = false;
            for (int i = 0; i < tracker.size(); i++)
            {
                final Progress progress = tracker.at(i);
                if (progress.memberId != self)
                {
                    boolean sent = sendAppend(progress, sendIfEmpty);
                    while (sent && progress.state == Progress.State.REPLICATE)
                    {
                        sent = sendAppend(progress, false);
                    }
                }
            }
        }
        if (broadcastHeartbeatPending && roundsThisTick < MAX_ROUNDS_PER_TICK)
        {
            // Otherwise this round waits for the next tick, when round ids of that tick are free again.
            broadcastHeartbeatPending = false;
            roundsThisTick++;
            lastRound = (ticks << ROUND_BITS) | roundsThisTick;
            final long context = lastRound;
            for (int i = 0; i < tracker.size(); i++)
            {
                final Progress progress = tracker.at(i);
                if (progress.memberId != self)
                {
                    final Message heartbeat = newMessage(MessageType.HEARTBEAT, progress.memberId);
                    heartbeat.commit = Math.min(progress.match, raftLog.committed());
                    heartbeat.context = context;
                    if (0 != leavingIndex && 0 == progress.leaveNoticeRound && heartbeat.commit >= leavingIndex)
                    {
                        progress.leaveNoticeRound = context;
                    }
                    messages.add(heartbeat);
                }
            }
        }
    }

    /**
     * Sends the next append to {@code progress} if its flow control allows.
     *
     * @return true when a message with entries (or an empty one when {@code sendIfEmpty}) was sent.
     */
    private boolean sendAppend(final Progress progress, final boolean sendIfEmpty)
    {
        if (progress.isPaused())
        {
            return false;
        }
        final long prevIndex = progress.next - 1;
        final long prevTerm = raftLog.term(prevIndex);
        if (prevTerm == LogReader.NO_TERM)
        {
            startSnapshot(progress);
            return false;
        }
        final long lastIndex = raftLog.lastIndex();
        if (progress.next > lastIndex && !sendIfEmpty)
        {
            return false;
        }
        final Message append = newMessage(MessageType.APPEND, progress.memberId);
        append.index = prevIndex;
        append.logTerm = prevTerm;
        append.commit = raftLog.committed();
        long bytes = 0;
        if (progress.next <= lastIndex)
        {
            final long lastSent = raftLog.copyTo(progress.next, lastIndex, config.maxBytesPerAppend(), append.entries);
            if (lastSent < progress.next)
            {
                // Compacted away under us: the follower needs the snapshot.
                startSnapshot(progress);
                return false;
            }
            bytes = append.entries.payloadBytes();
        }
        progress.sentEntries(append.entries.lastIndex(), append.entries.count(), bytes);
        messages.add(append);
        return true;
    }

    private void sendTimeoutNow(final int to)
    {
        timeoutNowSent = true;
        messages.add(newMessage(MessageType.TIMEOUT_NOW, to));
    }

    private void startSnapshot(final Progress progress)
    {
        // One load of the newest snapshot: the apply stage may replace it between any two loads.
        final SnapshotSource snapshot = null == snapshots ? null : snapshots.newest();
        if (null == snapshot || snapshot.index() <= 0)
        {
            // Nothing to send yet; probing resumes at the next heartbeat response.
            progress.probeSent = true;
            return;
        }
        progress.becomeSnapshot(snapshot);
        sendSnapshotChunk(progress);
    }

    /** Streams from the snapshot the transfer holds, never from a newer one: each chunk and its labels agree. */
    private void sendSnapshotChunk(final Progress progress)
    {
        final SnapshotSource snapshot = progress.snapshot;
        final long total = snapshot.length();
        final long offset = progress.snapshotAckedOffset;
        final Message chunk = newMessage(MessageType.SNAPSHOT, progress.memberId);
        chunk.index = snapshot.index();
        chunk.logTerm = snapshot.term();
        chunk.chunkOffset = offset;
        chunk.totalLength = total;
        chunk.membership = snapshot.membership();
        final int wanted = (int)Math.min(config.snapshotChunkBytes(), total - offset);
        if (wanted > 0)
        {
            chunk.chunk.checkLimit(wanted);
            chunk.chunkLength = snapshot.read(offset, chunk.chunk, 0, wanted);
        }
        chunk.done = offset + chunk.chunkLength >= total;
        progress.snapshotChunkInFlight = true;
        progress.snapshotStallRounds = 0;
        messages.add(chunk);
    }

    // ------------------------------------------------------------------------------------------------ membership

    private boolean isKnownSender(final Message m)
    {
        if (tracker.membership().contains(m.from))
        {
            return true;
        }
        // A candidate of a newer configuration this member has not learned yet needs its vote too (Raft thesis
        // 4.2.3): a lagging voter that refused it could, with one member down or repairing, stall the group for good.
        // Not for a transfer, which would bypass the lease on a stranger's word.
        return m.type == MessageType.APPEND || m.type == MessageType.HEARTBEAT || m.type == MessageType.SNAPSHOT ||
            m.type == MessageType.TIMEOUT_NOW || (m.type == MessageType.VOTE_REQUEST && !m.leadershipTransfer);
    }

    /** Fields the core would otherwise trust blindly; a decoder cannot check them without Raft context. */
    private static boolean isWellFormed(final Message m)
    {
        if (m.term < 0 || m.index < 0 || m.logTerm < 0 || m.commit < 0)
        {
            // Also an index -1 READ_INDEX_RESPONSE (older leaders' "retry"): it confirms nothing, so it is no read state.
            return false;
        }
        return switch (m.type)
        {
            case APPEND -> m.entries.isEmpty() ||
                (m.entries.firstIndex() == m.index + 1 && m.entries.lastTerm() <= m.term);
            case SNAPSHOT -> m.chunkOffset >= 0 && m.totalLength >= 0 && m.chunkLength >= 0 &&
                m.chunkLength <= m.chunk.capacity() && m.index > 0;
            // A leader confirms at least the entry of its term it committed: 0 vouches for nothing.
            case READ_INDEX_RESPONSE -> m.index > 0;
            default -> true;
        };
    }

    private void dropPendingConfFrom(final long index)
    {
        while (!pendingConfIndices.isEmpty() && pendingConfIndices.getLong(pendingConfIndices.size() - 1) >= index)
        {
            pendingConfIndices.removeAt(pendingConfIndices.size() - 1);
        }
    }

    /** Puts into effect every pending configuration whose entry is committed and durable here. */
    private void applyConfChanges()
    {
        final long limit = applyLimit();
        while (!pendingConfIndices.isEmpty() && pendingConfIndices.getLong(0) <= limit)
        {
            final long index = pendingConfIndices.removeAt(0);
            final ConfChange change = confChangeReader.read(index);
            if (null == change)
            {
                continue;
            }
            final Membership next;
            try
            {
                next = MembershipChanger.apply(tracker.membership(), change);
            }
            catch (final IllegalArgumentException ex)
            {
                // Validated when proposed, so every member skips the same entry: the configurations agree.
                continue;
            }
            tellRemovedTheCommit(next);
            tracker.membership(next, raftLog.lastIndex() + 1);
            onMembershipChanged(index);
        }
    }

    /**
     * A leader about to drop the members that {@code next} no longer has sends each one a last append (or heartbeat)
     * with the commit: one that holds (or now receives) the entry removing it learns that the entry is committed, puts
     * it into effect, and so stops campaigning and says it was removed. Without it, a removed follower never hears of
     * the commit (nobody sends it anything any more) and, after an election timeout, campaigns in vain for ever.
     * Best effort: a lost heartbeat or a member that lacks the entry leaves it as before, harmless to the others.
     */
    private void tellRemovedTheCommit(final Membership next)
    {
        if (role != Role.LEADER)
        {
            return;
        }
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            // An append when flow control allows one: it also brings the entry to a member that has not acknowledged
            // it yet (the commit may well have come from the others), matched against its log as every append is.
            if (progress.memberId != self && !next.contains(progress.memberId) &&
                !(!progress.isPaused() && LogReader.NO_TERM != raftLog.term(progress.next - 1) &&
                    sendAppend(progress, true)))
            {
                final Message heartbeat = newMessage(MessageType.HEARTBEAT, progress.memberId);
                heartbeat.commit = Math.min(progress.match, raftLog.committed());
                heartbeat.context = lastRound;
                messages.add(heartbeat);
            }
        }
    }

    private void onMembershipChanged(final long index)
    {
        if (role != Role.LEADER)
        {
            return;
        }
        if (!tracker.membership().isVoter(self))
        {
            // Removed (or demoted): keep leading until the new configuration knows the change is committed
            // (see leavingIndex), then hand over.
            leavingIndex = index;
            leadTransferee = NO_LEADER;
            for (int i = 0; i < tracker.size(); i++)
            {
                tracker.at(i).leaveNoticeRound = 0;
                tracker.at(i).leaveNoticeAcked = false;
            }
            broadcastHeartbeatPending = true;
            maybeCommit();
            broadcastAppendPending = true;
            return;
        }
        if (NO_LEADER != leadTransferee && !tracker.membership().isVoter(leadTransferee))
        {
            leadTransferee = NO_LEADER;
        }
        maybeCommit();
        broadcastAppendPending = true;
        maybeAutoLeave();
    }

    /**
     * A removed leader stops leading once a quorum of the new configuration acknowledged a heartbeat that carried the
     * commit of its removal: those members no longer count it and can elect a leader among themselves. A caught-up
     * one of them is told to campaign at once, so the group does not wait an election timeout for a new leader.
     */
    private void maybeFinishLeaving()
    {
        long acked = 0;
        int successor = NO_LEADER;
        final long lastIndex = raftLog.lastIndex();
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            if (progress.leaveNoticeAcked)
            {
                acked |= 1L << progress.slot;
                if (NO_LEADER == successor && progress.match == lastIndex &&
                    tracker.membership().isVoter(progress.memberId))
                {
                    successor = progress.memberId;
                }
            }
        }
        if (!tracker.isQuorum(acked))
        {
            return;
        }
        if (NO_LEADER != successor)
        {
            sendTimeoutNow(successor);
        }
        becomeFollower(term, NO_LEADER);
    }

    private void maybeAutoLeave()
    {
        final Membership membership = tracker.membership();
        if (role == Role.LEADER && membership.isJoint() && membership.autoLeave() && pendingConfIndices.isEmpty())
        {
            final int length = confChangeCodec.encode(ConfChange.leaveJoint(), confChangeBuffer, 0);
            appendAsLeader(EntryType.CONF_CHANGE, 0, confChangeBuffer, 0, length);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Message newMessage(final MessageType type, final int to)
    {
        final Message message = messagePool.acquire(type);
        message.type = type;
        message.clusterId = clusterId;
        message.groupId = groupId;
        message.from = self;
        message.to = to;
        message.term = term;
        return message;
    }

    /** Reads and decodes the CONF_CHANGE entry at one index. */
    private final class ConfChangeReader implements EntryVisitor
    {
        private ConfChange change;

        ConfChange read(final long index)
        {
            change = null;
            raftLog.read(index, index, Long.MAX_VALUE, this);
            return change;
        }

        public void visit(
            final long index, final long term, final EntryType type, final long timestamp,
            final DirectBuffer payload, final int offset, final int length)
        {
            if (type == EntryType.CONF_CHANGE)
            {
                try
                {
                    change = confChangeCodec.decode(payload, offset, length);
                }
                catch (final IllegalArgumentException ex)
                {
                    change = null;
                }
            }
        }
    }
}
