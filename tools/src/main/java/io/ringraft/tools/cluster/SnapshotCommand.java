/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.daemon.client.AdminReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** {@code ringraft snapshot}: every reachable member snapshots its groups now. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = {
        "Asks every member to snapshot every group (or --group G) now, at the index it has applied, instead of " +
            "waiting for snapshot.entries more entries; each member compacts its log behind the snapshot.",
    },
    footer = {
        "%nExamples:",
        "  ringraft snapshot --endpoints 10.0.0.1:9101,10.0.0.2:9101,10.0.0.3:9101",
        "  ringraft snapshot --group 0 -o json --config member-1.properties",
        ClusterExit.FOOTER,
        "A member that does not answer is reported and makes the exit code 3 (1 if another refused).",
    })
public final class SnapshotCommand extends AdminCommandBase
{
    @Option(names = "--group", paramLabel = "G", defaultValue = "-1", description = "Only this group (default: every group).")
    int group;

    public SnapshotCommand()
    {
        this(AdminChannels::open);
    }

    public SnapshotCommand(final ClusterArgs.ChannelFactory channels)
    {
        super(channels);
    }

    @Override
    int run(final ClusterSession session, final PrintWriter out, final PrintWriter err)
    {
        int exit = ClusterExit.OK;
        final Json json = new Json().begin().beginArray("snapshots");
        for (final String endpoint : sessionEndpoints(session))
        {
            final ClusterSession.Probe probe = session.ask(endpoint, AdminAction.SNAPSHOT, group, -1, "");
            if (!probe.reachable())
            {
                err.println(endpoint + ": DEAD (" + probe.unreachable() + ")");
                exit = exit == ClusterExit.FAILED ? exit : ClusterExit.UNREACHABLE;
                continue;
            }
            final AdminReply reply = probe.reply();
            if (!reply.ok())
            {
                err.println("member " + reply.respondingMember() + ": " + reply.status() + ": " + reply.error());
                exit = ClusterExit.FAILED;
                continue;
            }
            for (final AdminReply.GroupInfo g : reply.groups())
            {
                // appliedIndex carries the index the snapshot covers; 0: the newest snapshot covered it already.
                json.begin().field("member", reply.respondingMember()).field("group", g.groupId())
                    .field("index", g.appliedIndex()).end();
                if (!args.json())
                {
                    out.println("member " + reply.respondingMember() + " group " + g.groupId() + ": " +
                        (g.appliedIndex() > 0 ? "snapshot at index " + g.appliedIndex() :
                        "nothing new since its newest snapshot"));
                }
            }
        }
        if (args.json())
        {
            out.println(json.endArray().end());
        }
        return exit;
    }

    private static java.util.List<String> sessionEndpoints(final ClusterSession session)
    {
        return session.targets().endpoints();
    }
}
