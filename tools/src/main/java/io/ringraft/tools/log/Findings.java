/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.log.LogInspector;
import io.ringraft.log.RecoveryVerdict;

import java.io.PrintWriter;

/** Prints what the inspector found and the verdict a start would reach, and turns it into the exit code. */
final class Findings
{
    /** A start keeps every entry as it is. */
    static final int HEALTHY = 0;
    /** A start would cut a torn tail, repair, or refuse: see the verdict line. */
    static final int NOT_HEALTHY = 1;

    /** The input cannot be read at all (a directory that cannot be listed, a file that cannot be opened). */
    static final int UNREADABLE = 2;

    private Findings()
    {
    }

    /** Says in one line why the input cannot be read; @return {@link #UNREADABLE}. */
    static int unreadable(final PrintWriter err, final RuntimeException ex)
    {
        final Throwable cause = ex.getCause();
        err.println("cannot inspect: " + ex.getMessage() + (null == cause || null == cause.getMessage() ||
            ex.getMessage().contains(cause.getMessage()) ? "" : " (" + cause.getMessage() + ")"));
        err.flush();
        return UNREADABLE;
    }

    /** @return {@link #HEALTHY} or {@link #NOT_HEALTHY}. */
    static int print(final LogInspector.Report report, final PrintWriter out)
    {
        for (final LogInspector.Defect defect : report.defects())
        {
            out.println((defect.damage() ? "DAMAGE: " : "note: ") + defect);
        }
        final RecoveryVerdict verdict = report.verdict();
        for (final String note : verdict.notes())
        {
            out.println("note: " + note);
        }
        out.println(verdict.describe());
        out.flush();
        return RecoveryVerdict.Kind.HEALTHY == verdict.kind() ? HEALTHY : NOT_HEALTHY;
    }
}
