package io.ringraft.daemon.server;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.AdminRequestDecoder;
import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.codecs.sbe.MemberRole;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.AdminReply;
import io.ringraft.pipeline.GroupStatus;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import io.ringraft.raft.Membership;
import io.ringraft.raft.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Answers the admin protocol's requests ({@code AdminRequest}) from one member's node: STATUS and SNAPSHOT about this
 * member, answered by any member; MEMBERS and the changes (ADD_MEMBER, ADD_LEARNER, PROMOTE_LEARNER, REMOVE_MEMBER,
 * TRANSFER_LEADER) only by the group's leader, others answer NOT_LEADER with the leader they know.
 * <p>
 * Every answer comes through a future, completed on the node's raft stage or apply stage: whoever sends answers back
 * (the client endpoint) must not wait for it on its own thread. Admin requests are an operator's, a few a second:
 * this class allocates freely and is not on any hot path.
 */
public final class AdminService
{
    /** When this process started (the JVM's, not the node's: a restart of the process is what an operator sees). */
    private static final long STARTED_MS = ProcessHandle.current().info().startInstant()
        .map(java.time.Instant::toEpochMilli).orElse(System.currentTimeMillis());

    private final RingraftNode node;
    private final String version;
    private final long pid;
    /** Peer endpoints this member knows: its configuration's, and those of members added through it. */
    private final Map<Integer, String> endpoints = new ConcurrentHashMap<>();

    /**
     * @param peerEndpoints every member's peer endpoint ({@code host:port}) from the configuration.
     * @param version       this member's software version, as operators see it.
     */
    public AdminService(final RingraftNode node, final Map<Integer, String> peerEndpoints, final String version)
    {
        this.node = node;
        this.version = null == version ? "dev" : version;
        this.pid = ProcessHandle.current().pid();
        endpoints.putAll(peerEndpoints);
    }

    /** The software version of these classes as the jar manifest says, or "dev" when run from classes. */
    public static String softwareVersion()
    {
        final String version = AdminService.class.getPackage().getImplementationVersion();
        return null == version ? "dev" : version;
    }

    /** Answers a decoded request (the decoder is read before this returns). */
    public CompletableFuture<AdminReply> handle(final AdminRequestDecoder request)
    {
        final AdminAction action = request.action();
        final int groupId = request.groupId();
        final int memberId = request.memberId();
        final String endpoint = request.endpoint();
        return handle(action, groupId, memberId, endpoint);
    }

    /**
     * @param groupId  the group, or -1 for every group (STATUS, SNAPSHOT only).
     * @param memberId the member added, removed, promoted, or led to (-1: the most caught-up voter).
     * @param endpoint the peer endpoint ({@code host:port}) of a member being added.
     */
    public CompletableFuture<AdminReply> handle(
        final AdminAction action, final int groupId, final int memberId, final String endpoint)
    {
        if (null == action || AdminAction.NULL_VAL == action)
        {
            return done(invalid("unknown admin action; this member serves " + List.of(AdminAction.values())));
        }
        if (groupId < -1 || groupId >= node.groups())
        {
            return done(invalid("group " + groupId + " does not exist: this member hosts groups 0.." +
                (node.groups() - 1) + " (-1 for every group)"));
        }
        try
        {
            return switch (action)
            {
                case STATUS -> status(groupId);
                case SNAPSHOT -> snapshot(groupId);
                case MEMBERS -> withGroup(action, groupId, () -> members(groupId));
                case TRANSFER_LEADER -> withGroup(action, groupId, () -> transfer(groupId, memberId));
                case ADD_MEMBER -> change(action, groupId, ConfChangeType.ADD_VOTER, memberId, endpoint);
                case ADD_LEARNER -> change(action, groupId, ConfChangeType.ADD_LEARNER, memberId, endpoint);
                case PROMOTE_LEARNER -> change(action, groupId, ConfChangeType.PROMOTE_LEARNER, memberId, endpoint);
                case REMOVE_MEMBER -> change(action, groupId, ConfChangeType.REMOVE_MEMBER, memberId, endpoint);
                default -> done(invalid("admin action " + action + " is not served"));
            };
        }
        catch (final RuntimeException ex)
        {
            return done(error(action + " failed: " + ex.getMessage()));
        }
    }

    // ------------------------------------------------------------------ actions

    private CompletableFuture<AdminReply> status(final int groupId)
    {
        final List<CompletableFuture<GroupStatus>> asked = new ArrayList<>();
        for (int g = 0; g < node.groups(); g++)
        {
            if (groupId < 0 || g == groupId)
            {
                asked.add(node.groupStatus(g));
            }
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).handle((ignored, failure) ->
        {
            if (null != failure)
            {
                return error("STATUS failed: " + rootMessage(failure));
            }
            final List<AdminReply.GroupInfo> groups = new ArrayList<>();
            for (final CompletableFuture<GroupStatus> future : asked)
            {
                final GroupStatus s = future.join();
                groups.add(new AdminReply.GroupInfo(s.groupId(), role(s), s.term(), s.leader(),
                    s.commitIndex(), s.appliedIndex(), s.lastIndex(), s.leaderContactAgeMs()));
            }
            return reply(ResponseStatus.OK, -1, List.of(), groups, "");
        });
    }

