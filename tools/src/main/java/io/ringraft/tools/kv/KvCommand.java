/*
 * ringraft
 */
package io.ringraft.tools.kv;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code ringraft kv}: one request to a running KV cluster. Here rather than in the daemon's own main: {@code
 * bin/ringraft} is the operator's one command line, and the daemon's main stays the server and nothing else.
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Read and write keys of a running ringraft KV cluster. Keys and values are UTF-8 text on the command line.",
        "Exit code: 0 done, 1 the key does not exist (get, delete) or does not hold the expected value (cas), "
            + "2 usage or config error (also an empty or too "
            + "long KEY or VALUE, a bad --response-host, or no local address to receive responses on), 3 the request failed "
            + "(the message names the member and its answer, or says that none answered in time).",
        ""
    },
    subcommands = {
        KvPutCommand.class,
        KvGetCommand.class,
        KvDeleteCommand.class,
        KvCasCommand.class,
    })
public final class KvCommand implements Callable<Integer>
{
    static final int NOT_FOUND = 1;
    static final int USAGE = 2;
    static final int FAILED = 3;

    @Spec
    private CommandSpec spec;

    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: put, get, delete or cas");
    }
}
