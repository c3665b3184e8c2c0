/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.log.LogInspector;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code DIR [--group G]} arguments of the {@code log} commands: either one group's directory, or a node's data
 * directory (which holds one directory per group, named by the group id, see {@code LogConfig}) and the group.
 */
public final class GroupDirectoryArgs
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR",
        description = "A group directory (holding directory-header, hardstate, log/, snapshots/), or a node's data "
            + "directory together with --group.")
    private Path directory;

    @Option(names = "--group", paramLabel = "G",
        description = "The group to inspect when DIR is a node's data directory (its subdirectory G).")
    private Integer group;

    /** The group directory to inspect; a {@link CommandLine.ParameterException} (exit code 2) when there is none. */
    Path groupDirectory()
    {
        if (!Files.exists(directory))
        {
            throw usage(directory + ": no such directory");
        }
        if (!Files.isDirectory(directory))
        {
            throw usage(directory + " is not a directory");
        }
        if (null != group)
        {
            if (group < 0)
            {
                throw usage("--group must be >= 0, was " + group);
            }
            final Path candidate = LogInspector.groupDirectory(directory, group);
            if (LogInspector.isGroupDirectory(candidate))
            {
                return candidate;
            }
            if (LogInspector.isGroupDirectory(directory) && directory.toAbsolutePath().normalize().getFileName()
                .toString().equals(Integer.toString(group)))
            {
                return directory;
            }
            throw usage(directory + " holds no ringraft group " + group + " (no " + candidate +
                " with a directory-header or log/)" + groupsHint());
        }
        if (LogInspector.isGroupDirectory(directory))
        {
            return directory;
        }
        final List<Integer> groups = groupsIn(directory);
        if (1 == groups.size())
        {
            return LogInspector.groupDirectory(directory, groups.get(0));
        }
        throw usage(directory + " is not a ringraft group directory (it has no directory-header nor log/)" +
            (groups.isEmpty() ? " nor a node data directory holding one" : groupsHint()));
    }

    /**
     * The group directories to inspect: the one {@code --group} names, DIR itself when it is a group directory, else
     * every group of the member data directory DIR; a {@link CommandLine.ParameterException} (exit code 2) when there
     * is none.
     */
    List<Path> groupDirectories()
    {
        if (null != group || LogInspector.isGroupDirectory(directory))
        {
            return List.of(groupDirectory());
        }
        if (!Files.isDirectory(directory))
        {
            return List.of(groupDirectory()); // says what is wrong
        }
        final List<Integer> groups = groupsIn(directory);
        if (groups.isEmpty())
        {
            throw usage(directory + " is neither a ringraft group directory (it has no directory-header nor log/) nor " +
                "a member data directory holding one");
        }
        return groups.stream().map(id -> LogInspector.groupDirectory(directory, id)).toList();
    }

    /** The group id of one of {@link #groupDirectories()}: -1 lets the inspector take it from the directory name. */
    int groupIdOf(final Path groupDirectory)
    {
        return null != group ? group : -1;
    }

    /** The group id given, or -1 to let the inspector take it from the directory. */
    int groupId()
    {
        return null == group ? -1 : group;
    }

    private String groupsHint()
    {
        final List<Integer> groups = groupsIn(directory);
        return groups.isEmpty() ? "" : "; it is a node data directory with groups " + groups +
            ": choose one with --group";
    }

    private static List<Integer> groupsIn(final Path dataDirectory)
    {
        try (Stream<Path> children = Files.list(dataDirectory))
        {
            return children
                .filter(child -> child.getFileName().toString().matches("[0-9]{1,9}"))
                .filter(LogInspector::isGroupDirectory)
                .map(child -> Integer.parseInt(child.getFileName().toString()))
                .sorted()
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + dataDirectory, ex);
        }
    }

    private CommandLine.ParameterException usage(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
