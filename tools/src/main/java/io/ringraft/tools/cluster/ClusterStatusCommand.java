/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.codecs.sbe.MemberRole;
import io.ringraft.daemon.client.AdminReply;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.time.Duration;

/** {@code ringraft cluster status}: every member's STATUS, a member that does not answer shown DEAD. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
        "Asks every member for its status: UP, REMOVED (from every group: it serves nothing) or DEAD, pid, " +
            "version, uptime; per group its role (REMOVED: no longer in the group), term, leader, commit and " +
            "applied index, apply lag and how long ago it last heard from its leader.",
    },
    footer = {
        "%nExamples:",
        "  ringraft cluster status --endpoints 10.0.0.1:9101,10.0.0.2:9101,10.0.0.3:9101",
        "  RINGRAFT_ENDPOINTS=10.0.0.1:9101,10.0.0.2:9101 ringraft cluster status -o json",
        "  ringraft cluster status --config member-1.properties",
        ClusterExit.FOOTER,
        "Status exits 0 when at least one member answered, 3 when none did.",
    })
public final class ClusterStatusCommand extends AdminCommandBase
{
    public ClusterStatusCommand()
    {
        this(AdminChannels::open);
    }

    public ClusterStatusCommand(final ClusterArgs.ChannelFactory channels)
    {
        super(channels);
    }

    @Override
    int run(final ClusterSession session, final PrintWriter out, final PrintWriter err)
    {
        session.probes();
        if (args.json())
        {
            out.println(json(session));
        }
        else
        {
            table(session, out);
        }
        return noneReachable(session, err) ? ClusterExit.UNREACHABLE : ClusterExit.OK;
    }

    private static void table(final ClusterSession session, final PrintWriter out)
    {
        out.printf("%-6s %-22s %-7s %-8s %-16s %s%n", "MEMBER", "ENDPOINT", "STATE", "PID", "VERSION", "UPTIME");
        for (final ClusterSession.Probe probe : session.probes())
        {
            final Integer id = session.memberAt(probe.endpoint());
            if (probe.reachable())
            {
                final AdminReply r = probe.reply();
                out.printf("%-6d %-22s %-7s %-8d %-16s %s%n", r.respondingMember(), probe.endpoint(), state(r), r.pid(),
                    r.version(), duration(r.uptimeMs()));
            }
            else
            {
                out.printf("%-6s %-22s %-7s %-8s %-16s %s%n", null == id ? "?" : id.toString(), probe.endpoint(),
                    "DEAD", "-", "-", "- (" + probe.unreachable() + ")");
            }
        }
        out.println();
        out.printf("%-5s %-6s %-13s %-6s %-6s %-10s %-10s %-6s %s%n",
            "GROUP", "MEMBER", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED", "LAG", "LEADER-CONTACT");
        for (int g = 0; g < session.groups(); g++)
        {
            for (final ClusterSession.Probe probe : session.probes())
            {
                if (!probe.reachable())
                {
                    continue;
                }
                for (final AdminReply.GroupInfo group : probe.reply().groups())
                {
                    if (group.groupId() == g)
                    {
                        out.printf("%-5d %-6d %-13s %-6d %-6s %-10d %-10d %-6d %s%n", g,
                            probe.reply().respondingMember(), group.role(), group.term(),
                            group.leader() < 0 ? "-" : Integer.toString(group.leader()), group.commitIndex(),
                            group.appliedIndex(), group.lag(), group.leaderContactAgeMs() + " ms ago");
                    }
                }
            }
        }
    }

    private static String json(final ClusterSession session)
    {
        final Json json = new Json().begin().beginArray("members");
        for (final ClusterSession.Probe probe : session.probes())
        {
            final Integer id = session.memberAt(probe.endpoint());
            json.begin().field("endpoint", probe.endpoint());
            if (null != id)
            {
                json.field("member", id);
            }
            json.field("state", probe.reachable() ? state(probe.reply()) : "DEAD");
            if (!probe.reachable())
            {
                json.field("error", probe.unreachable()).end();
                continue;
            }
            final AdminReply r = probe.reply();
            json.field("pid", r.pid()).field("version", r.version()).field("uptimeMs", r.uptimeMs())
                .beginArray("groups");
            for (final AdminReply.GroupInfo g : r.groups())
            {
                json.begin().field("group", g.groupId()).field("role", g.role().name()).field("term", g.term())
                    .field("leader", g.leader()).field("commitIndex", g.commitIndex())
                    .field("appliedIndex", g.appliedIndex()).field("lag", g.lag())
                    .field("leaderContactAgeMs", g.leaderContactAgeMs()).end();
            }
            json.endArray().end();
        }
        json.endArray().beginArray("groups");
        for (int g = 0; g < session.groups(); g++)
        {
            json.begin().field("group", g).field("leader", session.leaderOf(g)).end();
        }
        return json.endArray().end().toString();
    }

    /** UP, or REMOVED when the member answers but every group it hosts has removed it (it serves nothing). */
    private static String state(final AdminReply reply)
    {
        final boolean removed = !reply.groups().isEmpty() &&
            reply.groups().stream().allMatch(g -> g.role() == MemberRole.REMOVED);
        return removed ? "REMOVED" : "UP";
    }

    static String duration(final long millis)
    {
        final Duration d = Duration.ofMillis(Math.max(0, millis));
        if (d.toHours() > 0)
        {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0)
        {
            return d.toMinutes() + "m" + d.toSecondsPart() + "s";
        }
        return d.toSeconds() + "s";
    }
}
