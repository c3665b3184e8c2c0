package io.ringraft.daemon.server;

import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.ConfigFile;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.log.RecoveryRefusedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * What a member's data directory was first started with: cluster id, member id and the number of groups, in
 * {@value #FILE_NAME} ({@code key = value}, the config's keys). Each group's log records its cluster and member,
 * but nothing records how many groups there are, and a changed {@code groups} moves keys to other groups: the data
 * of the old partitioning would silently disappear (fewer groups) or be read from the wrong group (more). So every
 * start compares the config with the record and refuses a disagreement, naming the key and both values.
 * <p>
 * Written only after the node opened every group's log, so a start that recovery refuses leaves the directory as it
 * was. A directory from before the record (no file) is checked against its group folders and then recorded.
 */
final class MemberRecord
{
    static final String FILE_NAME = "member-record";
    private static final String HEADER =
        "# Written by ringraft-daemon at this member's first start; every start checks its config against it.\n";

    private MemberRecord()
    {
    }

    /** @throws RecoveryRefusedException when the directory was started with another cluster, member or groups. */
    static void check(final DaemonConfig config)
    {
        final Path file = config.dataDir().resolve(FILE_NAME);
        if (Files.exists(file))
        {
            final ConfigFile record;
            try
            {
                record = ConfigFile.read(file);
            }
            catch (final UncheckedIOException ex)
            {
                throw new RecoveryRefusedException(file, 0, "cannot read the member record: " + ex.getMessage(),
                    "Make the file readable by this user");
            }
            compare(file, record, ClusterConfig.CLUSTER_ID, config.cluster().clusterId());
            compare(file, record, DaemonConfig.MEMBER_ID, config.memberId());
            compare(file, record, ClusterConfig.GROUPS, config.cluster().groups());
        }
        else
        {
            final int highest = highestGroupFolder(config.dataDir());
            if (highest >= config.cluster().groups())
            {
                throw new RecoveryRefusedException(config.dataDir().resolve(String.valueOf(highest)), 0,
                    "the config says " + ClusterConfig.GROUPS + " = " + config.cluster().groups() +
                    " but the data directory holds group " + highest + " (of at least " + (highest + 1) + " groups)",
                    "Set " + ClusterConfig.GROUPS + " to the number this member was started with; changing it " +
                    "would move keys to other groups");
            }
        }
    }

    /** Records the config's identity unless already recorded; durable (fsynced file, then the directory). */
    static void recordIfAbsent(final DaemonConfig config)
    {
        final Path file = config.dataDir().resolve(FILE_NAME);
        if (Files.exists(file))
        {
            return;
        }
        final String text = HEADER +
            ClusterConfig.CLUSTER_ID + " = " + config.cluster().clusterId() + "\n" +
            DaemonConfig.MEMBER_ID + " = " + config.memberId() + "\n" +
            ClusterConfig.GROUPS + " = " + config.cluster().groups() + "\n";
        final Path temporary = config.dataDir().resolve(FILE_NAME + ".tmp");
        try
        {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel directory = FileChannel.open(config.dataDir(), StandardOpenOption.READ))
            {
                directory.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the member record " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void compare(final Path file, final ConfigFile record, final String key, final int configured)
    {
        final ConfigFile.Setting setting = record.get(key);
        final String recorded = null == setting ? "nothing" : setting.value();
        if (!String.valueOf(configured).equals(recorded))
        {
            throw new RecoveryRefusedException(file, 0,
                "the config says " + key + " = " + configured + " but this data directory was first started with " +
                key + " = " + recorded,
                ClusterConfig.GROUPS.equals(key) ?
                "Set " + key + " = " + recorded + " in the config (changing it would move keys to other groups), " +
                    "or point data.dir at a new directory" :
                "Point this member at its own data directory, or set " + key + " = " + recorded + " in the config");
        }
    }

    /** -1 when there is no group folder (a name that is a number). */
    private static int highestGroupFolder(final Path dataDir)
    {
        if (!Files.isDirectory(dataDir))
        {
            return -1;
        }
        try (Stream<Path> children = Files.list(dataDir))
        {
            return children.filter(Files::isDirectory)
                .map(path -> path.getFileName().toString())
                .filter(name -> name.matches("[0-9]{1,9}"))
                .mapToInt(Integer::parseInt)
                .max()
                .orElse(-1);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list the data directory " + dataDir + ": " + ex.getMessage(), ex);
        }
    }
}
