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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ringraft member}: list, add, promote and remove members, group by group, through each group's leader. */
@Command(
    name = "member",
    mixinStandardHelpOptions = true,
    description = "List and change the cluster's members (each group's configuration, through its leader).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        MemberCommand.ListMembers.class,
        MemberCommand.Add.class,
        MemberCommand.Promote.class,
        MemberCommand.Remove.class,
    })
public final class MemberCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: list, add, promote or remove");
    }

    /** The groups a command acts on: {@code --group G}, else every group. */
    abstract static class GroupCommand extends AdminCommandBase
    {
        @Option(names = "--group", paramLabel = "G", defaultValue = "-1",
            description = "Only this group (default: every group).")
        int group;

        GroupCommand(final ClusterArgs.ChannelFactory channels)
        {
            super(channels);
        }

        List<Integer> groups(final ClusterSession session)
        {
            final List<Integer> groups = new ArrayList<>();
            for (int g = 0; g < session.groups(); g++)
            {
                if (group < 0 || g == group)
                {
                    groups.add(g);
                }
            }
            if (group >= session.groups())
            {
                throw new ClusterArgs.UsageException("--group " + group + " does not exist: the cluster has groups 0.." +
                    (session.groups() - 1));
            }
            return groups;
        }

        /** Sends one change to every chosen group's leader; 0 when all applied. */
        int changeEveryGroup(
            final ClusterSession session, final PrintWriter out, final PrintWriter err, final AdminAction action,
            final int memberId, final String peer, final String done) throws ClusterSession.NoLeaderException
        {
            if (noneReachable(session, err))
            {
                return ClusterExit.UNREACHABLE;
            }
            int exit = ClusterExit.OK;
            for (final int g : groups(session))
            {
                final AdminReply reply = session.askLeader(g, action, memberId, peer);
                exit = Math.max(exit, outcome(reply, "group " + g + ": " + done, out, err));
            }
            return exit;
        }
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "Each group's members as its leader sees them: role, match index, peer endpoint.",
        footer = {
            "%nExamples:",
            "  ringraft member list --endpoints 10.0.0.1:9101,10.0.0.2:9101,10.0.0.3:9101",
            "  ringraft member list --group 0 -o json --config member-1.properties",
            ClusterExit.FOOTER,
        })
    public static final class ListMembers extends GroupCommand
    {
        public ListMembers()
        {
            this(AdminChannels::open);
        }

        public ListMembers(final ClusterArgs.ChannelFactory channels)
        {
            super(channels);
        }

        @Override
        int run(final ClusterSession session, final PrintWriter out, final PrintWriter err)
            throws ClusterSession.NoLeaderException
        {
            if (noneReachable(session, err))
            {
                return ClusterExit.UNREACHABLE;
            }
            final Json json = new Json().begin().beginArray("groups");
            if (!args.json())
            {
                out.printf("%-5s %-6s %-9s %-12s %s%n", "GROUP", "MEMBER", "ROLE", "MATCH", "PEER-ENDPOINT");
            }
            int exit = ClusterExit.OK;
            for (final int g : groups(session))
            {
                final AdminReply reply = session.askLeader(g, AdminAction.MEMBERS, -1, "");
                if (!reply.ok())
                {
                    err.println("group " + g + ": " + reply.status() + ": " + reply.error());
                    exit = ClusterExit.FAILED;
                    continue;
                }
                json.begin().field("group", g).field("leader", reply.respondingMember()).beginArray("members");
                for (final AdminReply.MemberInfo m : reply.members())
                {
                    if (args.json())
                    {
                        json.begin().field("member", m.memberId()).field("role", m.role().name())
                            .field("matchIndex", m.matchIndex()).field("endpoint", m.endpoint()).end();
                    }
                    else
                    {
                        out.printf("%-5d %-6d %-9s %-12d %s%n", g, m.memberId(), m.role(), m.matchIndex(),
                            m.endpoint().isEmpty() ? "-" : m.endpoint());
                    }
                }
                json.endArray().end();
            }
            if (args.json())
            {
                out.println(json.endArray().end());
            }
            return exit;
        }
    }

    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = {
            "Adds a member to every group (or --group G): as a learner, which receives the log (a snapshot first if " +
                "the log it needs is compacted) but does not vote, unless --voter. Start the new member first, " +
                "with the cluster's original voters as its bootstrap and itself among its members; promote it once " +
                "it has caught up (see member list: its match index).",
        },
        footer = {
            "%nExamples:",
            "  ringraft member add 4 --peer-endpoint 10.0.0.4:9001 --endpoints 10.0.0.1:9101,10.0.0.2:9101",
            "  ringraft member promote 4 --endpoints 10.0.0.1:9101,10.0.0.2:9101",
            ClusterExit.FOOTER,
        })
    public static final class Add extends GroupCommand
    {
        @Parameters(index = "0", paramLabel = "MEMBER", description = "The new member's id.")
        int memberId;

        @Option(names = "--peer-endpoint", required = true, paramLabel = "HOST:PORT",
            description = "Where the other members reach the new one (its peer endpoint).")
        String peerEndpoint;

        @Option(names = "--voter", description = "Add it as a voter at once (it must then catch up to count).")
        boolean voter;

        public Add()
        {
            this(AdminChannels::open);
        }

        public Add(final ClusterArgs.ChannelFactory channels)
        {
            super(channels);
        }

        @Override
        void checkArguments()
        {
            if (memberId < 0)
            {
                throw new ClusterArgs.UsageException("MEMBER must be >= 0, was " + memberId);
            }
            if (!peerEndpoint.matches("[^:\\s]+:\\d{1,5}"))
            {
                throw new ClusterArgs.UsageException("--peer-endpoint '" + peerEndpoint + "' is not HOST:PORT");
            }
        }

        @Override
        int run(final ClusterSession session, final PrintWriter out, final PrintWriter err)
            throws ClusterSession.NoLeaderException
        {
            return changeEveryGroup(session, out, err, voter ? AdminAction.ADD_MEMBER : AdminAction.ADD_LEARNER,
                memberId, peerEndpoint, "member " + memberId + " added as " + (voter ? "voter" : "learner"));
        }
    }

    @Command(
        name = "promote",
        mixinStandardHelpOptions = true,
        description = "Makes a learner a voter in every group (or --group G).",
        footer = {
            "%nExample:",
            "  ringraft member promote 4 --endpoints 10.0.0.1:9101,10.0.0.2:9101,10.0.0.3:9101",
            ClusterExit.FOOTER,
        })
    public static final class Promote extends GroupCommand
    {
        @Parameters(index = "0", paramLabel = "MEMBER", description = "The learner's id.")
        int memberId;

        public Promote()
        {
            this(AdminChannels::open);
        }

        public Promote(final ClusterArgs.ChannelFactory channels)
        {
            super(channels);
        }

        @Override
        int run(final ClusterSession session, final PrintWriter out, final PrintWriter err)
            throws ClusterSession.NoLeaderException
        {
            return changeEveryGroup(session, out, err, AdminAction.PROMOTE_LEARNER, memberId, "",
                "member " + memberId + " promoted to voter");
        }
    }

    @Command(
        name = "remove",
        mixinStandardHelpOptions = true,
        description = "Removes a member from every group (or --group G); the others stop sending to it once the " +
            "change commits. A removed leader hands its leadership over once the change commits.",
        footer = {
            "%nExample:",
            "  ringraft member remove 2 --endpoints 10.0.0.1:9101,10.0.0.3:9101,10.0.0.4:9101",
            ClusterExit.FOOTER,
        })
    public static final class Remove extends GroupCommand
    {
        @Parameters(index = "0", paramLabel = "MEMBER", description = "The member's id.")
        int memberId;

        public Remove()
        {
            this(AdminChannels::open);
        }

        public Remove(final ClusterArgs.ChannelFactory channels)
        {
            super(channels);
        }

        @Override
        int run(final ClusterSession session, final PrintWriter out, final PrintWriter err)
            throws ClusterSession.NoLeaderException
        {
            return changeEveryGroup(session, out, err, AdminAction.REMOVE_MEMBER, memberId, "",
                "member " + memberId + " removed");
        }
    }
}
