/*
 * ringraft
 */
package io.ringraft.tools;

import io.ringraft.codecs.SampleMessages;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

class RingraftCliTest extends CommandLineTest
{


    @Test
    void selfcheckChecksEveryMessageAndExitsZero()
    {
        assertThat(execute("selfcheck")).as(out + "\n" + err).isEqualTo(0);

        final String output = out.toString();
        for (final SampleMessages.Sample sample : SampleMessages.all())
        {
            assertThat(output).containsPattern("ok +" + sample.name() + " +template +" + sample.templateId() + " ");
        }
        assertThat(output)
            .contains("PASSED: " + SampleMessages.all().size() + " of " + SampleMessages.all().size())
            .doesNotContain("FAIL");
    }

    @Test
    void selfcheckWithOtherValuesStillPasses()
    {
        assertThat(execute("selfcheck", "--seed", "99", "--max-group-count", "0", "--max-data-length", "0")).isEqualTo(0);
    }

    @Test
    void everyCommandHasHelp()
    {
        assertThat(execute("--help")).isEqualTo(0);
        assertThat(out.toString()).contains("Usage: ringraft", "demo", "selfcheck", "help");

        for (final String name : RingraftCli.commandLine().getSubcommands().keySet())
        {
            out.getBuffer().setLength(0);
            assertThat(execute(name, "--help")).as(name).isEqualTo(0);
            assertThat(out.toString()).as(name).contains("Usage: ringraft " + name);
        }
    }

    @Test
    void missingOrUnknownCommandIsAUsageError()
    {
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command", "Usage: ringraft");
        assertThat(execute("no-such-command")).isEqualTo(2);
    }
}
