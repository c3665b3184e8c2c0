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

import java.util.List;
import java.util.concurrent.Callable;

/** {@code ringraft kv cas KEY EXPECTED NEW --config FILE}, or {@code --absent KEY NEW}. */
@Command(name = "cas", mixinStandardHelpOptions = true,
    description = {
        "Compare-and-set: sets KEY to NEW only if it holds EXPECTED now (with --absent: only if it does not exist), "
            + "as one step of the log; prints OK when it did, or exits with 1 when KEY held something else.",
        "Applied exactly once even when the request is retried (a session), so OK and the exit code 1 are both "
            + "the truth about this request."
    },
    footer = {
        "",
        "Examples:",
        "  ringraft kv put counter 1 --config member-1.conf",
        "  ringraft kv cas counter 1 2 --config member-1.conf        # OK: counter was 1, is 2 now",
        "  ringraft kv cas counter 1 3 --config member-1.conf        # exit 1: counter holds 2, not 1",
        "  ringraft kv cas --absent lock me --config member-1.conf   # OK only for the first to take the lock",
        "",
        "Exit code: 0 set, 1 KEY did not hold EXPECTED (or existed, with --absent), 2 usage or config error, "
            + "3 the request failed."
    })
public final class KvCasCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private KvClientArgs args;

    @Option(names = "--absent", description = "Set KEY only if it does not exist; give KEY NEW, no EXPECTED.")
    private boolean absent;

    @Parameters(index = "0", paramLabel = "KEY")
    private String key;

    @Parameters(index = "1..*", arity = "1..2", paramLabel = "EXPECTED NEW",
        description = "The value KEY must hold, then the value it gets (only NEW with --absent).")
    private List<String> values;

    public Integer call()
    {
        final int wanted = absent ? 1 : 2;
        if (null == values || values.size() != wanted)
        {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + (absent ?
                "with --absent give KEY NEW (no EXPECTED)" : "give KEY EXPECTED NEW (or --absent KEY NEW)") +
                ", not " + (null == values ? 0 : values.size()) + " value(s) after KEY");
            return KvCommand.USAGE;
        }
        final String expected = absent ? null : values.get(0);
        final String value = values.get(wanted - 1);
        if (null != expected)
        {
            final String problem = KvClientArgs.argumentProblem(key, expected);
            if (null != problem)
            {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": EXPECTED: " + problem);
                return KvCommand.USAGE;
            }
        }
        return args.run(key, value, client ->
        {
            final byte[] expectedBytes = null == expected ? null : KvClientArgs.utf8(expected);
            if (!client.compareAndSet(KvClientArgs.utf8(key), expectedBytes, KvClientArgs.utf8(value)))
            {
                spec.commandLine().getErr().println("not set: " + key + (null == expected ?
                    " exists" : " does not hold the expected value"));
                return KvCommand.NOT_FOUND;
            }
            spec.commandLine().getOut().println("OK");
            return 0;
        });
    }
}
