package io.ringraft.log;

import io.ringraft.raft.HardState;
import io.ringraft.raft.LogRepair;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a start does with a group directory, decided from its files alone without writing anything: the one verdict
 * {@link DurableLog#open} acts on and {@link LogInspector} (so {@code ringraft log summary}) reports.
 * <ul>
 *   <li>{@link Kind#HEALTHY}: the start keeps every entry on disk (it may complete a truncation or discard what an
 *   interrupted snapshot install left, both of which only finish what the log had begun).</li>
 *   <li>{@link Kind#CUT_TORN_TAIL}: the log's valid records end before the last byte written, past the synced
 *   watermark: a write torn by a crash, never acknowledged. The start cuts it.</li>
 *   <li>{@link Kind#REPAIR}: records at or below the synced watermark, which this member may have acknowledged, are
 *   damaged or missing (or the hard state is lost). The start keeps the intact prefix, moves the damaged files into
 *   {@code quarantine/} of the group directory, cuts the log there and reports a {@link LogRepair}: the member
 *   catches up from the leader without voting until it holds what it had synced again.</li>
 *   <li>{@link Kind#REFUSE}: the directory belongs to another cluster, member or format, or a file cannot be read or
 *   is out of place. The start refuses with one line (file, offset, what is wrong, what to do) and changes
 *   nothing.</li>
 * </ul>
 * <p>
 * <b>Why the watermark separates torn from damaged.</b> Every group commit makes the segment durable first and
 * only then writes and fsyncs the hard state slot carrying the watermark (see {@link DurableLog#force()}), and the
 * pipeline lets acknowledgements leave only after that. So every record at or below the watermark was durable
 * before any acknowledgement of it left, and records past it were never acknowledged: losing the latter is a torn
 * write, losing the former is damage that a peer may be counting on. A crash tearing the slot write itself leaves
 * the other, older slot, whose lower watermark is just as true.
 * <p>
 * <b>Hard state.</b> One damaged slot is a write torn by a crash: the other, older slot is used. A hard state that
 * is missing, empty, truncated or has both slots damaged next to a log or a snapshot is lost: the member's term and
 * vote are unknown, so it is repaired too ({@link LogRepair#hardStateLost()}), never taken for a new member; only
 * with no log and no snapshot is a missing or never-written hard state a new member.
 */
public final class RecoveryVerdict
{
    /** What a start does. */
    public enum Kind
    {
        HEALTHY, CUT_TORN_TAIL, REPAIR, REFUSE
    }

    /** Where quarantined files go inside the group directory. */
    public static final String QUARANTINE_DIRECTORY = "quarantine";

    private final Kind kind;
    private final Path file;
    private final long offset;
    private final String problem;
    private final RecoveryRefusedException refusal;
    private final long syncedIndex;
    private final long syncedTerm;
    private final long lastIndex;
    private final boolean hardStateLost;
    private final boolean newMember;
    private final boolean unconfirmed;
    private final LogRepair repair;
    private final List<String> notes;

    // What the start does, for DurableLog.
    final List<Path> keptSegments;
    final List<Path> copiedToQuarantine;
    final List<Path> movedToQuarantine;
    final List<Path> discarded;
    final HardStateSlots hardStateFound;
    final HardState startState;
    final long startRepairTerm;
    final boolean writeHardStateAtStart;

    private RecoveryVerdict(final Builder b)
    {
        kind = b.kind;
        file = b.file;
        offset = b.offset;
        problem = b.problem;
        refusal = b.refusal;
        syncedIndex = b.syncedIndex;
        syncedTerm = b.syncedTerm;
        lastIndex = b.lastIndex;
        hardStateLost = b.hardStateLost;
        newMember = b.newMember;
        unconfirmed = b.unconfirmed;
        repair = b.repair;
        notes = List.copyOf(b.notes);
        keptSegments = List.copyOf(b.keptSegments);
        copiedToQuarantine = List.copyOf(b.copiedToQuarantine);
        movedToQuarantine = List.copyOf(b.movedToQuarantine);
        discarded = List.copyOf(b.discarded);
        hardStateFound = b.hardStateFound;
        startState = b.startState;
        startRepairTerm = b.startRepairTerm;
        writeHardStateAtStart = b.writeHardStateAtStart;
    }

    public Kind kind()
    {
        return kind;
    }

    /** The file the verdict is about: where the log is cut or damaged, or what is refused; null when healthy. */
    public Path file()
    {
        return file;
    }

    public long offset()
    {
        return offset;
    }

    /** What is wrong, or what is cut; null when healthy. */
    public String problem()
    {
        return problem;
    }

    /** The synced watermark found: every entry up to it was durable before any acknowledgement of it left. */
    public long syncedIndex()
    {
        return syncedIndex;
    }

    public long syncedTerm()
    {
        return syncedTerm;
    }

    /** The last index a start keeps (an entry's, or the newest snapshot's); -1 when refused. */
    public long lastIndex()
    {
        return lastIndex;
    }

    public boolean hardStateLost()
    {
        return hardStateLost;
    }

    /** No log, no snapshot and no hard state: a start creates a new member. */
    public boolean newMember()
    {
        return newMember;
    }

    /** {@link LogRepair#NONE} unless {@link Kind#REPAIR}. */
    public LogRepair repair()
    {
        return repair;
    }

    /** What the start does besides: files moved aside, an interrupted install discarded, one hard state slot torn. */
    public List<String> notes()
    {
        return notes;
    }

    /** The files a start would move or copy into the quarantine directory. */
    public List<Path> quarantined()
    {
        final List<Path> files = new ArrayList<>(copiedToQuarantine);
        files.addAll(movedToQuarantine);
        return files;
    }

    /** The exception a start throws, for {@link Kind#REFUSE}; else null. */
    public RecoveryRefusedException refusal()
    {
        return refusal;
    }

    /** The verdict in one line, as {@code ringraft log summary} prints it and a start logs it. */
    public String describe()
    {
        return switch (kind)
        {
            case HEALTHY -> unconfirmed ? "HEALTHY as far as a live log shows: it changed under every look; " +
                "stop the member for a certain verdict" + watermark() : "HEALTHY: a start keeps every entry" +
                (newMember ? " (a new member: nothing on disk yet)" : " (last index " + lastIndex + ")") + watermark();
            case CUT_TORN_TAIL -> "WILL CUT TORN TAIL AT " + file + ":" + offset + ": " + problem + ", past the " +
                "synced watermark " + syncedIndex + " (never acknowledged); a start keeps indexes up to " + lastIndex;
            case REPAIR -> "DAMAGED at " + file + ":" + offset + ": " + problem + ". REPAIR NEEDED: a start keeps " +
                "indexes up to " + lastIndex + (quarantined().isEmpty() ? "" : ", sets " + fileNames(quarantined()) +
                " aside in " + QUARANTINE_DIRECTORY + "/") + " and runs as a non-voting member until it holds " +
                (repair.hardStateLost() ? "entries of a newer leader" : "index " + syncedIndex) + " again, " +
                "repaired from the leader" + watermark();
            case REFUSE -> "REFUSED: " + refusal.getMessage();
        };
    }

    private String watermark()
    {
        return "; synced watermark " + syncedIndex + " (term " + syncedTerm + ")";
    }

    private static String fileNames(final List<Path> files)
    {
        final StringBuilder names = new StringBuilder();
        for (final Path path : files)
        {
            names.append(names.length() > 0 ? ", " : "").append(path.getFileName());
        }
        return names.toString();
    }

    /** Same kind, place and watermark: how a second look at a live directory confirms the first. */
    boolean sameAs(final RecoveryVerdict other)
    {
        return kind == other.kind && java.util.Objects.equals(file, other.file) && offset == other.offset &&
            syncedIndex == other.syncedIndex && lastIndex == other.lastIndex;
    }

    @Override
    public String toString()
    {
        return describe();
    }

    /** What one read-only look at a group directory found; filled in by {@link LogInspector}. */
    static final class Facts
    {
        Path groupDirectory;
        boolean checkOwner;
        int clusterId;
        int memberId;
        Path headerFile;
        boolean headerMissing;
        DirectoryHeader header;
        RecoveryRefusedException headerRefusal;
        Path hardStateFile;
        /** Null when the file is missing. */
        HardStateSlots hardState;
        RecoveryRefusedException hardStateRefusal;
        /** Unexpected files, unlistable directories: what a start refuses before looking further. */
        final List<RecoveryRefusedException> refusals = new ArrayList<>();
        final List<LogInspector.SegmentReport> segments = new ArrayList<>();
        long snapshotIndex;
        long snapshotTerm;
        boolean anySnapshotFile;
        /** Whether an earlier start set damaged files aside: this member had synced records once. */
        boolean anyQuarantined;
    }

    private static final class Builder
    {
        Kind kind;
        Path file;
        long offset;
        String problem;
        RecoveryRefusedException refusal;
        long syncedIndex;
        long syncedTerm;
        long lastIndex = -1;
        boolean hardStateLost;
        boolean newMember;
        boolean unconfirmed;
        LogRepair repair = LogRepair.NONE;
        final List<String> notes = new ArrayList<>();
        final List<Path> keptSegments = new ArrayList<>();
        final List<Path> copiedToQuarantine = new ArrayList<>();
        final List<Path> movedToQuarantine = new ArrayList<>();
        final List<Path> discarded = new ArrayList<>();
        HardStateSlots hardStateFound;
        HardState startState = HardState.INITIAL;
        long startRepairTerm = HardStateFile.NO_REPAIR;
        boolean writeHardStateAtStart;
    }

    /**
     * For an inspector whose looks at a live directory each found something else: nothing it could confirm. Never
     * what a start acts on (a start looks once, with the writer not running).
     */
    static RecoveryVerdict unconfirmed(final RecoveryVerdict seen)
    {
        final Builder b = new Builder();
        b.kind = Kind.HEALTHY;
        b.unconfirmed = true;
        b.syncedIndex = seen.syncedIndex;
        b.syncedTerm = seen.syncedTerm;
        b.lastIndex = seen.lastIndex;
        return new RecoveryVerdict(b);
    }

    private static RecoveryVerdict refuse(final RecoveryRefusedException refusal)
    {
        final Builder b = new Builder();
        b.kind = Kind.REFUSE;
        b.file = refusal.file();
        b.offset = refusal.offset();
        b.problem = refusal.getMessage();
        b.refusal = refusal;
        return new RecoveryVerdict(b);
    }

    static RecoveryVerdict judge(final Facts f)
    {
        final List<LogInspector.SegmentReport> segments = f.segments;
        final boolean anySegmentData = segments.stream().anyMatch(
            s -> null == s.end() || s.entryCount() > 0 || SegmentScan.End.CLEAN != s.end());
        final boolean hasLogOrSnapshot = anySegmentData || f.anySnapshotFile;
        final HardStateSlots hs = f.hardState;

        // ---- refusals: what recovery cannot judge, checked before anything else
        if (!f.refusals.isEmpty())
        {
            return refuse(f.refusals.get(0));
        }
        if (null != f.headerRefusal)
        {
            return refuse(f.headerRefusal);
        }
        // A new member's first start writes both hard-state slots (empty: term 0, no vote), then the header; a crash in
        // between leaves those slots without a header, which is still a new member's directory.
        final boolean firstSlotOnly = null != hs && hs.sequence() <= 2 && HardState.INITIAL.equals(hs.state());
        if (f.headerMissing && (hasLogOrSnapshot || (null != hs && hs.validSlots() > 0 && !firstSlotOnly)))
        {
            return refuse(new ForeignDirectoryException(f.headerFile, "the directory header is missing, but the " +
                "directory holds a log, snapshots or a hard state, so nothing says which cluster and member they " +
                "belong to", "Restore " + f.headerFile.getFileName() + " from a backup, or delete " +
                f.groupDirectory + " so that this member resyncs from its peers"));
        }
        if (null != f.header && f.checkOwner)
        {
            try
            {
                DirectoryHeaderFile.checkOwner(f.headerFile, f.header, f.clusterId, f.memberId);
            }
            catch (final ForeignDirectoryException ex)
            {
                return refuse(ex);
            }
        }
        if (null != f.hardStateRefusal)
        {
            return refuse(f.hardStateRefusal);
        }
        for (int i = 0; i < segments.size(); i++)
        {
            final LogInspector.SegmentReport segment = segments.get(i);
            if (segment.refused())
            {
                return refuse(new CorruptLogException(segment.file(), 0, segment.defect(), segment.refusedRemedy()));
            }
            final LogInspector.SegmentReport previous = i > 0 ? segments.get(i - 1) : null;
            if (null != previous && null != previous.end() && SegmentScan.End.TORN_TAIL != previous.end() &&
                SegmentScan.End.DAMAGED != previous.end() && segment.baseIndex() <= previous.lastIndex())
            {
                return refuse(new CorruptLogException(segment.file(), 0, "segment starts at index " +
                    segment.baseIndex() + " but the previous segment " + previous.file().getFileName() +
                    " ends at index " + previous.lastIndex() + ", so the segments overlap", "Move the segment " +
                    "that does not belong out of " + segment.file().getParent() + ", or restore the group " +
                    "directory from a peer"));
            }
        }

        final Builder b = new Builder();
        final long snapshotIndex = f.snapshotIndex;
        final long snapshotTerm = f.snapshotTerm;

        // A segment the newest valid snapshot covers whole (the next one starts at or below its index + 1) is what an
        // interrupted compaction left: it deletes such segments and a crash may keep any of them, in any order, so a
        // gap among them is no loss. They go, as the compaction meant.
        int covered = 0;
        while (covered + 1 < segments.size() && segments.get(covered + 1).baseIndex() <= snapshotIndex + 1)
        {
            b.discarded.add(segments.get(covered).file());
            covered++;
        }
        final List<LogInspector.SegmentReport> remaining = segments.subList(covered, segments.size());

        // ---- the intact prefix of the log: where the valid records of consecutive segments end
        int kept = 0;
        Path cutFile = null;
        long cutOffset = 0;
        String cutProblem = null;
        long end = snapshotIndex;
        Path endFile = null;
        long endOffset = 0;
        if (!remaining.isEmpty() && null != remaining.get(0).end() && remaining.get(0).baseIndex() > snapshotIndex + 1)
        {
            final LogInspector.SegmentReport first = remaining.get(0);
            cutFile = first.file();
            cutProblem = "the log starts at index " + first.baseIndex() + " but the newest valid snapshot covers " +
                "indexes up to " + snapshotIndex + ", so indexes " + (snapshotIndex + 1) + ".." +
                (first.baseIndex() - 1) + " are missing";
        }
        else
        {
            for (int i = 0; i < remaining.size(); i++)
            {
                final LogInspector.SegmentReport segment = remaining.get(i);
                if (null == segment.end())
                {
                    cutFile = segment.file();
                    cutProblem = "its header is damaged (" + segment.defect() + "), so its entries from index " +
                        segment.baseIndex() + " on are lost";
                    break;
                }
                if (i > 0 && segment.baseIndex() != remaining.get(i - 1).lastIndex() + 1)
                {
                    final LogInspector.SegmentReport previous = remaining.get(i - 1);
                    cutFile = segment.file();
                    cutProblem = "segment starts at index " + segment.baseIndex() + " but the previous segment " +
                        previous.file().getFileName() + " ends at index " + previous.lastIndex() + ", so the " +
                        "segment(s) holding indexes " + (previous.lastIndex() + 1) + ".." +
                        (segment.baseIndex() - 1) + " are missing";
                    break;
                }
                kept = i + 1;
                end = segment.lastIndex();
                endFile = segment.file();
                endOffset = segment.bytesUsed();
                if (SegmentScan.End.TORN_TAIL == segment.end() || SegmentScan.End.DAMAGED == segment.end())
                {
                    cutFile = segment.file();
                    cutOffset = segment.bytesUsed();
                    cutProblem = "record of index " + (segment.lastIndex() + 1) + " is damaged or incomplete (" +
                        segment.defect() + ")" + (segment.followingRecord() >= 0 ? " though a valid record " +
                        "follows at offset " + segment.followingRecord() : "");
                    break;
                }
            }
        }
        for (int i = 0; i < kept; i++)
        {
            b.keptSegments.add(remaining.get(i).file());
        }
        final List<Path> after = new ArrayList<>();
        for (int i = kept; i < remaining.size(); i++)
        {
            after.add(remaining.get(i).file());
        }

        // ---- the snapshot: the log must continue it, or it was left by an interrupted install
        long lastIndex;
        boolean superseded = false;
        boolean discard = false;
        if (kept > 0 && snapshotIndex >= remaining.get(0).baseIndex() &&
            (end < snapshotIndex || termAt(remaining, kept, snapshotIndex) != snapshotTerm))
        {
            // Only an interrupted installSnapshot leaves this: the snapshot was durable before the old segments went.
            // Entries the log holds from a conflicting term at the snapshot's index were replaced by the leader's.
            final long termThere = end >= snapshotIndex ? termAt(remaining, kept, snapshotIndex) : -1;
            superseded = termThere >= 0 && termThere != snapshotTerm;
            discard = true;
            lastIndex = snapshotIndex;
            b.notes.add("the log does not continue snapshot " + snapshotIndex + " (term " + snapshotTerm + "): " +
                "left by an interrupted snapshot install; a start discards " + kept + " segment(s) and continues " +
                "after the snapshot");
        }
        else
        {
            lastIndex = Math.max(end, snapshotIndex);
        }
        final long lastTerm = discard || end <= snapshotIndex ? snapshotTerm : termAt(remaining, kept, end);

        // ---- the hard state
        String hardStateProblem = null;
        final boolean validSlot = null != hs && hs.validSlots() > 0;
        if (f.headerMissing && !hasLogOrSnapshot && !f.anyQuarantined)
        {
            // Nothing but (perhaps) the empty slots a first start writes before the header: that start was cut short.
            b.newMember = true;
        }
        else if (null == hs || hs.neverWritten())
        {
            // A header (written after the first hard-state slot) or quarantined files prove a past even when no log is
            // left: such a member lost its hard state, it is not new (a new one could vote again in a term it voted in).
            if (hasLogOrSnapshot || f.anyQuarantined || !f.headerMissing)
            {
                hardStateProblem = (null == hs ? "the hard state file is missing" : 0 == hs.fileLength() ?
                    "the hard state file is empty" : hs.truncated() ? "the hard state file is cut to " +
                    hs.fileLength() + " bytes and holds no valid slot" : "the hard state file holds only zeros") +
                    (hasLogOrSnapshot ? " next to a log or snapshot" : f.anyQuarantined ?
                    " where an earlier start quarantined damaged files" : " next to the directory header, which is " +
                    "written only after the first hard state");
            }
            else
            {
                b.newMember = true;
            }
        }
        else if (2 == hs.damagedSlots())
        {
            hardStateProblem = "both hard state slots are damaged";
        }
        else if (hs.truncated())
        {
            hardStateProblem = "the hard state file is cut to " + hs.fileLength() + " bytes (a written one has " +
                HardStateFile.WRITTEN_LENGTH + "), so its newest slot may be gone";
        }
        else if (1 == hs.damagedSlots())
        {
            // Not a torn write: a slot lies within one 512-byte sector, which a crash leaves old or new, never mixed
            // (the assumption PostgreSQL makes for pg_control). So the damaged slot may have been the newer one, with
            // a higher term or a vote the older slot does not hold: trusting the older one could vote twice in a term.
            hardStateProblem = "one hard state slot is damaged and may have been the newer one";
        }
        else if (hs.repairTerm() >= 0)
        {
            hardStateProblem = "an earlier start found the hard state lost and the repair it began is not complete " +
                "(the log holds no entry of a term above " + hs.repairTerm() + ")";
        }
        final boolean lost = null != hardStateProblem;
        b.hardStateLost = lost;
        b.hardStateFound = hs;
        b.syncedIndex = validSlot ? hs.syncedIndex() : 0;
        b.syncedTerm = validSlot ? hs.syncedTerm() : 0;
        // Entries replaced by a snapshot of the leader's were never committed: what was synced of them no longer counts.
        final long watermark = superseded ? Math.min(b.syncedIndex, snapshotIndex) : b.syncedIndex;
        b.lastIndex = lastIndex;

        // ---- the verdict
        final boolean missingSynced = lastIndex < watermark;
        final boolean somethingCut = null != cutProblem || !after.isEmpty();
        if (missingSynced || lost)
        {
            b.kind = Kind.REPAIR;
            final String hardStateText = lost ? hardStateProblem + ", so this member's term and vote are unknown" :
                null;
            if (missingSynced && null != cutProblem)
            {
                b.file = cutFile;
                b.offset = cutOffset;
                b.problem = cutProblem + ": synced records " + (lastIndex + 1) + ".." + watermark + " are lost";
            }
            else if (missingSynced)
            {
                b.file = null != endFile ? endFile : f.hardStateFile;
                b.offset = null != endFile ? endOffset : 0;
                b.problem = "the log ends at index " + lastIndex + " but the synced watermark is " + watermark +
                    ", so synced records " + (lastIndex + 1) + ".." + watermark + " are missing (a segment " +
                    "deleted, or a tail zeroed)";
            }
            else
            {
                b.file = f.hardStateFile;
                b.offset = 0;
                b.problem = hardStateText;
            }
            if (missingSynced && lost)
            {
                b.problem += "; and " + hardStateText;
            }
            if (missingSynced && kept > 0 && !discard && remaining.get(kept - 1).file().equals(cutFile))
            {
                // The start zeroes what follows the intact prefix in this segment: a copy keeps it as found.
                b.copiedToQuarantine.add(cutFile);
            }
            if (lost && null != hs)
            {
                b.copiedToQuarantine.add(f.hardStateFile);
            }
            b.movedToQuarantine.addAll(after);
            if (discard)
            {
                b.movedToQuarantine.addAll(b.keptSegments);
            }
            b.repair = new LogRepair(lost ? Math.max(watermark, lastIndex) : watermark, lastIndex + 1, lost);
        }
        else if (somethingCut)
        {
            b.kind = Kind.CUT_TORN_TAIL;
            b.file = cutFile;
            b.offset = cutOffset;
            b.problem = null != cutProblem ? cutProblem : "segments after index " + lastIndex + " are not part of " +
                "the log";
            b.movedToQuarantine.addAll(after);
            if (discard)
            {
                b.discarded.addAll(b.keptSegments);
            }
        }
        else
        {
            b.kind = Kind.HEALTHY;
            if (discard)
            {
                b.discarded.addAll(b.keptSegments);
            }
        }
        if (discard)
        {
            b.keptSegments.clear();
        }
        if (!b.movedToQuarantine.isEmpty() && Kind.CUT_TORN_TAIL == b.kind)
        {
            b.notes.add("a start moves " + fileNames(b.movedToQuarantine) + " into " + QUARANTINE_DIRECTORY + "/");
        }

        // ---- the hard state a start goes on from
        if (lost)
        {
            final boolean pending = validSlot && hs.repairTerm() >= 0;
            final long term = Math.max(validSlot ? hs.state().term() : 0, lastTerm);
            b.startState = new HardState(term, pending && term == hs.state().term() ? hs.state().votedFor() :
                HardState.NO_VOTE, Math.min(validSlot ? hs.state().commit() : 0, lastIndex));
            b.startRepairTerm = Math.max(pending ? hs.repairTerm() : HardStateFile.NO_REPAIR, term);
            b.writeHardStateAtStart = true;
        }
        else if (b.newMember)
        {
            b.startState = HardState.INITIAL;
            b.writeHardStateAtStart = true;
        }
        else
        {
            b.startState = new HardState(hs.state().term(), hs.state().votedFor(),
                Math.min(hs.state().commit(), lastIndex));
        }
        return new RecoveryVerdict(b);
    }

    /** The term of {@code index} in the first {@code kept} segments, -1 if they do not hold it. */
    private static long termAt(final List<LogInspector.SegmentReport> segments, final int kept, final long index)
    {
        for (int s = 0; s < kept; s++)
        {
            final LogInspector.SegmentReport segment = segments.get(s);
            if (index >= segment.baseIndex() && index <= segment.lastIndex())
            {
                long term = -1;
                for (int i = 0; i < segment.termStarts().size() && segment.termStarts().get(i) <= index; i++)
                {
                    term = segment.terms().get(i);
                }
                return term;
            }
        }
        return -1;
    }
}
