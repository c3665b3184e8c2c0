package io.ringraft.log;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Path;

/**
 * Settings of one group's durable log, in the style of an Aeron {@code Context}: fluent setters, then
 * {@link #conclude()} validates them and derives the paths. Layout under the node's data directory:
 * <pre>
 *   &lt;dataDirectory&gt;/&lt;groupId&gt;/directory-header      who owns this directory (cluster, member, format)
 *   &lt;dataDirectory&gt;/&lt;groupId&gt;/hardstate             term, vote, commit in two alternating slots
 *   &lt;dataDirectory&gt;/&lt;groupId&gt;/log/&lt;baseIndex&gt;.seg   segment files, named by their first index
 *   &lt;dataDirectory&gt;/&lt;groupId&gt;/snapshots/           snapshot files
 *   &lt;dataDirectory&gt;/&lt;groupId&gt;/ringraft-schema-v&lt;N&gt;.sbeir.gz  SBE IR of each schema version that opened it
 * </pre>
 */
public final class LogConfig
{
    public static final int DEFAULT_SEGMENT_LENGTH = 64 * 1024 * 1024;
    /** A segment must hold its header and at least a few ordinary records. */
    public static final int MIN_SEGMENT_LENGTH = 64 * 1024;
    /** Segments are mapped whole, and a mapping is limited to 2 GiB. */
    public static final int MAX_SEGMENT_LENGTH = 1024 * 1024 * 1024;

    private Path dataDirectory;
    private int groupId = -1;
    private int clusterId;
    private int memberId = -1;
    private int segmentLength = DEFAULT_SEGMENT_LENGTH;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;
    private Disk disk = FileDisk.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private boolean concluded;

    public LogConfig dataDirectory(final Path dataDirectory)
    {
        this.dataDirectory = dataDirectory;
        return this;
    }

    public Path dataDirectory()
    {
        return dataDirectory;
    }

    public LogConfig groupId(final int groupId)
    {
        this.groupId = groupId;
        return this;
    }

    public int groupId()
    {
        return groupId;
    }

    public LogConfig clusterId(final int clusterId)
    {
        this.clusterId = clusterId;
        return this;
    }

    public int clusterId()
    {
        return clusterId;
    }

    public LogConfig memberId(final int memberId)
    {
        this.memberId = memberId;
        return this;
    }

    public int memberId()
    {
        return memberId;
    }

    /** Preallocated length of each new segment file; a segment rolls when the next record does not fit. */
    public LogConfig segmentLength(final int segmentLength)
    {
        this.segmentLength = segmentLength;
        return this;
    }

    public int segmentLength()
    {
        return segmentLength;
    }

    public LogConfig fsyncPolicy(final FsyncPolicy fsyncPolicy)
    {
        this.fsyncPolicy = fsyncPolicy;
        return this;
    }

    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /** The group's own directory: {@code <dataDirectory>/<groupId>}. */
    /** Where the files live: real files with mapped segments ({@link FileDisk#INSTANCE}) unless set otherwise. */
    public LogConfig disk(final Disk disk)
    {
        this.disk = disk;
        return this;
    }

    public Disk disk()
    {
        return disk;
    }

    /** The wall clock that names what recovery keeps (quarantine folders): the system's unless set otherwise. */
    public LogConfig epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public EpochClock epochClock()
    {
        return epochClock;
    }

    public Path groupDirectory()
    {
        return dataDirectory.resolve(Integer.toString(groupId));
    }

    public Path logDirectory()
    {
        return logDirectory(groupDirectory());
    }

    public Path snapshotDirectory()
    {
        return snapshotDirectory(groupDirectory());
    }

    public Path hardStateFile()
    {
        return hardStateFile(groupDirectory());
    }

    public Path directoryHeaderFile()
    {
        return directoryHeaderFile(groupDirectory());
    }

    // The layout of a group directory wherever it lies, e.g. a copy an operator inspects (see LogInspector).

    static Path logDirectory(final Path groupDirectory)
    {
        return groupDirectory.resolve("log");
    }

    static Path snapshotDirectory(final Path groupDirectory)
    {
        return groupDirectory.resolve("snapshots");
    }

    static Path hardStateFile(final Path groupDirectory)
    {
        return groupDirectory.resolve("hardstate");
    }

    static Path directoryHeaderFile(final Path groupDirectory)
    {
        return groupDirectory.resolve("directory-header");
    }

    /**
     * Validates the settings; idempotent.
     *
     * @throws IllegalArgumentException naming the first setting that is missing or out of range.
     */
    public LogConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (null == dataDirectory)
        {
            throw new IllegalArgumentException("LogConfig.dataDirectory is not set");
        }
        if (groupId < 0)
        {
            throw new IllegalArgumentException("LogConfig.groupId must be >= 0, was " + groupId);
        }
        if (memberId < 0)
        {
            throw new IllegalArgumentException("LogConfig.memberId must be >= 0, was " + memberId);
        }
        if (segmentLength < MIN_SEGMENT_LENGTH || segmentLength > MAX_SEGMENT_LENGTH)
        {
            throw new IllegalArgumentException("LogConfig.segmentLength must be in [" + MIN_SEGMENT_LENGTH + ", " +
                MAX_SEGMENT_LENGTH + "], was " + segmentLength);
        }
        if (null == fsyncPolicy)
        {
            throw new IllegalArgumentException("LogConfig.fsyncPolicy is not set");
        }
        if (null == disk)
        {
            throw new IllegalArgumentException("LogConfig.disk is not set");
        }
        dataDirectory = dataDirectory.toAbsolutePath();
        concluded = true;
        return this;
    }

    @Override
    public String toString()
    {
        return "LogConfig{dataDirectory=" + dataDirectory + ", groupId=" + groupId + ", clusterId=" + clusterId +
            ", memberId=" + memberId + ", segmentLength=" + segmentLength + ", fsyncPolicy=" + fsyncPolicy +
            ", disk=" + disk + '}';
    }
}
