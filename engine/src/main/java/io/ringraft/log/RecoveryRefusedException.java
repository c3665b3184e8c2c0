package io.ringraft.log;

import java.nio.file.Path;

/**
 * A member's log cannot start on its data directory, and nothing in the directory was changed: the one-line message
 * names the file, the offset, what is wrong and what to do. Recovery refuses what it cannot judge safely (a
 * directory of another cluster, member or format, a file it cannot read or that was put in the wrong place), never
 * damage it can repair by keeping the intact prefix and catching up from the leader (see {@link RecoveryVerdict}).
 */
public class RecoveryRefusedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String problem;
    private final String remedy;

    public RecoveryRefusedException(final Path file, final long offset, final String problem, final String remedy)
    {
        super(file + " at offset " + offset + ": " + problem + ". " + remedy);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
        this.remedy = remedy;
    }

    /** What is wrong, without the file, the offset and the remedy. */
    public String problem()
    {
        return problem;
    }

    /** What to do. */
    public String remedy()
    {
        return remedy;
    }

    public Path file()
    {
        return file;
    }

    public long offset()
    {
        return offset;
    }
}
