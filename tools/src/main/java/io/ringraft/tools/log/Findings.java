/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.log.LogInspector;

import java.io.PrintWriter;

/** Prints what the inspector found and turns it into the exit code the {@code log} commands document. */
final class Findings
{
    static final int HEALTHY = 0;
    static final int DAMAGED = 1;

    private Findings()
    {
    }

    /** @return {@link #HEALTHY} or {@link #DAMAGED}. */
    static int print(final LogInspector.Report report, final PrintWriter out)
    {
        long damage = 0;
        for (final LogInspector.Defect defect : report.defects())
        {
            out.println((defect.damage() ? "DAMAGE: " : "note: ") + defect);
            damage += defect.damage() ? 1 : 0;
        }
        if (0 == damage)
        {
            out.println("HEALTHY: the log opens without losing an entry");
        }
        else
        {
            out.println("DAMAGED: " + damage + " problem(s) above: a node would refuse to start on this directory, " +
                "or lose entries");
        }
        out.flush();
        return 0 == damage ? HEALTHY : DAMAGED;
    }
}
