package io.ringraft.log;

import java.nio.file.Path;

/**
 * The log cannot start because a file is damaged in a way that is not a torn tail: continuing could
 * lose or invent acknowledged entries. The message names the file, the offset and what to do.
 */
public final class CorruptLogException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public CorruptLogException(final Path file, final long offset, final String problem, final String remedy)
    {
        super(file + " at offset " + offset + ": " + problem + ". " + remedy);
        this.file = file;
        this.offset = offset;
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
