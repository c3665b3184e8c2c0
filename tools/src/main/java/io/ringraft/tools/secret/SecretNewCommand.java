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

/** {@code ringraft secret new FILE}: a new random cluster secret in a new key file, mode 0600. */
@Command(
    name = "new",
    mixinStandardHelpOptions = true,
    description = {
        "Write a new random cluster secret to FILE (created with mode 0600; an existing file is never "
            + "overwritten). Copy it to every member, keeping it readable by its owner only, and name it in each "
            + "member's config: secret.file = FILE.",
        "Exit code: 0 written, 2 FILE exists or cannot be written.",
        ""
    })
public final class SecretNewCommand implements Callable<Integer>
{
    public static final int WRITTEN = 0;
    public static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The key file to create.")
    private Path file;

    public Integer call()
    {
        try
        {
            ClusterSecret.generate().writeNew(file);
        }
        catch (final IllegalArgumentException ex)
        {
            spec.commandLine().getErr().println("ringraft secret new: " + ex.getMessage());
            return USAGE;
        }
        spec.commandLine().getOut().println("wrote a new cluster secret to " + file +
            " (mode 0600); name it in every member's config: secret.file = " + file);
        return WRITTEN;
    }
}
