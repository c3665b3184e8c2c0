/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.daemon.client.AdminChannel;
import io.ringraft.daemon.client.AdminReply;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Runs one cluster-administration command: targets, a channel, one-line errors and the documented exit codes. */
abstract class AdminCommandBase implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterArgs args;

    private final ClusterArgs.ChannelFactory channels;

    AdminCommandBase(final ClusterArgs.ChannelFactory channels)
    {
        this.channels = channels;
    }

    @Override
    public final Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        final ClusterArgs.Targets targets;
        try
        {
            targets = args.targets(System.getenv());
            checkArguments();
        }
        catch (final ClusterArgs.UsageException ex)
        {
            err.println(ex.getMessage());
            return ClusterExit.USAGE;
        }
        try (AdminChannel channel = channels.open(targets, args))
        {
            return run(new ClusterSession(channel, targets, args.timeout), spec.commandLine().getOut(), err);
        }
        catch (final ClusterArgs.UsageException ex)
        {
            err.println(ex.getMessage());
            return ClusterExit.USAGE;
        }
        catch (final ClusterSession.NoLeaderException ex)
        {
            err.println(ex.getMessage());
            return ClusterExit.UNREACHABLE;
        }
    }

    /** Checks the command's own arguments before anything is sent. */
    void checkArguments()
    {
    }

    abstract int run(ClusterSession session, PrintWriter out, PrintWriter err) throws ClusterSession.NoLeaderException;

    /** Exit code 3 unless some member answered. */
    static boolean noneReachable(final ClusterSession session, final PrintWriter err)
    {
        for (final ClusterSession.Probe probe : session.probes())
        {
            if (probe.reachable())
            {
                return false;
            }
        }
        err.println("no member answered: " + session.probes().stream()
            .map(p -> p.endpoint() + " (" + p.unreachable() + ")").reduce((a, b) -> a + ", " + b).orElse("no targets"));
        return true;
    }

    /** OK → 0; a refusal → its one line on stderr and 1. */
    static int outcome(final AdminReply reply, final String what, final PrintWriter out, final PrintWriter err)
    {
        if (reply.ok())
        {
            out.println(what);
            return ClusterExit.OK;
        }
        err.println(reply.status() + ": " + reply.error());
        return ClusterExit.FAILED;
    }
}
