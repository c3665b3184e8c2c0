/*
 * ringraft
 */
package io.ringraft.tools.perf;

import io.ringraft.tools.CommandLineTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ringraft perf} refuses bad arguments with one line naming the option, exit code 2, before connecting. */
class PerfArgumentsTest extends CommandLineTest
{
    @TempDir
    Path root;
    private String config;

    @BeforeEach
    void writeConfig() throws IOException
    {
        final Path file = root.resolve("client.conf");
        Files.writeString(file, "cluster.id = 7\n" +
            "members = 1=127.0.0.1:11, 2=127.0.0.1:12, 3=127.0.0.1:13\n" +
            "client.endpoints = 1=127.0.0.1:1, 2=127.0.0.1:2, 3=127.0.0.1:3\n" +
            "security = insecure\n");
        config = file.toString();
    }

    @Test
    void eachBadArgumentIsOneLineNamingTheOption() throws IOException
    {
        Files.createDirectory(root.resolve("empty"));
        final String[][] cases = {
            {"--records", "--records 10 --duration 5s"},
            {"--records", "--records 0"},
            {"--duration", "--duration 0s"},
            {"--record-size", "--record-size -1"},
            {"--record-size", "--record-size 2000000"},
            {"--throughput", "--throughput 0"},
            {"--throughput", "--throughput -5"},
            {"--window", "--window 0"},
            {"--clients", "--clients 0"},
            {"--keys", "--keys 0"},
            {"--mix", "--mix put=abc"},
            {"--mix", "--mix write=10"},
            {"--mix", "--mix put=0"},
            {"--mix", "--mix put"},
            {"--record-size", "--record-size 600000 --mix put=1,cas=1"},
            {"--plot", "--plot latency.jpg"},
            {"--plot", "--plot " + root.resolve("no/such/folder/latency.png")},
            {"--histogram", "--histogram " + root.resolve("no/such/folder/h.log")},
            {"--counters", "--counters " + root.resolve("empty")},
            {"--endpoints", "--endpoints 1=localhost"},
            {"--endpoints", "--endpoints one=localhost:9000"},
            {"--warmup", "--warmup -1s"},
            {"--records", "--records many"},
            {"--output", "--output xml"},
            {"--bogus", "--bogus 1"},
            {"--config", "--config " + root.resolve("missing.conf")},
        };
        for (final String[] c : cases)
        {
            final String[] args = ("perf --config " + config + " " + c[1]).split(" ");
            final int exit = execute(args);
            assertThat(exit).as(c[1] + ": " + err).isEqualTo(PerfCommand.USAGE);
            final String message = err.toString().trim();
            assertThat(message).as(c[1]).doesNotContain("\n").contains(c[0]).startsWith("ringraft perf: ");
            assertThat(out.toString()).as(c[1]).isEmpty();
        }
    }

    @Test
    void anIncompleteConfigIsOneLineListingWhatIsMissing() throws IOException
    {
        final Path file = root.resolve("bare.conf");
        Files.writeString(file, "cluster.id = 7\n");
        assertThat(execute("perf", "--config", file.toString(), "--records", "1")).isEqualTo(PerfCommand.USAGE);
        assertThat(err.toString().trim()).doesNotContain("\n").startsWith("ringraft perf: --config")
            .contains("members is missing").contains("client.endpoints is missing");
    }

    @Test
    void mixIsParsedWithWeights()
    {
        assertThat(LoadMix.parse("put=90, get=10").toString()).isEqualTo("put=90,get=10");
        assertThat(LoadMix.parse("PUT=1,cas=0,delete=2").toString()).isEqualTo("put=1,delete=2");
    }
}
