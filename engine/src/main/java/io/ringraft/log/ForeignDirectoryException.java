package io.ringraft.log;

import java.nio.file.Path;

/**
 * The group directory belongs to another cluster or member, was written in another format, or its header is
 * unreadable: starting on it would merge two histories. The message names the file, what was expected, what was
 * found and what to do.
 */
public final class ForeignDirectoryException extends RecoveryRefusedException
{
    private static final long serialVersionUID = 1L;

    public ForeignDirectoryException(final Path file, final String problem, final String remedy)
    {
        super(file, 0, problem, remedy);
    }
}
