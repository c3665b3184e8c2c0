/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ringraft cluster}: the cluster as a whole. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "See the cluster: every member, alive or not, and who leads each group.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        ClusterStatusCommand.class,
    })
public final class ClusterCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: cluster status");
    }
}
