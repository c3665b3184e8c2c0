/*
 * ringraft
 */
package io.ringraft.tools.kv;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code ringraft kv get KEY --config FILE [--lease]}. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Prints the value of KEY (a linearizable read); exit code 1 when it does not exist.")
public final class KvGetCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private KvClientArgs args;

    @Parameters(index = "0", paramLabel = "KEY")
    private String key;

    @Option(names = "--lease",
        description = "Read on the leader's lease (LEASE_READ): no heartbeat round with the other members while the " +
            "leader holds its lease, a plain linearizable read otherwise. Safe as long as the members' clocks run " +
            "at the same rate.")
    private boolean lease;

    public Integer call()
    {
        return args.run(key, null, client ->
        {
            final byte[] value = lease ? client.leaseGet(KvClientArgs.utf8(key)) : client.get(KvClientArgs.utf8(key));
            if (null == value)
            {
                spec.commandLine().getErr().println("not found: " + key);
                return KvCommand.NOT_FOUND;
            }
            spec.commandLine().getOut().println(new String(value, StandardCharsets.UTF_8));
            return 0;
        });
    }
}
