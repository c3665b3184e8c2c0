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

/** {@code ringraft kv put KEY VALUE --config FILE}. */
@Command(name = "put", mixinStandardHelpOptions = true, description = "Sets KEY to VALUE; prints OK once committed.")
public final class KvPutCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private KvClientArgs args;

    @Parameters(index = "0", paramLabel = "KEY")
    private String key;

    @Parameters(index = "1", paramLabel = "VALUE")
    private String value;

    public Integer call()
    {
        return args.run(key, value, client ->
        {
            client.put(KvClientArgs.utf8(key), KvClientArgs.utf8(value));
            spec.commandLine().getOut().println("OK");
            return 0;
        });
    }
}
