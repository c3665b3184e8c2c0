package io.ringraft.log;

import io.ringraft.raft.Membership;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Read-only inspection of one group directory, for operators and for recovery itself: what {@link DurableLog#open}
 * would find there, without creating, truncating, locking or writing anything. Files are opened for reading only; a
 * segment is mapped read-only for its scan (so only the pages holding records are read) and unmapped right after it.
 * The engine never shortens a segment file under its name; should something else do so mid-scan, the fault surfaces
 * as an error the scan reports, not as a crash.
 * <p>
 * Each look gathers the facts (directory header, hard state, segments walked by {@link SegmentScan}, snapshots) and
 * turns them into the {@link RecoveryVerdict} a start would reach: {@link DurableLog#open} takes one look and acts on
 * its verdict, so the inspector and a start never disagree. The defects list what was found on the way, as notes
 * and damage.
 * <p>
 * <b>Live logs.</b> A node may be writing the log while it is inspected: records are only listed when their frame
 * and checksum are valid, a file that disappears meanwhile (compaction, truncation) is noted and skipped, and a
 * verdict other than healthy, or damage, is only reported when a second look at the directory finds it again at the
 * same place, since a writer caught in the middle of a write, a truncation or a segment reuse can look like damage
 * for a moment.
 */
public final class LogInspector
{
    private static final int LOOKS = 3;
    private static final long PAUSE_BETWEEN_LOOKS_MS = 20;

    /**
     * Something found in a file: {@code damage} when recovery would refuse it or lose entries, else a note.
     *
     * @param file    the file.
     * @param offset  byte offset in the file the finding is about.
     * @param problem what was found and what it means.
     * @param damage  whether it makes the log damaged.
     */
    public record Defect(Path file, long offset, String problem, boolean damage)
    {
        @Override
        public String toString()
        {
            return file + " at offset " + offset + ": " + problem;
        }
    }

    /**
     * One snapshot file.
     *
     * @param problem why it does not verify, or null when it does.
     */
    public record SnapshotReport(
        Path file, long index, long term, long dataLength, Membership membership, String problem)
    {
        public boolean verified()
        {
            return null == problem;
        }
    }

    /**
     * One segment file.
     *
     * @param lastIndex        last entry in it, {@code baseIndex - 1} when it holds none.
     * @param terms            the distinct terms of its entries, ascending.
     * @param termStarts       the first index of each of {@code terms}.
     * @param end              how its entries end; null when the file could not be scanned (see {@code defect}).
     * @param truncatedAtIndex the first replaced index when it ends with a truncation marker, else -1.
     * @param bytesUsed        the offset where its entries end.
     * @param defect           what ends its entries when {@code end} is TORN_TAIL or DAMAGED, or why it could not be
     *                         scanned; else null.
     * @param followingRecord  the offset of a valid record after a defect in the last segment, else -1.
     * @param refusedRemedy    what to do when a start must refuse the file (it is misplaced or unreadable), else null.
     */
    public record SegmentReport(
        Path file,
        long baseIndex,
        long lastIndex,
        List<Long> terms,
        List<Long> termStarts,
        SegmentScan.End end,
        long truncatedAtIndex,
        int bytesUsed,
        int capacity,
        long fileLength,
        String defect,
        int followingRecord,
        String refusedRemedy)
    {
        public long entryCount()
        {
            return lastIndex - baseIndex + 1;
        }

        /** True when a start refuses the file rather than repairing around it. */
        public boolean refused()
        {
            return null != refusedRemedy;
        }
    }

    /**
     * What a group directory holds.
     *
     * @param header     the directory header, or null when missing or unreadable (see the defects).
     * @param hardState  the hard state file's content, or null when it has none.
     * @param snapshots  snapshot files, newest first.
     * @param segments   segment files, in index order.
     * @param firstIndex first index of an entry on disk, or the newest valid snapshot's index + 1.
     * @param lastIndex  last index on disk: of the last entry, or the newest valid snapshot's.
     * @param defects    damage and notes, in the order found.
     * @param verdict    what a start would do.
     */
    public record Report(
        Path groupDirectory,
        int groupId,
        DirectoryHeader header,
        HardStateSlots hardState,
        List<SnapshotReport> snapshots,
        List<SegmentReport> segments,
        long firstIndex,
        long lastIndex,
        List<Defect> defects,
        RecoveryVerdict verdict)
    {
        /** True when {@link DurableLog#open} would start on it as it is: no cut, no repair, no refusal. */
        public boolean healthy()
        {
            return RecoveryVerdict.Kind.HEALTHY == verdict.kind();
        }
    }

    private final Disk disk;
    private final Path groupDirectory;
    private final int groupId;
    /** Whether the directory must belong to this cluster and member (a start), or to whoever its header names. */
    private final boolean checkOwner;
    private final int clusterId;
    private final int memberId;

    private LogInspector(
        final Disk disk,
        final Path groupDirectory,
        final int groupId,
        final boolean checkOwner,
        final int clusterId,
        final int memberId)
    {
        this.disk = disk;
        this.groupDirectory = groupDirectory;
        this.groupId = groupId;
        this.checkOwner = checkOwner;
        this.clusterId = clusterId;
        this.memberId = memberId;
    }

    /** True if {@code directory} looks like a group directory: it has a directory header or a log directory. */
    public static boolean isGroupDirectory(final Path directory)
    {
        return isGroupDirectory(FileDisk.INSTANCE, directory);
    }

    /** As {@link #isGroupDirectory(Path)} on {@code disk}. */
    public static boolean isGroupDirectory(final Disk disk, final Path directory)
    {
        return disk.isRegularFile(LogConfig.directoryHeaderFile(directory)) ||
            disk.isDirectory(LogConfig.logDirectory(directory));
    }

    /**
     * The group directory of {@code groupId} under a node's data directory, laid out as {@link LogConfig} does.
     */
    public static Path groupDirectory(final Path dataDirectory, final int groupId)
    {
        return new LogConfig().dataDirectory(dataDirectory).groupId(groupId).groupDirectory();
    }

    /**
     * Maps and fully verifies one snapshot file (metadata checksum, name, length, data checksum), read-only, for
     * inspecting a snapshot on its own.
     *
     * @param groupId the group its metadata must name.
     * @return the snapshot, or null with the reason appended to {@code problem}.
     */
    public static Snapshot loadSnapshot(final Path file, final int groupId, final StringBuilder problem)
    {
        return Snapshot.load(FileDisk.INSTANCE, file, groupId, problem);
    }

    /**
     * The verdict a start of this cluster's member reaches on its group directory (which need not exist): one look,
     * nothing written. For {@link DurableLog#open}, the only writer of the directory, which is not running yet.
     */
    static RecoveryVerdict judge(
        final Disk disk, final Path groupDirectory, final int groupId, final int clusterId, final int memberId)
    {
        return new LogInspector(disk, groupDirectory, groupId, true, clusterId, memberId).look(null).verdict();
    }

    /**
     * Inspects a group directory, handing every entry found on disk to {@code visitor} (in index order, only records
     * whose frame, checksum, index and term are valid; never one a truncation replaced or a recycled file's
     * stale one).
     *
     * @param groupId the group the directory belongs to, -1 to take it from the directory's name (as
     *                {@link LogConfig} names it) or else from its first segment.
     * @param visitor receives each entry once, or null.
     */
    public static Report inspect(final Path groupDirectory, final int groupId, final SegmentScan.RecordVisitor visitor)
    {
        return inspect(FileDisk.INSTANCE, groupDirectory, groupId, visitor);
    }

    /** As {@link #inspect(Path, int, SegmentScan.RecordVisitor)} on {@code disk}. */
    public static Report inspect(
        final Disk disk, final Path groupDirectory, final int groupId, final SegmentScan.RecordVisitor visitor)
    {
        final LogInspector inspector = new LogInspector(
            disk, groupDirectory, groupId >= 0 ? groupId : guessGroupId(disk, groupDirectory), false, 0, 0);
        final Report first = inspector.look(visitor);
        if (first.healthy() && damageAt(first).isEmpty())
        {
            return first;
        }
        // Confirm on later looks: a live writer can look torn or damaged for an instant, a damaged file stays so.
        // A record the scan found zero, and then a valid one after it, is such an instant: the scan read the first
        // before the writer's pwrite reached it and the second after. Damage is only reported where every look
        // finds it, at the same file and offset.
        Report previous = first;
        for (int look = 1; look < LOOKS; look++)
        {
            pause();
            final Report again = inspector.look(null);
            final boolean settled = again.healthy() && damageAt(again).isEmpty();
            if (settled || (again.verdict().sameAs(previous.verdict()) && damageAt(again).equals(damageAt(previous))))
            {
                return confirmedBy(first, again, again.verdict(), List.of());
            }
            previous = again;
        }
        return confirmedBy(first, previous, RecoveryVerdict.unconfirmed(previous.verdict()), List.of(new Defect(
            groupDirectory, 0, "changed while being read (the log is being written): each look found something " +
            "else, last " + previous.verdict().describe(), false)));
    }

    /** The files and offsets of a look's damage. */
    private static Set<String> damageAt(final Report report)
    {
        final Set<String> places = new HashSet<>();
        for (final Defect defect : report.defects())
        {
            if (defect.damage())
            {
                places.add(defect.file() + ":" + defect.offset());
            }
        }
        return places;
    }

    /**
     * The first look's report (its records were the ones listed) with the verdict of a later look, keeping as damage
     * only what that look found again; the rest is noted as a change while reading.
     */
    private static Report confirmedBy(
        final Report first, final Report later, final RecoveryVerdict verdict, final List<Defect> notes)
    {
        final Set<String> confirmed = damageAt(later);
        final List<Defect> defects = new ArrayList<>();
        for (final Defect defect : first.defects())
        {
            if (!defect.damage() || confirmed.contains(defect.file() + ":" + defect.offset()))
            {
                defects.add(defect);
            }
            else
            {
                defects.add(new Defect(defect.file(), defect.offset(), "changed while being read (the log is being " +
                    "written): " + defect.problem() + " was not found again", false));
            }
        }
        if (notes.isEmpty() && !first.verdict().sameAs(verdict))
        {
            defects.add(new Defect(first.groupDirectory(), 0, "changed while being read (the log is being written): " +
                first.verdict().describe() + " was not found again", false));
        }
        defects.addAll(notes);
        return new Report(first.groupDirectory(), first.groupId(), first.header(), first.hardState(),
            first.snapshots(), first.segments(), first.firstIndex(), first.lastIndex(), List.copyOf(defects), verdict);
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(PAUSE_BETWEEN_LOOKS_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static int guessGroupId(final Disk disk, final Path groupDirectory)
    {
        final Path name = groupDirectory.toAbsolutePath().normalize().getFileName();
        if (null != name && name.toString().matches("[0-9]{1,9}"))
        {
            return Integer.parseInt(name.toString());
        }
        for (final Path file : listSegmentFiles(disk, LogConfig.logDirectory(groupDirectory),
            new RecoveryVerdict.Facts(), new ArrayList<>()))
        {
            try (DiskFile channel = disk.open(file, Disk.OpenMode.READ))
            {
                final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(SegmentScan.HEADER_LENGTH));
                channel.read(header.byteBuffer(), 0);
                final int id = SegmentScan.groupIdOf(header, channel.size());
                if (id >= 0)
                {
                    return id;
                }
            }
            catch (final IOException ignore)
            {
                // try the next one; the full look reports what is wrong with this one
            }
        }
        return 0;
    }

    private Report look(final SegmentScan.RecordVisitor visitor)
    {
        final List<Defect> defects = new ArrayList<>();
        final RecoveryVerdict.Facts facts = new RecoveryVerdict.Facts();
        facts.groupDirectory = groupDirectory;
        facts.checkOwner = checkOwner;
        facts.clusterId = clusterId;
        facts.memberId = memberId;
        facts.anyQuarantined = disk.exists(groupDirectory.resolve(RecoveryVerdict.QUARANTINE_DIRECTORY));
        final DirectoryHeader header = readHeader(facts, defects);
        // The hard state before the segments: its watermark only rises once the records below it are on disk.
        final HardStateSlots hardState = readHardState(facts, defects);
        // Segments before snapshots: a compaction in between then only makes the snapshot newer, never leaves an
        // apparent gap between the snapshot and the first segment listed.
        final List<SegmentReport> segments = scanSegments(visitor, facts, defects);
        final List<SnapshotReport> snapshots = readSnapshots(facts, defects);

        long snapshotIndex = 0;
        long snapshotTerm = 0;
        for (final SnapshotReport snapshot : snapshots)
        {
            if (snapshot.verified())
            {
                snapshotIndex = snapshot.index();
                snapshotTerm = snapshot.term();
                break;
            }
        }
        facts.snapshotIndex = snapshotIndex;
        facts.snapshotTerm = snapshotTerm;
        long firstIndex = snapshotIndex + 1;
        long lastIndex = snapshotIndex;
        if (!segments.isEmpty())
        {
            final SegmentReport first = segments.get(0);
            SegmentReport last = first;
            for (final SegmentReport segment : segments)
            {
                last = null == segment.end() ? last : segment; // an unreadable one holds nothing to count
            }
            firstIndex = Math.min(firstIndex, first.baseIndex());
            lastIndex = Math.max(lastIndex, last.lastIndex());
        }
        final RecoveryVerdict verdict = RecoveryVerdict.judge(facts);
        return new Report(groupDirectory, groupId, header, hardState, snapshots, segments, firstIndex, lastIndex,
            defects, verdict);
    }

    private DirectoryHeader readHeader(final RecoveryVerdict.Facts facts, final List<Defect> defects)
    {
        final Path file = LogConfig.directoryHeaderFile(groupDirectory);
        facts.headerFile = file;
        if (!disk.exists(file))
        {
            facts.headerMissing = true;
            defects.add(new Defect(file, 0, "the directory header is missing, so nothing says which cluster and " +
                "member this data belongs to", false));
            return null;
        }
        try
        {
            facts.header = DirectoryHeaderFile.read(disk, file);
            return facts.header;
        }
        catch (final ForeignDirectoryException ex)
        {
            facts.headerRefusal = ex;
            defects.add(new Defect(file, 0, withoutLocation(ex), true));
        }
        catch (final UncheckedIOException ex)
        {
            facts.headerRefusal = new ForeignDirectoryException(file, "cannot read: " + ex.getCause(),
                "Check the file's permissions and the disk");
            defects.add(new Defect(file, 0, withoutLocation(facts.headerRefusal), true));
        }
        return null;
    }

    private HardStateSlots readHardState(final RecoveryVerdict.Facts facts, final List<Defect> defects)
    {
        final Path file = LogConfig.hardStateFile(groupDirectory);
        facts.hardStateFile = file;
        try (DiskFile channel = disk.open(file, Disk.OpenMode.READ))
        {
            final HardStateSlots slots = HardStateFile.read(channel);
            facts.hardState = slots;
            return slots;
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            facts.hardStateRefusal = new CorruptLogException(file, 0, "cannot read: " + ex,
                "Check the file's permissions and the disk");
            defects.add(new Defect(file, 0, withoutLocation(facts.hardStateRefusal), true));
            return null;
        }
    }

    private List<SnapshotReport> readSnapshots(final RecoveryVerdict.Facts facts, final List<Defect> defects)
    {
        final Path directory = LogConfig.snapshotDirectory(groupDirectory);
        final List<SnapshotReport> reports = new ArrayList<>();
        if (!disk.isDirectory(directory))
        {
            return reports;
        }
        final List<Path> files;
        try
        {
            files = SnapshotStore.snapshotFilesNewestFirst(disk, directory);
        }
        catch (final UncheckedIOException ex)
        {
            final CorruptLogException refusal = new CorruptLogException(directory, 0, "cannot list: " + ex.getCause(),
                "Check the directory's permissions and the disk");
            facts.refusals.add(refusal);
            defects.add(new Defect(directory, 0, withoutLocation(refusal), true));
            return reports;
        }
        facts.anySnapshotFile = !files.isEmpty();
        for (final Path file : files)
        {
            final StringBuilder problem = new StringBuilder();
            try
            {
                final Snapshot snapshot = Snapshot.load(disk, file, groupId, problem);
                if (null != snapshot)
                {
                    reports.add(new SnapshotReport(file, snapshot.index(), snapshot.term(), snapshot.length(),
                        snapshot.membership(), null));
                    continue;
                }
            }
            catch (final UncheckedIOException ex)
            {
                if (ex.getCause() instanceof NoSuchFileException)
                {
                    continue; // pruned after a newer snapshot while being read
                }
                problem.append(ex.getMessage());
            }
            reports.add(new SnapshotReport(file, -1, -1, -1, null, problem.toString()));
            // DurableLog.open skips a damaged snapshot too, and uses an older one or the log.
            defects.add(new Defect(file, 0, "snapshot does not verify (" + problem + "); the next start skips it",
                false));
        }
        return reports;
    }

    private List<SegmentReport> scanSegments(
        final SegmentScan.RecordVisitor visitor, final RecoveryVerdict.Facts facts, final List<Defect> defects)
    {
        final Path directory = LogConfig.logDirectory(groupDirectory);
        final List<SegmentReport> reports = new ArrayList<>();
        if (!disk.isDirectory(directory))
        {
            return reports;
        }
        final List<Path> files = listSegmentFiles(disk, directory, facts, defects);
        final SegmentScan.Outcome outcome = new SegmentScan.Outcome();
        long previousTerm = 0;
        SegmentReport previous = null;
        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final SegmentReport report = scanSegment(
                file, i == files.size() - 1, previousTerm, visitor, outcome, defects);
            if (null == report)
            {
                continue;
            }
            // After a damaged or unreadable segment the apparent gap is that damage's consequence, already reported.
            if (null != previous && null != previous.end() && SegmentScan.End.DAMAGED != previous.end() &&
                SegmentScan.End.TORN_TAIL != previous.end() && previous.lastIndex() + 1 != report.baseIndex())
            {
                defects.add(new Defect(file, 0, "segment starts at index " + report.baseIndex() +
                    " but the previous segment " + previous.file().getFileName() + " ends at index " +
                    previous.lastIndex() + (report.baseIndex() > previous.lastIndex() + 1 ?
                    ", so the segment(s) holding indexes " + (previous.lastIndex() + 1) + ".." +
                    (report.baseIndex() - 1) + " are missing" : ", so the segments overlap"), true));
            }
            if (!report.terms().isEmpty())
            {
                previousTerm = report.terms().get(report.terms().size() - 1);
            }
            reports.add(report);
            facts.segments.add(report);
            previous = report;
        }
        return reports;
    }

    /** The segment files in index order; anything else but temporary files is refused, as recovery does. */
    private static List<Path> listSegmentFiles(
        final Disk disk, final Path directory, final RecoveryVerdict.Facts facts, final List<Defect> defects)
    {
        final List<Path> files = new ArrayList<>();
        if (!disk.isDirectory(directory))
        {
            return files;
        }
        try
        {
            for (final Path file : disk.list(directory, "*"))
            {
                if (file.getFileName().toString().endsWith(".tmp"))
                {
                    continue; // never given its name, or released for reuse: a start deletes it
                }
                try
                {
                    DurableLog.baseIndexOf(file);
                    files.add(file);
                }
                catch (final CorruptLogException ex)
                {
                    facts.refusals.add(ex);
                    defects.add(new Defect(file, 0, withoutLocation(ex), true));
                }
            }
        }
        catch (final IOException ex)
        {
            final CorruptLogException refusal = new CorruptLogException(directory, 0, "cannot list: " + ex,
                "Check the directory's permissions and the disk");
            facts.refusals.add(refusal);
            defects.add(new Defect(directory, 0, withoutLocation(refusal), true));
        }
        files.sort(null);
        return files;
    }

    /** @return the report, or null if the file disappeared (noted). */
    private SegmentReport scanSegment(
        final Path file,
        final boolean lastSegment,
        final long previousTerm,
        final SegmentScan.RecordVisitor visitor,
        final SegmentScan.Outcome outcome,
        final List<Defect> defects)
    {
        final long baseIndex = DurableLog.baseIndexOf(file);
        try (DiskFile channel = disk.open(file, Disk.OpenMode.READ))
        {
            final long fileLength = channel.size();
            final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(SegmentScan.HEADER_LENGTH));
            if (fileLength >= SegmentScan.HEADER_LENGTH)
            {
                readFully(channel, header.byteBuffer(), 0);
            }
            final CorruptLogException problem = SegmentScan.headerProblem(file, header, fileLength, baseIndex, groupId);
            if (null != problem)
            {
                // A header whose frame is valid was written so: the file is misplaced, not damaged.
                final boolean misplaced = SegmentScan.groupIdOf(header, fileLength) >= 0;
                defects.add(new Defect(file, 0, withoutLocation(problem), true));
                return unreadable(file, baseIndex, fileLength, problem.problem(), misplaced ?
                    "The file was moved or renamed; put it back where it came from, or restore the group " +
                    "directory from a peer" : null);
            }
            final int capacity = SegmentScan.segmentLength(header);
            if (fileLength < capacity)
            {
                defects.add(new Defect(file, fileLength, "file is " + (capacity - fileLength) + " bytes shorter " +
                    "than its segment length " + capacity + "; the missing bytes read as zeros and the next start " +
                    "extends it", false));
            }
            final SegmentWalk walk = new SegmentWalk(visitor);
            if (fileLength >= capacity)
            {
                final MappedRegion mapped = channel.map(false, 0, capacity);
                try
                {
                    SegmentScan.walk(mapped.buffer(), capacity, baseIndex, previousTerm, lastSegment, walk,
                        outcome);
                }
                catch (final InternalError ex)
                {
                    // How the JVM reports touching a mapped page the file no longer has.
                    final String shrank = "the file shrank while being read: " + ex.getMessage();
                    defects.add(new Defect(file, 0, shrank, true));
                    return unreadable(file, baseIndex, fileLength, shrank, "Stop whatever else writes " + file);
                }
                finally
                {
                    mapped.unmap();
                }
            }
            else
            {
                // What the file lacks reads as zeros, as recovery (which extends such a file) sees it.
                final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
                readFully(channel, copy.byteBuffer().limit((int)fileLength), 0);
                SegmentScan.walk(copy, capacity, baseIndex, previousTerm, lastSegment, walk, outcome);
            }
            report(file, lastSegment, outcome, defects);
            final boolean defective = SegmentScan.End.TORN_TAIL == outcome.end() ||
                SegmentScan.End.DAMAGED == outcome.end();
            return new SegmentReport(file, baseIndex, outcome.nextIndex() - 1, List.copyOf(walk.terms),
                List.copyOf(walk.termStarts), outcome.end(),
                outcome.end() == SegmentScan.End.TRUNCATION_MARKER ? outcome.nextIndex() : -1, outcome.position(),
                capacity, fileLength, defective ? outcome.defect() : null, outcome.followingRecord(), null);
        }
        catch (final NoSuchFileException ex)
        {
            defects.add(new Defect(file, 0, "removed while being read (the log is being compacted or truncated)",
                false));
            return null;
        }
        catch (final IOException ex)
        {
            defects.add(new Defect(file, 0, "cannot read: " + ex, true));
            return unreadable(file, baseIndex, 0, "cannot read: " + ex, "Check the file's permissions and the disk");
        }
    }

    private static SegmentReport unreadable(
        final Path file, final long baseIndex, final long fileLength, final String why, final String refusedRemedy)
    {
        return new SegmentReport(file, baseIndex, baseIndex - 1, List.of(), List.of(), null, -1, 0, 0, fileLength, why,
            -1, refusedRemedy);
    }

    /** Collects a segment's terms and passes its records on. */
    private static final class SegmentWalk implements SegmentScan.RecordVisitor
    {
        final List<Long> terms = new ArrayList<>();
        final List<Long> termStarts = new ArrayList<>();
        private final SegmentScan.RecordVisitor visitor;

        SegmentWalk(final SegmentScan.RecordVisitor visitor)
        {
            this.visitor = visitor;
        }

        @Override
        public void onRecord(final DirectBuffer buffer, final int position, final long index, final long term)
        {
            if (terms.isEmpty() || terms.get(terms.size() - 1) != term)
            {
                terms.add(term);
                termStarts.add(index);
            }
            if (null != visitor)
            {
                visitor.onRecord(buffer, position, index, term);
            }
        }
    }

    private static void readFully(final DiskFile channel, final ByteBuffer bytes, final long position)
        throws IOException
    {
        long at = position;
        while (bytes.hasRemaining())
        {
            final int read = channel.read(bytes, at);
            if (read < 0)
            {
                break; // the file shrank meanwhile: the rest stays as it was and the scan judges it
            }
            at += read;
        }
    }

    /**
     * Says how the segment's entries end, as found; what a start makes of it depends on the synced watermark and is
     * the verdict's to say.
     */
    private static void report(
        final Path file, final boolean lastSegment, final SegmentScan.Outcome outcome, final List<Defect> defects)
    {
        final long index = outcome.nextIndex();
        switch (outcome.end())
        {
            case DAMAGED -> defects.add(new Defect(file, outcome.position(), "record of index " + index +
                " is damaged (" + outcome.defect() + ")" + (outcome.followingRecord() >= 0 ?
                " but a valid record follows at offset " + outcome.followingRecord() + ", so this is not a write " +
                "torn by a crash" : " in a segment that is not the last one"), true));
            case TORN_TAIL -> defects.add(new Defect(file, outcome.position(), "the records end here: the record " +
                "after index " + (index - 1) + " is incomplete or damaged (" + outcome.defect() + ") and nothing " +
                "valid follows", false));
            case TRUNCATION_MARKER ->
            {
                if (lastSegment)
                {
                    defects.add(new Defect(file, outcome.position(), "truncation marker before index " + index +
                        " with no segment continuing it; the next start erases the replaced entries after it", false));
                }
            }
            case CLEAN ->
            {
                // nothing to say
            }
        }
    }

    private static String withoutLocation(final RecoveryRefusedException ex)
    {
        final String prefix = ex.file() + " at offset " + ex.offset() + ": ";
        final String message = Objects.requireNonNull(ex.getMessage());
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
