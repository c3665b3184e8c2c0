/*
 * ringraft
 */
package io.ringraft.tools.secret;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ringraft secret}: the cluster's secret, which authenticates every peer and client frame. */
@Command(
    name = "secret",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Manage the cluster's secret: 32 random bytes in a key file (one line of hex, readable by its owner only) "
            + "that every member names with secret.file. Frames are signed with keys derived from it "
            + "(HMAC-SHA-256, truncated to 16 bytes); a frame without the right signature is dropped and counted.",
        ""
    },
    subcommands = {
        SecretNewCommand.class,
        SecretClientKeyCommand.class,
    })
public final class SecretCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: new or client-key");
    }
}
