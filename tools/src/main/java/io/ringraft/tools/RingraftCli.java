/*
 * ringraft
 */
package io.ringraft.tools;

import io.ringraft.tools.cluster.ClusterCommand;
import io.ringraft.tools.cluster.LeaderCommand;
import io.ringraft.tools.cluster.MemberCommand;
import io.ringraft.tools.cluster.SnapshotCommand;
import io.ringraft.tools.counters.CountersCommand;
import io.ringraft.tools.kv.KvCommand;
import io.ringraft.tools.log.LogCommand;
import io.ringraft.tools.perf.PerfCommand;
import io.ringraft.tools.secret.SecretCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * Entry point of {@code bin/ringraft}. Each subcommand is its own class with its own {@code --help}; a new tool
 * becomes available by adding its class to {@code subcommands} below, one per line so parallel additions merge.
 */
@Command(
    name = "ringraft",
    mixinStandardHelpOptions = true,
    versionProvider = RingraftCli.Version.class,
    description = "ringraft: a Raft replication engine whose hot path is a ring-buffer pipeline.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        CommandLine.HelpCommand.class,
        DemoCommand.class,
        SelfCheckCommand.class,
        LogCommand.class,
        CountersCommand.class,
        KvCommand.class,
        PerfCommand.class,
        SecretCommand.class,
        ClusterCommand.class,
        MemberCommand.class,
        LeaderCommand.class,
        SnapshotCommand.class,
    })
public final class RingraftCli implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    /**
     * @return the command line with every subcommand registered; tests execute it in-process.
     */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new RingraftCli()).setCaseInsensitiveEnumValuesAllowed(true);
        final CommandLine.IParameterExceptionHandler withUsage = commandLine.getParameterExceptionHandler();
        return commandLine.setParameterExceptionHandler((ex, args) ->
            ex.getCommandLine().getCommand() instanceof PerfCommand ?
                PerfCommand.oneLineUsage(ex) : withUsage.handleParseException(ex, args));
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    public Integer call()
    {
        // Without a subcommand there is nothing to do: say so with the usage, the way a missing argument is reported.
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    /** Reports the version Maven wrote into the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            final String version = RingraftCli.class.getPackage().getImplementationVersion();
            return new String[]{"ringraft " + (null == version ? "dev" : version)};
        }
    }
}
