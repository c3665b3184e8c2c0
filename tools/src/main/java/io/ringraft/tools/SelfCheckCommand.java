/*
 * ringraft
 */
package io.ringraft.tools;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.SampleMessages;
import io.ringraft.codecs.SampleValues;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ringraft selfcheck}: proves the wire and disk format on this machine without starting anything: every
 * message of the schema encodes, passes the inbound frame validator, decodes back to the same values, and is
 * refused once a byte is cut off.
 */
@Command(
    name = "selfcheck",
    mixinStandardHelpOptions = true,
    description = {
        "Self-check of the codecs: encode, validate and decode every message of the SBE schema.",
        "Exit code 0 when every message round-trips, 1 otherwise."
    })
final class SelfCheckCommand implements Callable<Integer>
{
    private static final int CLUSTER_ID = 1;

    @Spec
    private CommandSpec spec;

    @Option(names = "--seed", description = "Seed for the sample field values (default: ${DEFAULT-VALUE}).")
    private long seed = 20_740_001L;

    @Option(names = "--max-group-count", description = "Elements per repeating group, at most (default: ${DEFAULT-VALUE}).")
    private int maxGroupCount = 3;

    @Option(names = "--max-data-length", description = "Bytes per var-data field, at most (default: ${DEFAULT-VALUE}).")
    private int maxDataLength = 64;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        out.printf("ringraft selfcheck: codecs of schema %d version %d, seed %d%n",
            Frames.SCHEMA_ID, Frames.SCHEMA_VERSION, seed);
        out.println();

        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024 * 1024]);
        int passed = 0;
        int messageIndex = 0;
        for (final SampleMessages.Sample sample : SampleMessages.all())
        {
            final String problem = check(sample, scratch, seed + messageIndex++);
            if (null == problem)
            {
                passed++;
            }
            else
            {
                out.printf("  FAIL %-24s template %2d  %s%n", sample.name(), sample.templateId(), problem);
            }
        }

        final int total = SampleMessages.all().size();
        out.println();
        out.printf("%s: %d of %d messages encode, validate and decode back to the same values%n",
            passed == total ? "PASSED" : "FAILED", passed, total);
        out.flush();

        return passed == total ? 0 : 1;
    }

    private String check(final SampleMessages.Sample sample, final UnsafeBuffer scratch, final long messageSeed)
    {
        final PrintWriter out = spec.commandLine().getOut();
        try
        {
            final SampleValues values = new SampleValues(messageSeed, CLUSTER_ID, maxGroupCount, maxDataLength);
            final int length = sample.encode(scratch, 0, values);

            // Exactly the frame's bytes, as a receiver would see them.
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
            frame.putBytes(0, scratch, 0, length);

            final int check = Frames.isPeerTemplate(sample.templateId()) ?
                Frames.validatePeer(frame, 0, length, CLUSTER_ID) : Frames.validate(frame, 0, length);
            if (FrameCheck.OK != check)
            {
                return "validator refused a valid frame: " + FrameCheck.describe(check);
            }

            final List<Object> decoded = new ArrayList<>();
            final int decodedLength = sample.decode(frame, 0, decoded);
            if (decodedLength != length)
            {
                return "decoder read " + decodedLength + " of " + length + " bytes";
            }
            if (!decoded.equals(values.written()))
            {
                return "decoded " + decoded + " but encoded " + values.written();
            }

            final int truncated = Frames.validate(frame, 0, length - 1);
            if (FrameCheck.OK == truncated)
            {
                return "validator accepted the frame cut one byte short";
            }

            out.printf("  ok   %-24s template %2d  %5d bytes  %3d values round-trip; cut short: %s%n",
                sample.name(), sample.templateId(), length, decoded.size(), FrameCheck.describe(truncated));
            return null;
        }
        catch (final RuntimeException ex)
        {
            return "threw " + ex;
        }
    }
}