    private CompletableFuture<AdminReply> snapshot(final int groupId)
    {
        final List<CompletableFuture<Long>> asked = new ArrayList<>();
        final List<CompletableFuture<GroupStatus>> statuses = new ArrayList<>();
        final List<AdminReply.GroupInfo> groups = new ArrayList<>();
        for (int g = 0; g < node.groups(); g++)
        {
            if (groupId < 0 || g == groupId)
            {
                asked.add(node.snapshot(g));
                statuses.add(node.groupStatus(g));
            }
        }
        final List<CompletableFuture<?>> all = new ArrayList<>(asked);
        all.addAll(statuses);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((ignored, failure) ->
        {
            if (null != failure)
            {
                return error("SNAPSHOT failed: " + rootMessage(failure));
            }
            // The index each snapshot covers is in appliedIndex (0: the newest snapshot already covered it).
            for (int i = 0; i < asked.size(); i++)
            {
                final GroupStatus s = statuses.get(i).join();
                groups.add(new AdminReply.GroupInfo(s.groupId(), role(s), s.term(), s.leader(),
                    s.commitIndex(), asked.get(i).join(), s.lastIndex(), s.leaderContactAgeMs()));
            }
            return reply(ResponseStatus.OK, -1, List.of(), groups, "");
        });
    }

    private CompletableFuture<AdminReply> members(final int groupId)
    {
        return node.groupStatus(groupId).thenApply(status ->
        {
            final Membership membership = status.membership();
            final List<AdminReply.MemberInfo> members = new ArrayList<>();
            for (final int voter : membership.voters())
            {
                members.add(member(status, voter, voter == status.leader() ? MemberRole.LEADER : MemberRole.FOLLOWER));
            }
            for (final int outgoing : membership.outgoingVoters())
            {
                if (!membership.isVoter(outgoing) && !membership.isLearner(outgoing))
                {
                    members.add(member(status, outgoing, MemberRole.FOLLOWER));
                }
            }
            for (final int learner : membership.learners())
            {
                members.add(member(status, learner, MemberRole.LEARNER));
            }
            for (final int learner : membership.learnersNext())
            {
                members.add(member(status, learner, MemberRole.FOLLOWER));
            }
            return reply(ResponseStatus.OK, status.leader(), members, List.of(), "");
        });
    }

    private AdminReply.MemberInfo member(final GroupStatus status, final int memberId, final MemberRole role)
    {
        final Long match = status.matchIndex().get(memberId);
        // A member added at runtime through another member (or before a restart) is known from the configuration.
        final String endpoint = endpoints.getOrDefault(memberId, status.membership().endpoints().get(memberId));
        return new AdminReply.MemberInfo(memberId, role, null == match ? -1 : match, null == endpoint ? "" : endpoint);
    }

    private CompletableFuture<AdminReply> transfer(final int groupId, final int target)
    {
        return node.groupStatus(groupId).thenCompose(status ->
        {
            int to = target;
            if (to < 0)
            {
                long best = -1;
                for (final int voter : status.membership().voters())
                {
                    final long match = status.matchIndex().getOrDefault(voter, -1L);
                    if (voter != status.memberId() && match > best)
                    {
                        best = match;
                        to = voter;
                    }
                }
                if (to < 0)
                {
                    return done(error("TRANSFER_LEADER: group " + groupId + " has no other voter to lead it"));
                }
            }
            else if (!status.membership().isVoter(to))
            {
                return done(invalid("TRANSFER_LEADER: member " + to + " is not a voter of group " + groupId +
                    "; voters are " + java.util.Arrays.toString(status.membership().voters())));
            }
            else if (to == status.memberId())
            {
                return done(reply(ResponseStatus.OK, to, List.of(), List.of(), ""));
            }
            final int chosen = to;
            return node.transferLeadership(groupId, chosen).thenCompose(started ->
                Status.OK != started.status() ? done(fromResult("TRANSFER_LEADER", started)) :
                    awaitLeader(groupId, chosen, System.nanoTime() + TimeUnit.SECONDS.toNanos(2)));
        });
    }

    /** Answers once {@code target} leads (OK, hint = target) or the deadline passes (TIMEOUT, hint = who leads). */
    private CompletableFuture<AdminReply> awaitLeader(final int groupId, final int target, final long deadlineNs)
    {
        return node.groupStatus(groupId).thenCompose(status ->
        {
            if (status.leader() == target)
            {
                return done(reply(ResponseStatus.OK, target, List.of(), List.of(), ""));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return done(reply(ResponseStatus.TIMEOUT, status.leader(), List.of(), List.of(),
                    "leadership of group " + groupId + " did not reach member " + target + " within 2 s; leader is " +
                    status.leader()));
            }
            return CompletableFuture.supplyAsync(() -> null,
                CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> awaitLeader(groupId, target, deadlineNs));
        });
    }

