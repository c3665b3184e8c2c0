/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.client.AdminChannel;
import io.ringraft.daemon.client.AdminReply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One command's conversation with the cluster: asks every member for its status, learns which endpoint is which
 * member, and sends a group's request to its leader, following NOT_LEADER hints.
 */
final class ClusterSession
{
    /** One member's answer to STATUS, or why it gave none. */
    record Probe(String endpoint, AdminReply reply, String unreachable)
    {
        boolean reachable()
        {
            return null != reply;
        }
    }

    /** A group's leader could not be reached (or no member knows one): exit code 3. */
    static final class NoLeaderException extends Exception
    {
        private static final long serialVersionUID = 1L;

        NoLeaderException(final String message)
        {
            super(message);
        }
    }

    private static final int MAX_REDIRECTS = 3;

    private final AdminChannel channel;
    private final ClusterArgs.Targets targets;
    private final Duration timeout;
    private final Map<Integer, String> endpointOf = new HashMap<>();
    private List<Probe> probes;

    ClusterSession(final AdminChannel channel, final ClusterArgs.Targets targets, final Duration timeout)
    {
        this.channel = channel;
        this.targets = targets;
        this.timeout = timeout;
        targets.memberIds().forEach((endpoint, id) -> endpointOf.put(id, endpoint));
    }

    ClusterArgs.Targets targets()
    {
        return targets;
    }

    /** STATUS of every target, in the targets' order; asked once per session. */
    List<Probe> probes()
    {
        if (null == probes)
        {
            probes = new ArrayList<>();
            for (final String endpoint : targets.endpoints())
            {
                probes.add(ask(endpoint, AdminAction.STATUS, -1, -1, ""));
            }
        }
        return probes;
    }

    Probe ask(final String endpoint, final AdminAction action, final int groupId, final int memberId, final String peer)
    {
        try
        {
            final AdminReply reply = channel.request(endpoint, action, groupId, memberId, peer, timeout);
            endpointOf.putIfAbsent(reply.respondingMember(), endpoint);
            return new Probe(endpoint, reply, null);
        }
        catch (final AdminChannel.UnreachableException ex)
        {
            return new Probe(endpoint, null, ex.getMessage());
        }
    }

    /** The member id each endpoint belongs to, as far as known (the config's, and those that answered). */
    Integer memberAt(final String endpoint)
    {
        for (final Map.Entry<Integer, String> entry : endpointOf.entrySet())
        {
            if (entry.getValue().equals(endpoint))
            {
                return entry.getKey();
            }
        }
        return null;
    }

    /** Number of groups, as the reachable members report it; 0 when none is reachable. */
    int groups()
    {
        int groups = 0;
        for (final Probe probe : probes())
        {
            if (probe.reachable())
            {
                groups = Math.max(groups, probe.reply().groups().size());
            }
        }
        return groups;
    }

    /** The leader of the newest term any reachable member knows of for the group, or -1. */
    int leaderOf(final int groupId)
    {
        int leader = -1;
        long term = -1;
        for (final Probe probe : probes())
        {
            if (!probe.reachable())
            {
                continue;
            }
            for (final AdminReply.GroupInfo group : probe.reply().groups())
            {
                if (group.groupId() == groupId && group.leader() >= 0 && group.term() > term)
                {
                    leader = group.leader();
                    term = group.term();
                }
            }
        }
        return leader;
    }

    /**
     * Sends a request about {@code groupId} to its leader, following NOT_LEADER hints a few times.
     *
     * @throws NoLeaderException when no leader is known or the leader does not answer.
     */
    AdminReply askLeader(final int groupId, final AdminAction action, final int memberId, final String peer)
        throws NoLeaderException
    {
        int leader = leaderOf(groupId);
        for (int attempt = 0; attempt <= MAX_REDIRECTS; attempt++)
        {
            if (leader < 0)
            {
                throw new NoLeaderException("group " + groupId + " has no leader that a reachable member knows of");
            }
            final String endpoint = endpointOf.get(leader);
            if (null == endpoint)
            {
                throw new NoLeaderException("group " + groupId + " is led by member " + leader + ", whose client " +
                    "endpoint is not among the targets: add it to --endpoints");
            }
            final Probe probe = ask(endpoint, action, groupId, memberId, peer);
            if (!probe.reachable())
            {
                throw new NoLeaderException("group " + groupId + "'s leader, member " + leader + " at " + endpoint +
                    ", did not answer: " + probe.unreachable());
            }
            if (ResponseStatus.NOT_LEADER != probe.reply().status() || probe.reply().leaderHint() == leader)
            {
                return probe.reply();
            }
            leader = probe.reply().leaderHint();
        }
        throw new NoLeaderException("group " + groupId + "'s leadership moved " + MAX_REDIRECTS + " times while asked");
    }
}
