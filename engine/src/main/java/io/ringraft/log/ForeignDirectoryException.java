package io.ringraft.log;

/**
 * The group directory belongs to another cluster or member, or was written in another format: starting
 * on it would merge two histories. The message names the file, what was expected, what was found and
 * what to do.
 */
public final class ForeignDirectoryException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    public ForeignDirectoryException(final String message)
    {
        super(message);
    }
}