    private CompletableFuture<AdminReply> change(
        final AdminAction action, final int groupId, final ConfChangeType type, final int memberId,
        final String endpoint)
    {
        if (memberId < 0)
        {
            return done(invalid(action + ": name the member (memberId >= 0)"));
        }
        final boolean adds = ConfChangeType.ADD_VOTER == type || ConfChangeType.ADD_LEARNER == type;
        if (adds && (null == endpoint || endpoint.isEmpty()) && !endpoints.containsKey(memberId))
        {
            return done(invalid(action + ": member " + memberId + " is new to this member: give its peer endpoint " +
                "(host:port)"));
        }
        return withGroup(action, groupId, () ->
        {
            final String peerEndpoint = adds && null != endpoint && !endpoint.isEmpty() ?
                endpoint : endpoints.getOrDefault(memberId, "");
            if (adds)
            {
                endpoints.put(memberId, peerEndpoint);
            }
            return node.changeMembership(groupId, type, memberId, adds ? peerEndpoint : "")
                .thenApply(result -> fromResult(action.name(), result));
        });
    }

    /** Runs {@code action} if this member leads {@code groupId}, else answers NOT_LEADER with the leader it knows. */
    private CompletableFuture<AdminReply> withGroup(
        final AdminAction action, final int groupId, final java.util.function.Supplier<CompletableFuture<AdminReply>> run)
    {
        if (groupId < 0)
        {
            return done(invalid(action + " needs a group (0.." + (node.groups() - 1) + "), not every group"));
        }
        return node.groupStatus(groupId).thenCompose(status -> status.role() != Role.LEADER ?
            done(reply(ResponseStatus.NOT_LEADER, status.leader(), List.of(), List.of(),
                "member " + node.memberId() + " does not lead group " + groupId +
                (status.leader() < 0 ? "; no leader known" : "; member " + status.leader() + " does"))) :
            run.get());
    }

    // ------------------------------------------------------------------ replies

    private AdminReply fromResult(final String what, final Result result)
    {
        return switch (result.status())
        {
            case OK -> reply(ResponseStatus.OK, result.leaderHint(), List.of(), List.of(), "");
            case NOT_LEADER -> reply(ResponseStatus.NOT_LEADER, result.leaderHint(), List.of(), List.of(),
                what + ": member " + node.memberId() + " no longer leads the group");
            case TIMEOUT -> reply(ResponseStatus.TIMEOUT, result.leaderHint(), List.of(), List.of(),
                what + ": not applied within the request timeout; check with the member list before retrying");
            case BACK_PRESSURED -> reply(ResponseStatus.BACK_PRESSURED, result.leaderHint(), List.of(), List.of(),
                what + ": the member is busy; retry");
            default -> error(what + " refused: " + result.valueAsString());
        };
    }

    private AdminReply reply(
        final ResponseStatus status, final int leaderHint, final List<AdminReply.MemberInfo> members,
        final List<AdminReply.GroupInfo> groups, final String error)
    {
        return new AdminReply(status, leaderHint, node.memberId(), pid, System.currentTimeMillis() - STARTED_MS,
            version, members, groups, error);
    }

    private AdminReply invalid(final String why)
    {
        return reply(ResponseStatus.INVALID_REQUEST, -1, List.of(), List.of(), why);
    }

    private AdminReply error(final String why)
    {
        return reply(ResponseStatus.ERROR, -1, List.of(), List.of(), why);
    }

    /**
     * REMOVED when the group's configuration no longer has this member although it has a log: a configuration entry
     * removed it (a member about to join has no log: nobody sends it anything before it is added). While a joining
     * member installs a snapshot older than the entry that adds it, it shows REMOVED until that entry arrives.
     */
    private MemberRole role(final GroupStatus status)
    {
        return !status.membership().contains(node.memberId()) && status.lastIndex() > 0 ?
            MemberRole.REMOVED : role(status.role());
    }

    private static MemberRole role(final Role role)
    {
        return switch (role)
        {
            case FOLLOWER -> MemberRole.FOLLOWER;
            case PRE_CANDIDATE -> MemberRole.PRE_CANDIDATE;
            case CANDIDATE -> MemberRole.CANDIDATE;
            case LEADER -> MemberRole.LEADER;
            case LEARNER -> MemberRole.LEARNER;
        };
    }

    private static String rootMessage(final Throwable failure)
    {
        Throwable cause = failure;
        while (null != cause.getCause())
        {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }

    private static <T> CompletableFuture<T> done(final T value)
    {
        return CompletableFuture.completedFuture(value);
    }
}
