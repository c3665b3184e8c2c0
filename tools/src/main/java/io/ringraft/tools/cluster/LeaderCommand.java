/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.daemon.client.AdminReply;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code ringraft leader}: move a group's leadership. */
@Command(
    name = "leader",
    mixinStandardHelpOptions = true,
    description = "Move a group's leadership.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        LeaderCommand.Transfer.class,
    })
public final class LeaderCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: transfer");
    }

    @Command(
        name = "transfer",
        mixinStandardHelpOptions = true,
        description = "Asks a group's leader to hand its leadership to a voter (--to M, default: the most " +
            "caught-up one) and waits until that member leads.",
        footer = {
            "%nExamples:",
            "  ringraft leader transfer --group 0 --to 2 --endpoints 10.0.0.1:9101,10.0.0.2:9101,10.0.0.3:9101",
            "  ringraft leader transfer --group 1 --config member-1.properties",
            ClusterExit.FOOTER,
        })
    public static final class Transfer extends AdminCommandBase
    {
        @Option(names = "--group", required = true, paramLabel = "G", description = "The group.")
        int group;

        @Option(names = "--to", paramLabel = "M", defaultValue = "-1",
            description = "The member to lead it (default: the most caught-up other voter).")
        int to;

        public Transfer()
        {
            this(AdminChannels::open);
        }

        public Transfer(final ClusterArgs.ChannelFactory channels)
        {
            super(channels);
        }

        @Override
        void checkArguments()
        {
            if (group < 0)
            {
                throw new ClusterArgs.UsageException("--group must be >= 0, was " + group);
            }
        }

        @Override
        int run(final ClusterSession session, final PrintWriter out, final PrintWriter err)
            throws ClusterSession.NoLeaderException
        {
            if (noneReachable(session, err))
            {
                return ClusterExit.UNREACHABLE;
            }
            if (group >= session.groups())
            {
                err.println("--group " + group + " does not exist: the cluster has groups 0.." + (session.groups() - 1));
                return ClusterExit.USAGE;
            }
            final int from = session.leaderOf(group);
            final AdminReply reply = session.askLeader(group, AdminAction.TRANSFER_LEADER, to, "");
            return outcome(reply, "group " + group + ": leadership moved from member " + from + " to member " +
                reply.leaderHint(), out, err);
        }
    }
}
