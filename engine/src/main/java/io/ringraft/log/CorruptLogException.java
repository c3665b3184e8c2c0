package io.ringraft.log;

import java.nio.file.Path;

/**
 * The log cannot start because a file is unreadable, misplaced or inconsistent in a way recovery cannot judge:
 * continuing could lose or invent acknowledged entries. The message names the file, the offset and what to do.
 */
public final class CorruptLogException extends RecoveryRefusedException
{
    private static final long serialVersionUID = 1L;

    public CorruptLogException(final Path file, final long offset, final String problem, final String remedy)
    {
        super(file, offset, problem, remedy);
    }
}
