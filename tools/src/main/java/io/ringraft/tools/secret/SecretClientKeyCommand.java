/*
 * ringraft
 */
package io.ringraft.tools.secret;

import io.ringraft.codecs.ClusterSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ringraft secret client-key SECRET FILE}: the client key alone, for hosts that run only clients. */
@Command(
    name = "client-key",
    mixinStandardHelpOptions = true,
    description = {
        "Write the client key derived from the cluster secret in SECRET to FILE (mode 0600; never overwritten). "
            + "A client names it with client.key.file instead of secret.file: it signs client frames only, and "
            + "neither the secret nor the members' peer key can be computed from it.",
        "Exit code: 0 written, 2 SECRET unreadable or FILE exists or cannot be written.",
        ""
    })
public final class SecretClientKeyCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SECRET", description = "The cluster's key file (secret.file).")
    private Path secretFile;

    @Parameters(index = "1", paramLabel = "FILE", description = "The client key file to create.")
    private Path file;

    public Integer call()
    {
        try
        {
            ClusterSecret.load(secretFile).writeClientKey(file);
        }
        catch (final IllegalArgumentException ex)
        {
            spec.commandLine().getErr().println("ringraft secret client-key: " + ex.getMessage());
            return SecretNewCommand.USAGE;
        }
        spec.commandLine().getOut().println("wrote the client key to " + file +
            " (mode 0600); name it in a client's config: client.key.file = " + file);
        return SecretNewCommand.WRITTEN;
    }
}
