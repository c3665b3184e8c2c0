/*
 * ringraft
 */
package io.ringraft.tools.kv;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ringraft kv delete KEY --config FILE}. */
@Command(name = "delete", mixinStandardHelpOptions = true,
    description = "Deletes KEY; prints OK, or exits with 1 when it did not exist.")
public final class KvDeleteCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private KvClientArgs args;

    @Parameters(index = "0", paramLabel = "KEY")
    private String key;

    public Integer call()
    {
        return args.run(key, null, client ->
        {
            if (!client.delete(KvClientArgs.utf8(key)))
            {
                spec.commandLine().getErr().println("not found: " + key);
                return KvCommand.NOT_FOUND;
            }
            spec.commandLine().getOut().println("OK");
            return 0;
        });
    }
}
