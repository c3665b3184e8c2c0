package io.ringraft.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation of the durable log, so that the same log runs over real files ({@link FileDisk}, memory-mapped
 * segments) or over a simulated disk that a deterministic simulator crashes and damages. Paths are ordinary
 * {@link Path} values; a simulated disk treats them as names only.
 * <p>
 * Directory entries (create, move, delete) are durable only after {@link #fsyncDirectory} of their directory; file
 * content only after a force of the file or of a mapped region ({@link DiskFile#force}, {@link MappedRegion#force}).
 */
public interface Disk
{
    boolean exists(Path path);

    boolean isDirectory(Path path);

    boolean isRegularFile(Path path);

    /** @throws java.nio.file.NoSuchFileException when the file is missing. */
    long size(Path file) throws IOException;

    void createDirectories(Path directory) throws IOException;

    /** The entries of {@code directory} whose names match {@code glob} ("*" for all), in no particular order. */
    List<Path> list(Path directory, String glob) throws IOException;

    /** @throws java.nio.file.NoSuchFileException when the file is missing. */
    void delete(Path path) throws IOException;

    boolean deleteIfExists(Path path) throws IOException;

    /** Renames atomically, replacing {@code target}: after a crash the target is the old file or the new one. */
    void moveAtomically(Path source, Path target) throws IOException;

    /** Copies a file's content to a new file {@code target}, which must not exist. */
    void copy(Path source, Path target) throws IOException;

    /** Makes creations, renames and deletions inside {@code directory} durable. */
    void fsyncDirectory(Path directory) throws IOException;

    /** @throws java.nio.file.NoSuchFileException when the file is missing and the mode does not create it. */
    DiskFile open(Path file, OpenMode mode) throws IOException;

    byte[] readAllBytes(Path file) throws IOException;

    /** How {@link #open} opens a file. */
    enum OpenMode
    {
        /** An existing file, to read. */
        READ,
        /** An existing file, to read and write. */
        READ_WRITE,
        /** To read and write, creating it empty if absent. */
        CREATE,
        /** To write from empty: created if absent, cut to length 0 if present. */
        CREATE_TRUNCATE
    }
}
