package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.EntryVisitor;
import io.ringraft.raft.HardState;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.LogRepair;
import io.ringraft.raft.SnapshotToInstall;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The durable log of one Raft group: segment files of CRC32C-framed SBE records, group-committed, plus the
 * group's hard state and snapshots.
 * <p>
 * <b>Threads.</b> One writer (the pipeline's persist stage) calls {@link #append}, {@link #saveHardState},
 * {@link #force}, {@link #truncateSuffix}, {@link #compactPrefix} and {@link #installSnapshot}. Any
 * number of readers use the {@link LogReader} methods concurrently, without locks: appends go beyond the
 * published {@link #lastIndex()} and become visible only through a volatile write in {@link #force()};
 * the rare operations that change entries readers may already see (truncation, reset) run inside a
 * seqlock write section, which {@link #term(long)} retries around and {@link #read} stops at. Since
 * {@link #read} hands payloads to its visitor in place, it checks the seqlock again after each visit and
 * counts the entry only if no truncation began meanwhile (see {@link LogReader#read}).
 * <p>
 * <b>Synced watermark.</b> Every group commit ({@link #force()}) first makes the appended records durable, then writes
 * and fsyncs a hard state slot carrying the synced watermark: the last index now durable and its term. The pipeline
 * lets acknowledgements leave only once {@code force()} returned, so every record at or below the watermark was
 * durable before any acknowledgement of it left, and records past it were never acknowledged. That is how recovery
 * tells a write torn by a crash (past the watermark: cut) from damage to records a peer may count on (at or below
 * it: repaired, never cut silently). The watermark only goes down deliberately, durably and before what it covered
 * goes: when a conflicting leader replaces durable entries ({@link #truncateSuffix}) or a snapshot replaces the log
 * ({@link #installSnapshot}). Those entries differ from the leader's, which holds every committed entry (Leader
 * Completeness), so they were never committed and an acknowledgement of them no longer matters; a crash half way
 * through leaves either the old watermark over the old, intact entries, or the lowered one, never a watermark above
 * a deliberate cut. While a repair is pending (the log does not reach the watermark found at start) the watermark
 * stays where it was found, even across a truncation: a restart then repairs again rather than forget what this
 * member had synced (conservative: such a restart may repair longer than the Raft core would have).
 * With {@link FsyncPolicy#NEVER_UNSAFE_FOR_BENCHMARKS} nothing is synced and the watermark is not raised.
 * <p>
 * <b>Recovery.</b> {@link #open} first judges the directory without writing anything ({@link RecoveryVerdict},
 * the verdict {@link LogInspector} reports too) and writes nothing unless the verdict is to start. A refusal (another
 * cluster's, member's or format's directory, a file it cannot read or that is out of place) throws a
 * {@link RecoveryRefusedException} naming the file, the offset and what to do, and leaves the directory as it was.
 * A torn tail past the watermark is cut back to the last valid record. Synced records damaged or missing, or a lost
 * hard state, start a repair: the damaged files are first moved or copied into {@code quarantine/}, then the log is
 * cut at the first damaged index, and {@link #repair()} tells the Raft core to run as a non-voting member until it
 * holds them again. An fsynced record is never dropped silently. (Judging first costs a start a second, read-only
 * scan of the segments; they are then in the page cache.)
 * <p>
 * <b>Deleted segments</b> stay mapped while a read that began before they were dropped may still be in one: an
 * unmapped page would crash the JVM. Reads register in a reclamation epoch (two counters), and a later
 * truncation or compaction unmaps them once no such read is left. Unmapping them then, instead of waiting for a
 * GC that an allocation-free process may not run for hours, gives their disk space back. Segments dropped by
 * {@link #compactPrefix} are instead kept for reuse after that grace period (at most {@link #MAX_REUSABLE}):
 * the next segment takes over one's file and mapping (see {@link Segment}), so the persist thread writes into
 * pages that are already there instead of faulting in fresh ones.
 */
public final class DurableLog implements LogReader, AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger("io.ringraft.log");
    private static final Segment[] NO_SEGMENTS = new Segment[0];
    /** Released segments kept for reuse: one per roll in the steady state, one more for slack. */
    static final int MAX_REUSABLE = 2;

    private final LogConfig config;
    private final Disk disk;
    private final boolean durable;
    private final Path logDirectory;
    private final HardStateFile hardStateFile;
    private final SnapshotStore snapshots;
    private final TermRuns termRuns = new TermRuns();
    private final EntryVisitor appender = this::appendEntry;
    /** Where the current segment's records are encoded until written (see {@link Segment}). */
    private final UnsafeBuffer staging;

    private volatile Segment[] segments = NO_SEGMENTS;
    private volatile long durableLastIndex;
    /** Seqlock: odd while the writer changes entries that readers may already see. */
    private volatile long version;
    /**
     * The lowest index each recent write section may change, by section number ({@code version >>> 1}) modulo
     * the length: a reader that saw sections begin decides from them whether its entry was touched, so that a
     * truncation far above the committed entries the apply stage reads never cuts its read short.
     */
    private final long[] sectionFloors = new long[SECTION_HISTORY];

    private static final int SECTION_HISTORY = 64;
    /** Longs between the two epoch slots: 64 bytes, so that readers of one do not share a cache line with the other. */
    private static final int EPOCH_SLOT_SPACING = 8;
    private static final long NO_ENTRY_CHANGED = Long.MAX_VALUE;

    /**
     * Reclamation epochs: each {@link #read} registers in the slot of the epoch it starts in. Segments retired in
     * epoch E ({@link #retiredLatest}) move to {@link #retiredEarlier} when the epoch turns to E + 1, and are unmapped
     * or reused only once no read registered in E is left. The epoch turns only when the slot of the one before it
     * is empty, so the two slots never mix three epochs.
     */
    private volatile long readEpoch;
    private final AtomicLongArray readersInEpoch = new AtomicLongArray(2 * EPOCH_SLOT_SPACING);
    private final ArrayList<Segment> retiredEarlier = new ArrayList<>();
    private final ArrayList<Segment> retiredLatest = new ArrayList<>();
    private final Segment[] reusable = new Segment[MAX_REUSABLE];
    private int reusableCount;
    private Segment current;
    private long writtenLastIndex;
    private boolean closed;
    private LogRepair repair = LogRepair.NONE;
    /** Entries or a snapshot arrived since open: see {@link #repairTermAfterForce()}. */
    private boolean appendedSinceOpen;
    private boolean repairTermFrozen;
    /** The first force that failed: from then on the log makes nothing durable (see {@link #force()}). */
    private RuntimeException forceFailure;

    private DurableLog(final LogConfig config, final HardStateFile hardStateFile, final SnapshotStore snapshots)
    {
        this.config = config;
        this.disk = config.disk();
        this.durable = config.fsyncPolicy() == FsyncPolicy.ALWAYS;
        this.logDirectory = config.logDirectory();
        this.hardStateFile = hardStateFile;
        this.snapshots = snapshots;
        this.staging = Segment.newStaging(config.segmentLength());
    }

    /**
     * Opens (creating if needed) the log of {@code config.groupId()} and recovers it, as its {@link RecoveryVerdict}
     * decides.
     *
     * @throws RecoveryRefusedException if the directory belongs to another cluster, member or format, or a file is
     *                                  unreadable or out of place; nothing was written then.
     */
    public static DurableLog open(final LogConfig config)
    {
        config.conclude();
        if (config.fsyncPolicy() == FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)
        {
            LOGGER.log(System.Logger.Level.WARNING, "log of group {0} in {1} uses fsync policy " +
                "NEVER_UNSAFE_FOR_BENCHMARKS: a crash of the machine loses acknowledged entries and votes; " +
                "never use it outside benchmarks", config.groupId(), config.groupDirectory());
        }
        final Disk disk = config.disk();
        final RecoveryVerdict verdict = LogInspector.judge(disk,
            config.groupDirectory(), config.groupId(), config.clusterId(), config.memberId());
        if (RecoveryVerdict.Kind.REFUSE == verdict.kind())
        {
            throw verdict.refusal();
        }

        // The verdict is to start: only from here on is anything written.
        final boolean durable = config.fsyncPolicy() == FsyncPolicy.ALWAYS;
        DurableFiles.createDirectories(disk, config.groupDirectory());
        final boolean newDirectory = !disk.exists(config.directoryHeaderFile());
        final Path quarantine = quarantine(config, verdict);
        DurableFiles.createDirectories(disk, config.logDirectory());
        final SnapshotStore snapshots =
            SnapshotStore.open(disk, config.snapshotDirectory(), config.groupId(), durable, LOGGER);
        final HardStateFile hardStateFile = HardStateFile.open(disk,
            config.hardStateFile(), verdict.hardStateFound, verdict.startState, verdict.startRepairTerm);
        final DurableLog log = new DurableLog(config, hardStateFile, snapshots);
        try
        {
            if (verdict.writeHardStateAtStart)
            {
                // A new member's first slot, or a lost one's stand-in that carries the pending repair: durable before
                // any entry, so that a hard state holding none next to a log is never a crash's doing.
                hardStateFile.write(verdict.syncedIndex(), verdict.syncedTerm(), verdict.startRepairTerm,
                    verdict.lastIndex(), true);
                if (newDirectory)
                {
                    // Both slots: then zeros in a file of full length are damage, never a slot not yet written.
                    hardStateFile.write(verdict.syncedIndex(), verdict.syncedTerm(), verdict.startRepairTerm,
                        verdict.lastIndex(), true);
                }
            }
            if (newDirectory)
            {
                // After the first slot: a header then proves that a hard state was written, so a hard state missing,
                // empty or zeroed next to a header is a lost one, never a new member's (which could vote twice).
                DirectoryHeaderFile.create(disk, config.directoryHeaderFile(), config.clusterId(), config.memberId());
            }
            SchemaIrFile.ensure(disk, config.groupDirectory(), LOGGER);
            log.recover(verdict);
            log.report(verdict, quarantine);
        }
        catch (final RuntimeException ex)
        {
            log.closeFiles();
            throw ex;
        }
        return log;
    }

    /**
     * Keeps the evidence before anything is cut: copies the files a repair cuts into and moves the segments it drops
     * into a new folder of {@code quarantine/}, durably.
     *
     * @return the folder, or null when there is nothing to keep.
     */
    private static Path quarantine(final LogConfig config, final RecoveryVerdict verdict)
    {
        final Disk disk = config.disk();
        if (verdict.copiedToQuarantine.isEmpty() && verdict.movedToQuarantine.isEmpty())
        {
            return null;
        }
        final Path parent = config.groupDirectory().resolve(RecoveryVerdict.QUARANTINE_DIRECTORY);
        final String name = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC)
            .format(Instant.ofEpochMilli(config.epochClock().time())) + "-kept-up-to-" + verdict.lastIndex();
        Path folder = parent.resolve(name);
        for (int i = 2; disk.exists(folder); i++)
        {
            folder = parent.resolve(name + "-" + i);
        }
        DurableFiles.createDirectories(disk, folder);
        try
        {
            for (final Path file : verdict.copiedToQuarantine)
            {
                final Path copy = folder.resolve(file.getFileName());
                disk.copy(file, copy);
                try (DiskFile channel = disk.open(copy, Disk.OpenMode.READ_WRITE))
                {
                    channel.force(true);
                }
            }
            for (final Path file : verdict.movedToQuarantine)
            {
                DurableFiles.moveAtomically(disk, file, folder.resolve(file.getFileName()));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot keep the damaged files in " + folder + " before repairing the log " +
                "of group " + config.groupId(), ex);
        }
        DurableFiles.fsyncDirectory(disk, folder);
        DurableFiles.fsyncDirectory(disk, parent);
        DurableFiles.fsyncDirectory(disk, config.groupDirectory());
        if (!verdict.movedToQuarantine.isEmpty())
        {
            DurableFiles.fsyncDirectory(disk, config.logDirectory());
        }
        return folder;
    }

    /** Opens the segments the verdict keeps and ends the log where it decided. */
    private void recover(final RecoveryVerdict verdict)
    {
        deleteTemporaryFiles();
        for (final Path file : verdict.discarded)
        {
            try
            {
                disk.delete(file);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot delete " + file, ex);
            }
        }
        if (!verdict.discarded.isEmpty() && durable)
        {
            DurableFiles.fsyncDirectory(disk, logDirectory);
        }
        final List<Segment> opened = new ArrayList<>();
        try
        {
            for (final Path file : verdict.keptSegments)
            {
                opened.add(Segment.open(disk, file, baseIndexOf(file), config.groupId(), staging));
            }
            for (int i = 0; i < opened.size(); i++)
            {
                final Segment segment = opened.get(i);
                if (i > 0)
                {
                    checkContiguous(opened.get(i - 1), segment);
                }
                segment.recover(i == opened.size() - 1, termRuns, LOGGER);
            }
        }
        catch (final RuntimeException ex)
        {
            opened.forEach(DurableLog::release);
            throw ex;
        }

        final long snapshotIndex = snapshots.index();
        if (opened.isEmpty())
        {
            termRuns.clear();
            startFreshAfter(snapshotIndex);
        }
        else
        {
            final Segment last = opened.get(opened.size() - 1);
            segments = opened.toArray(NO_SEGMENTS);
            current = last;
            writtenLastIndex = Math.max(last.lastIndex(), snapshotIndex);
            durableLastIndex = writtenLastIndex;
        }
        if (writtenLastIndex != verdict.lastIndex())
        {
            throw new IllegalStateException("the log of group " + config.groupId() + " changed while it was opened: " +
                "the verdict kept indexes up to " + verdict.lastIndex() + ", recovery found " + writtenLastIndex +
                "; is another process writing " + config.groupDirectory() + "?");
        }
        repair = verdict.repair();
    }

    /** One line for what the start did, unless it only opened a healthy log. */
    private void report(final RecoveryVerdict verdict, final Path quarantine)
    {
        for (final String note : verdict.notes())
        {
            LOGGER.log(System.Logger.Level.WARNING, "log of group {0}: {1}", config.groupId(), note);
        }
        switch (verdict.kind())
        {
            case CUT_TORN_TAIL -> LOGGER.log(System.Logger.Level.WARNING, "cut torn tail of {0} at offset {1} ({2}), " +
                "past the synced watermark {3}; last valid index is {4}", verdict.file(), verdict.offset(),
                verdict.problem(), verdict.syncedIndex(), verdict.lastIndex());
            case REPAIR -> LOGGER.log(System.Logger.Level.WARNING, "log of group {0}: DAMAGED at {1}:{2}: {3}. " +
                "REPAIR: kept indexes up to {4}{5}; this member runs as a non-voting member until it holds {6} " +
                "again, repaired from the leader", config.groupId(), verdict.file(), verdict.offset(),
                verdict.problem(), verdict.lastIndex(), null == quarantine ? "" : ", the damaged files are in " +
                quarantine, repair.hardStateLost() ? "entries of a newer leader" :
                "index " + repair.syncedThroughIndex());
            default ->
            {
                // healthy: nothing to say
            }
        }
    }

    private void deleteTemporaryFiles()
    {
        try
        {
            for (final Path file : disk.list(logDirectory, "*.tmp"))
            {
                // A segment that never got its name (created but never written to), or one released for reuse.
                disk.delete(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot clean " + logDirectory, ex);
        }
    }

    /**
     * What recovery found missing among the records this member had synced: {@link LogRepair#NONE} when the log
     * opened healthy or only cut a torn tail past the watermark.
     */
    public LogRepair repair()
    {
        return repair;
    }

    private static void release(final Segment segment)
    {
        segment.close();
        segment.unmap();
    }

    private void checkContiguous(final Segment previous, final Segment next)
    {
        if (previous.lastIndex() + 1 != next.baseIndex())
        {
            throw new CorruptLogException(next.file(), 0, "segment starts at index " + next.baseIndex() +
                " but the previous segment " + previous.file().getFileName() + " ends at index " +
                previous.lastIndex() + (next.baseIndex() > previous.lastIndex() + 1 ? ", so the segment(s) holding " +
                "indexes " + (previous.lastIndex() + 1) + ".." + (next.baseIndex() - 1) + " are missing" :
                ", so the segments overlap"), "Restore the missing or damaged segment files, or delete " +
                config.groupDirectory() + " so that this member resyncs from its peers");
        }
    }

    private void startFreshAfter(final long snapshotIndex)
    {
        current = Segment.create(
            disk, logDirectory, config.groupId(), snapshotIndex + 1, config.segmentLength(), durable, staging);
        segments = new Segment[]{ current };
        writtenLastIndex = snapshotIndex;
        durableLastIndex = snapshotIndex;
    }

    /** A segment file's base index, from its name; anything else in the log directory is damage. */
    static long baseIndexOf(final Path file)
    {
        final String name = file.getFileName().toString();
        if (name.length() == 20 + Segment.SUFFIX.length() && name.endsWith(Segment.SUFFIX))
        {
            try
            {
                return Long.parseLong(name.substring(0, 20));
            }
            catch (final NumberFormatException ignore)
            {
                // reported below
            }
        }
        throw new CorruptLogException(file, 0, "unexpected file in the log directory (segments are named " +
            "<20-digit first index>" + Segment.SUFFIX + ")", "Move the file out of " + file.getParent());
    }

    // ------------------------------------------------------------------ LogReader (any thread)

    @Override
    public long snapshotIndex()
    {
        return snapshots.index();
    }

    @Override
    public long snapshotTerm()
    {
        return snapshots.term();
    }

    @Override
    public long lastIndex()
    {
        return durableLastIndex;
    }

    @Override
    public long term(final long index)
    {
        while (true)
        {
            final long before = version;
            if (0 == (before & 1))
            {
                final Snapshot snapshot = snapshots.newest();
                final long result;
                if (index == snapshot.index())
                {
                    result = snapshot.term();
                }
                else if (index < snapshot.index() || index > durableLastIndex)
                {
                    result = NO_TERM;
                }
                else
                {
                    final long term = termRuns.termAt(index);
                    result = term < 0 ? NO_TERM : term;
                }
                VarHandle.loadLoadFence();
                if (version == before)
                {
                    return result;
                }
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public long read(final long fromIndex, final long toIndex, final long maxBytes, final EntryVisitor visitor)
    {
        final int slot = enterRead();
        try
        {
            return readRegistered(fromIndex, toIndex, maxBytes, visitor);
        }
        finally
        {
            readersInEpoch.decrementAndGet(slot);
        }
    }

    /** Registers a read in the current epoch; @return its slot, to leave. */
    private int enterRead()
    {
        while (true)
        {
            final long epoch = readEpoch;
            final int slot = epochSlot(epoch);
            readersInEpoch.incrementAndGet(slot);
            if (readEpoch == epoch)
            {
                return slot;
            }
            // The epoch turned meanwhile: the writer may have found this slot empty and reclaimed what it held.
            readersInEpoch.decrementAndGet(slot);
        }
    }

    private static int epochSlot(final long epoch)
    {
        return (int)(epoch & 1) * EPOCH_SLOT_SPACING;
    }

    private long readRegistered(final long fromIndex, final long toIndex, final long maxBytes, final EntryVisitor visitor)
    {
        final long none = fromIndex - 1;
        long startVersion;
        while (0 != ((startVersion = version) & 1))
        {
            Thread.onSpinWait();
        }
        final long last = Math.min(toIndex, durableLastIndex);
        if (fromIndex <= snapshots.index() || fromIndex > last)
        {
            return none;
        }
        final Segment[] segs = segments;
        int segmentIndex = findSegment(segs, fromIndex);
        if (segmentIndex < 0)
        {
            return none;
        }
        Segment segment = segs[segmentIndex];
        int position = segment.positionOf(fromIndex);
        long visited = none;
        long bytes = 0;
        for (long index = fromIndex; index <= last; index++)
        {
            if (segmentIndex + 1 < segs.length && index >= segs[segmentIndex + 1].baseIndex())
            {
                segment = segs[++segmentIndex];
                position = segment.positionOf(index);
            }
            if (position < 0 || position + Segment.ENTRY_PAYLOAD_OFFSET > segment.capacity())
            {
                break;
            }
            final int length = segment.payloadLengthAt(position);
            if (visited != none && bytes + length > maxBytes)
            {
                break;
            }
            final long term = segment.termAt(position);
            final EntryType type = segment.typeAt(position);
            final long timestamp = segment.timestampAt(position);
            if (!untouchedSince(startVersion, index) || segment.indexAt(position) != index)
            {
                break; // truncated under us: what follows may be another history
            }
            visitor.visit(index, term, type, timestamp, segment.buffer(), segment.payloadOffsetAt(position), length);
            if (!untouchedSince(startVersion, index))
            {
                // A truncation of this entry began while the visitor read its payload in place: the appends after
                // it may have overwritten those bytes, so the entry is not counted as read.
                break;
            }
            visited = index;
            bytes += length;
            position = segment.nextPosition(position);
        }
        return visited;
    }

    /**
     * Whether no write section begun since {@code startVersion} (even) may have changed the entry at {@code index}.
     * Called after the entry's bytes were read: a writer's store seen there happened after its section began,
     * so the fence makes that section's version, and the floor published before it, visible here.
     */
    private boolean untouchedSince(final long startVersion, final long index)
    {
        VarHandle.loadLoadFence();
        final long now = version;
        if (now == startVersion)
        {
            return true;
        }
        final long firstSection = startVersion >>> 1;
        final long lastSection = (now - 1) >>> 1;
        if (lastSection - firstSection >= SECTION_HISTORY)
        {
            return false;
        }
        long floor = NO_ENTRY_CHANGED;
        for (long section = firstSection; section <= lastSection; section++)
        {
            floor = Math.min(floor, sectionFloors[(int)(section & (SECTION_HISTORY - 1))]);
        }
        VarHandle.loadLoadFence();
        // The floors read are those of the sections counted only if no later section reused their slots meanwhile.
        return index < floor && ((version - 1) >>> 1) - firstSection < SECTION_HISTORY;
    }

    private static int findSegment(final Segment[] segs, final long index)
    {
        int low = 0;
        int high = segs.length - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (segs[mid].baseIndex() <= index)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }

    // ------------------------------------------------------------------ writer (persist thread only)

    /** Last index appended, durable or not. */
    public long writtenLastIndex()
    {
        return writtenLastIndex;
    }

    /** Hard state as last saved (or recovered). */
    public HardState hardState()
    {
        return hardStateFile.current();
    }

    public SnapshotStore snapshots()
    {
        return snapshots;
    }

    public LogConfig config()
    {
        return config;
    }

    /**
     * Appends the batch after truncating any existing entries at or after its first index (how a
     * conflicting leader's entries replace ours). Nothing is durable or visible to readers before
     * {@link #force()}.
     *
     * @throws IllegalArgumentException if the batch would leave a gap, rewrite snapshot-covered entries or
     *                                  lower the term.
     */
    public void append(final EntryBatch batch)
    {
        if (batch.isEmpty())
        {
            return;
        }
        final long first = batch.firstIndex();
        if (first > writtenLastIndex + 1)
        {
            throw new IllegalArgumentException("batch starts at index " + first + " but the log ends at " +
                writtenLastIndex + ": entries " + (writtenLastIndex + 1) + ".." + (first - 1) + " would be missing");
        }
        if (first <= writtenLastIndex)
        {
            truncateSuffix(first);
        }
        appendedSinceOpen = true;
        batch.forEach(appender);
    }

    private void appendEntry(
        final long index,
        final long term,
        final EntryType type,
        final long timestamp,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        final long previousTerm = 0 == termRuns.count() && index - 1 == snapshots.index() ?
            snapshots.term() : termRuns.lastTerm();
        if (term < previousTerm)
        {
            throw new IllegalArgumentException("entry " + index + " has term " + term + ", lower than the term " +
                previousTerm + " of the entry before it");
        }
        if (!current.fits(length))
        {
            roll(index, length);
        }
        if (termRuns.needsGrowth(term))
        {
            beginWrite(NO_ENTRY_CHANGED);
            termRuns.grow();
            endWrite();
        }
        termRuns.append(index, term);
        current.append(index, term, type, timestamp, payload, offset, length);
        writtenLastIndex = index;
    }

    private void roll(final long index, final int payloadLength)
    {
        if (current.isEmpty() || payloadLength > Segment.maxPayloadLength(config.segmentLength()))
        {
            throw new IllegalArgumentException("entry " + index + " has a payload of " + payloadLength +
                " bytes; a segment of " + config.segmentLength() + " bytes holds at most " +
                Segment.maxPayloadLength(config.segmentLength()) + ": raise LogConfig.segmentLength");
        }
        forceSegment(current);
        final Segment next = reusableCount > 0 ?
            Segment.reuse(takeReusable(), config.groupId(), index, durable) :
            Segment.create(disk, logDirectory, config.groupId(), index, config.segmentLength(), durable, staging);
        final Segment[] segs = segments;
        final Segment[] grown = Arrays.copyOf(segs, segs.length + 1);
        grown[segs.length] = next;
        segments = grown;
        current = next;
    }

    /**
     * Keeps term, vote and commit: a new term or vote is durable after the next {@link #force()}, a commit that
     * alone moved only with the next slot written (see {@link HardStateFile}) or at {@link #close()} (it is Raft's
     * volatile state).
     */
    public void saveHardState(final HardState state)
    {
        hardStateFile.save(state);
    }

    /**
     * Group commit: makes everything appended since the previous call durable, then writes and fsyncs the hard state
     * slot carrying the new synced watermark (and any new term or vote), and only then publishes the new last index
     * to readers. With fsync the batch costs two fsyncs: the records must be on disk before the watermark that vouches
     * for them, or a crash could leave a watermark above records that never arrived.
     *
     * @return the durable last index.
     */
    public long force()
    {
        if (null != forceFailure)
        {
            throw new IllegalStateException("group " + config.groupId() + ": an earlier force failed (" + forceFailure +
                "); the pages it could not write may be lost although a later fsync succeeds, so this log makes " +
                "nothing more durable: restart the member, whose recovery finds what reached the disk", forceFailure);
        }
        forceSegment(current);
        final long last = writtenLastIndex;
        long syncedIndex = hardStateFile.syncedIndex();
        long syncedTerm = hardStateFile.syncedTerm();
        // Below the watermark found at start, a repair is pending: the watermark stays until the log reaches it.
        if (durable && last >= syncedIndex)
        {
            syncedIndex = last;
            syncedTerm = termOf(last);
        }
        try
        {
            hardStateFile.sync(syncedIndex, syncedTerm, repairTermAfterForce(), last, durable);
        }
        catch (final RuntimeException ex)
        {
            forceFailure = ex;
            throw ex;
        }
        durableLastIndex = last;
        return last;
    }

    /**
     * The repair term to write (see {@link HardStateSlots#repairTerm()}). While a lost hard state's repair is pending,
     * the first force after entries or a snapshot arrived raises it to the term then reached, which is at least the
     * term of the first leader this member heard from since the start: the Raft core leaves such a repair once its
     * durable log holds an entry of a term above that leader's, so clearing it only for an entry of a term above the
     * one recorded here never ends the repair on disk before the core's.
     */
    private long repairTermAfterForce()
    {
        long repairTerm = hardStateFile.repairTerm();
        if (HardStateFile.NO_REPAIR != repairTerm && appendedSinceOpen)
        {
            if (!repairTermFrozen)
            {
                repairTerm = Math.max(repairTerm, hardStateFile.term());
                repairTermFrozen = true;
            }
            if (termOf(writtenLastIndex) > repairTerm)
            {
                repairTerm = HardStateFile.NO_REPAIR;
            }
        }
        return repairTerm;
    }

    /** The term of a written index at or after the snapshot's (writer's view). */
    private long termOf(final long index)
    {
        if (index == snapshots.index() || 0 == termRuns.count())
        {
            return snapshots.term();
        }
        return Math.max(0, termRuns.termAt(index));
    }

    /**
     * Lowers the synced watermark to {@code index} durably, before the entries above it are replaced: see the class
     * comment. Not while a repair is pending (the watermark above the log's end), which a restart must find again.
     */
    private void lowerWatermark(final long index, final long term)
    {
        final long synced = hardStateFile.syncedIndex();
        if (synced > index && synced <= durableLastIndex)
        {
            hardStateFile.write(index, term, hardStateFile.repairTerm(), index, durable);
        }
    }

    /**
     * Removes the entries at and after {@code fromIndex}; they disappear from readers at once.
     *
     * @throws IllegalArgumentException if {@code fromIndex} is covered by the newest snapshot.
     */
    public void truncateSuffix(final long fromIndex)
    {
        if (fromIndex > writtenLastIndex)
        {
            return;
        }
        if (fromIndex <= snapshots.index())
        {
            throw new IllegalArgumentException("cannot truncate from index " + fromIndex + ": entries up to " +
                snapshots.index() + " are covered by a snapshot, so they are committed");
        }
        lowerWatermark(fromIndex - 1, termOf(fromIndex - 1));
        final Segment[] segs = segments;
        final int holder = Math.max(0, findSegment(segs, fromIndex));
        beginWrite(fromIndex);
        try
        {
            if (fromIndex <= durableLastIndex)
            {
                durableLastIndex = fromIndex - 1;
                replaceSuffix(segs, holder, fromIndex);
            }
            else
            {
                truncateUnpublished(segs, holder, fromIndex);
            }
            termRuns.truncateFrom(fromIndex);
            writtenLastIndex = fromIndex - 1;
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * Readers may be viewing the entries being replaced, so their bytes stay as they are: the segment holding
     * {@code fromIndex} gets a truncation marker (made durable before anything continues it) and the log goes
     * on in a new segment. Later segments are retired newest first, so a crash half way leaves a prefix.
     */
    private void replaceSuffix(final Segment[] segs, final int holder, final long fromIndex)
    {
        final Segment holding = segs[holder];
        final int kept = holding.baseIndex() == fromIndex ? holder : holder + 1;
        startRetirement();
        for (int i = segs.length - 1; i >= kept; i--)
        {
            retire(segs[i]);
        }
        if (durable && kept < segs.length)
        {
            DurableFiles.fsyncDirectory(disk, logDirectory);
        }
        if (kept > holder)
        {
            holding.markTruncatedAt(fromIndex);
            forceSegment(holding);
        }
        final Segment next =
            Segment.create(disk, logDirectory, config.groupId(), fromIndex, config.segmentLength(), durable, staging);
        final Segment[] replaced = Arrays.copyOf(segs, kept + 1);
        replaced[kept] = next;
        segments = replaced;
        current = next;
    }

    /** No reader can see entries from {@code fromIndex} on: cut them in place. */
    private void truncateUnpublished(final Segment[] segs, final int holder, final long fromIndex)
    {
        if (holder < segs.length - 1)
        {
            segments = Arrays.copyOf(segs, holder + 1);
            startRetirement();
            for (int i = segs.length - 1; i > holder; i--)
            {
                retire(segs[i]);
            }
            if (durable)
            {
                DurableFiles.fsyncDirectory(disk, logDirectory);
            }
        }
        current = segs[holder];
        current.truncateFrom(fromIndex);
    }

    /**
     * Deletes the segments whose entries all lie at or below {@code uptoIndex}, which the newest snapshot
     * must cover. The segment holding {@code uptoIndex + 1}, and the last one, stay.
     */
    public void compactPrefix(final long uptoIndex)
    {
        if (uptoIndex > snapshots.index())
        {
            throw new IllegalArgumentException("compactPrefix(" + uptoIndex + ") would drop entries after the " +
                "newest snapshot (index " + snapshots.index() + "); take a snapshot covering them first");
        }
        final Segment[] segs = segments;
        int drop = 0;
        while (drop + 1 < segs.length && segs[drop + 1].baseIndex() <= uptoIndex + 1)
        {
            drop++;
        }
        if (0 == drop)
        {
            return;
        }
        // Readers of the dropped entries still hold the mappings; term() already answers NO_TERM below the
        // snapshot, so no seqlock section is needed.
        segments = Arrays.copyOfRange(segs, drop, segs.length);
        startRetirement();
        for (int i = 0; i < drop; i++)
        {
            retireCovered(segs[i]);
        }
        if (durable)
        {
            DurableFiles.fsyncDirectory(disk, logDirectory);
        }
    }

    /**
     * Installs a snapshot received from the leader: it is made durable first, then the log either keeps the
     * entries after it (when it holds the snapshot's last entry with the same term) or restarts empty
     * after it. A snapshot not newer than the current one is ignored.
     *
     * @return the snapshot now newest.
     */
    public Snapshot installSnapshot(final SnapshotToInstall snapshot)
    {
        if (snapshot.index() <= snapshots.index())
        {
            return snapshots.newest();
        }
        final Snapshot written = snapshots.write(
            snapshot.index(), snapshot.term(), snapshot.membership(), snapshot.data(), 0, snapshot.length());
        appendedSinceOpen = true;
        if (snapshot.index() <= writtenLastIndex && termRuns.termAt(snapshot.index()) == snapshot.term())
        {
            compactPrefix(snapshot.index());
            return written;
        }
        lowerWatermark(snapshot.index(), snapshot.term());
        final Segment[] segs = segments;
        // Entries the snapshot covers may differ here (an uncommitted stale history): every index may change.
        beginWrite(0);
        try
        {
            durableLastIndex = snapshot.index();
            segments = NO_SEGMENTS;
            startRetirement();
            for (int i = segs.length - 1; i >= 0; i--)
            {
                retire(segs[i]);
            }
            termRuns.clear();
            startFreshAfter(snapshot.index());
        }
        finally
        {
            endWrite();
        }
        return written;
    }

    /**
     * Reclaims the segments retired before the current epoch once no read of an earlier epoch is left (else leaves
     * them for a later call): released ones are kept for reuse while there is room, the others unmapped. Then the
     * epoch turns, and the segments retired in it wait for its reads to end.
     */
    private void startRetirement()
    {
        if (0 != readersInEpoch.get(epochSlot(readEpoch - 1)))
        {
            return; // a read that may hold a segment retired before this epoch is still going
        }
        reclaim(retiredEarlier);
        retiredEarlier.addAll(retiredLatest);
        retiredLatest.clear();
        readEpoch = readEpoch + 1;
    }

    private void reclaim(final ArrayList<Segment> retired)
    {
        for (int i = 0, size = retired.size(); i < size; i++)
        {
            final Segment segment = retired.get(i);
            if (!segment.isReleased())
            {
                segment.unmap();
            }
            else if (reusableCount < reusable.length && segment.capacity() == config.segmentLength())
            {
                reusable[reusableCount++] = segment;
            }
            else
            {
                segment.discardReleased();
            }
        }
        retired.clear();
    }

    private void retire(final Segment segment)
    {
        segment.delete();
        retiredLatest.add(segment);
    }

    /** Retires a segment whose entries a snapshot covers: its file is released for reuse if it can be. */
    private void retireCovered(final Segment segment)
    {
        if (segment.isRecyclable())
        {
            segment.release();
            retiredLatest.add(segment);
        }
        else
        {
            retire(segment);
        }
    }

    private Segment takeReusable()
    {
        final Segment segment = reusable[--reusableCount];
        reusable[reusableCount] = null;
        return segment;
    }

    /** @param floor the lowest index whose entry the section (or the appends after it) may change. */
    private void beginWrite(final long floor)
    {
        final long sectionVersion = version + 1;
        sectionFloors[(int)((sectionVersion >>> 1) & (SECTION_HISTORY - 1))] = floor;
        version = sectionVersion; // a volatile write: publishes the floor with the section
        VarHandle.fullFence();
    }

    private void endWrite()
    {
        VarHandle.releaseFence();
        version = version + 1;
    }

    /**
     * Writes what a segment staged and, with fsync, its msync: after one fails, none may succeed (see {@link #force()}),
     * as Linux may have dropped the pages it failed to write and a retry would find nothing to write.
     */
    private void forceSegment(final Segment segment)
    {
        try
        {
            segment.force(durable);
        }
        catch (final RuntimeException ex)
        {
            forceFailure = ex;
            throw ex;
        }
    }

    /** Forces what was appended, then closes the files (only the latter after a failed force). */
    @Override
    public void close()
    {
        if (!closed)
        {
            try
            {
                if (null != forceFailure)
                {
                    return; // nothing more may become durable; the finally block closes the files
                }
                force();
                // Only after a successful force: the commit written must not point past what a restart finds.
                hardStateFile.writeHeldCommit(durableLastIndex);
            }
            finally
            {
                closeFiles();
            }
        }
    }

    private void closeFiles()
    {
        closed = true;
        for (final Segment segment : segments)
        {
            segment.close();
            segment.unmap();
        }
        // Readers are done with a closing log: nothing needs to wait for them.
        reclaim(retiredEarlier);
        reclaim(retiredLatest);
        while (reusableCount > 0)
        {
            takeReusable().discardReleased();
        }
        hardStateFile.close();
    }

    @Override
    public String toString()
    {
        return "DurableLog{group=" + config.groupId() + ", snapshot=" + snapshots.index() + ", last=" +
            durableLastIndex + ", written=" + writtenLastIndex + ", segments=" + segments.length + '}';
    }
}
