package io.ringraft.log;

import io.ringraft.codecs.sbe.HardStateDecoder;
import io.ringraft.codecs.sbe.HardStateEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.raft.HardState;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Term, vote and commit of one group, and its synced watermark, written atomically without a rename: two slots, each
 * a {@link RecordFrame} over {@code sequence:int64} followed by an SBE {@code HardState} message, written
 * alternately. The slots live in different 4 KiB blocks so that a write torn by a crash damages only the slot being
 * written; the valid slot with the higher sequence wins on load.
 * <p>
 * <b>When a slot is written.</b> {@link #save} only keeps the state; {@link #sync} writes a slot (and fsyncs it) when
 * the term or vote changed since the last one, or when the watermark it is given differs from the one on disk. The
 * log calls it in every group commit after the segment is durable, so a slot goes out with every batch of new
 * entries and with every term or vote change. The commit index is Raft's volatile state (a restarted member learns
 * it again from the leader): it is written with those slots and at a clean close ({@link #writeHeldCommit}), never
 * alone, and never beyond the log's durable end, so the commit found on load is a lower bound of the one reached.
 */
final class HardStateFile implements AutoCloseable
{
    static final int SLOT_SPACING = 4096;
    static final long NO_REPAIR = -1;
    private static final int SEQUENCE_OFFSET = RecordFrame.LENGTH;
    private static final int MESSAGE_OFFSET = SEQUENCE_OFFSET + 8;
    private static final int FRAMED_LENGTH = 8 + MessageHeaderEncoder.ENCODED_LENGTH + HardStateEncoder.BLOCK_LENGTH;
    private static final int SLOT_LENGTH = RecordFrame.LENGTH + FRAMED_LENGTH;
    /** The length of a file written at least once: the first write (sequence 1) goes to the second slot. */
    static final int WRITTEN_LENGTH = SLOT_SPACING + SLOT_LENGTH;

    static
    {
        // Recovery takes a damaged slot for damage, never a torn write, because a slot fits in one sector.
        if (SLOT_LENGTH > 512)
        {
            throw new IllegalStateException("a hard state slot (" + SLOT_LENGTH + " bytes) must fit in one 512-byte sector");
        }
    }

    private final Path file;
    private final DiskFile channel;
    private final UnsafeBuffer slot = new UnsafeBuffer(ByteBuffer.allocateDirect(SLOT_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HardStateEncoder encoder = new HardStateEncoder();
    private long sequence;
    /** Owned and updated in place: callers hand in states they reuse (a Ready, a ring slot). */
    private final HardState current = new HardState(HardState.INITIAL);
    private long syncedIndex;
    private long syncedTerm;
    private long repairTerm = NO_REPAIR;
    /** {@link #current}'s term or vote differs from the one on disk. */
    private boolean termOrVoteUnwritten;
    /** {@link #current}'s commit is ahead of the one on disk. */
    private boolean commitUnwritten;

    private HardStateFile(final Path file, final DiskFile channel)
    {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens (creating if absent) and loads the newest valid slot, {@link HardState#INITIAL} when none is: for a file
     * of its own. A log decides what to make of its hard state with the rest of the directory ({@link RecoveryVerdict})
     * and uses {@link #open(Disk, Path, HardStateSlots, HardState, long)}.
     *
     * @throws CorruptLogException when both slots are damaged.
     */
    static HardStateFile open(final Disk disk, final Path file)
    {
        final HardStateSlots slots;
        if (disk.exists(file))
        {
            try (DiskFile channel = disk.open(file, Disk.OpenMode.READ))
            {
                slots = read(channel);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + file, ex);
            }
            if (2 == slots.damagedSlots())
            {
                throw new CorruptLogException(file, 0, "both hard state slots are damaged, so this member's term " +
                    "and vote are unknown", "Restore " + file.getFileName() + " from a backup, or delete " +
                    file.getParent() + " so that this member resyncs from its peers as a new member");
            }
        }
        else
        {
            slots = null;
        }
        return null == slots ? open(disk, file, null, HardState.INITIAL, NO_REPAIR) :
            open(disk, file, slots, slots.state(), slots.repairTerm());
    }

    /**
     * Opens (creating if absent) the file to go on from {@code state}; writes nothing else.
     *
     * @param found      what the file held (its sequence and watermark go on), or null when it was missing.
     * @param repairTerm see {@link HardStateSlots#repairTerm()}.
     */
    static HardStateFile open(
        final Disk disk, final Path file, final HardStateSlots found, final HardState state, final long repairTerm)
    {
        try
        {
            final boolean existed = disk.exists(file);
            final DiskFile channel = disk.open(file, Disk.OpenMode.CREATE);
            if (!existed)
            {
                DurableFiles.fsyncDirectory(disk, file.getParent());
            }
            final HardStateFile hardStateFile = new HardStateFile(file, channel);
            hardStateFile.current.copyFrom(state);
            hardStateFile.repairTerm = repairTerm;
            if (null != found)
            {
                hardStateFile.sequence = found.sequence();
                hardStateFile.syncedIndex = found.syncedIndex();
                hardStateFile.syncedTerm = found.syncedTerm();
                hardStateFile.termOrVoteUnwritten = !state.equals(found.state()) || repairTerm != found.repairTerm();
            }
            else
            {
                hardStateFile.termOrVoteUnwritten = true;
            }
            return hardStateFile;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file, ex);
        }
    }

    /** Reads both slots without writing anything: for recovery's verdict and for read-only inspection. */
    static HardStateSlots read(final DiskFile channel) throws IOException
    {
        final UnsafeBuffer candidate = new UnsafeBuffer(ByteBuffer.allocateDirect(SLOT_LENGTH));
        final HardStateDecoder decoder = new HardStateDecoder();
        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        final HardState best = new HardState(HardState.INITIAL);
        long bestSequence = 0;
        long syncedIndex = 0;
        long syncedTerm = 0;
        long repairTerm = NO_REPAIR;
        int damagedSlots = 0;
        int validSlots = 0;
        final boolean[] zero = new boolean[2];
        for (int i = 0; i < 2; i++)
        {
            candidate.setMemory(0, SLOT_LENGTH, (byte)0);
            final ByteBuffer bytes = candidate.byteBuffer().clear();
            channel.read(bytes, (long)i * SLOT_SPACING);
            if (RecordFrame.check(candidate, 0, SLOT_LENGTH, FRAMED_LENGTH) !=
                FRAMED_LENGTH || !hasHardStateHeader(candidate))
            {
                zero[i] = isZero(candidate);
                damagedSlots += zero[i] ? 0 : 1;
                continue;
            }
            validSlots++;
            final long slotSequence = candidate.getLong(SEQUENCE_OFFSET);
            if (slotSequence > bestSequence)
            {
                bestSequence = slotSequence;
                decoder.wrapAndApplyHeader(candidate, MESSAGE_OFFSET, headerDecoder);
                best.set(decoder.term(), decoder.votedFor(), decoder.commit());
                syncedIndex = decoder.syncedIndex();
                syncedTerm = decoder.syncedTerm();
                repairTerm = decoder.repairTerm();
            }
        }
        // A slot of zeros is one never written, unless it must have been: a member's first start writes both slots
        // (the second one first, which gives the file its full length, durable with its fsync), so in a file of full
        // length zeros are a zeroed sector: damage, which may have taken the newest state.
        final long fileLength = channel.size();
        if (fileLength >= WRITTEN_LENGTH)
        {
            damagedSlots += (zero[0] ? 1 : 0) + (zero[1] ? 1 : 0);
        }
        return new HardStateSlots(best, bestSequence, validSlots, damagedSlots, syncedIndex, syncedTerm, repairTerm,
            fileLength);
    }

    private static boolean isZero(final UnsafeBuffer slot)
    {
        for (int i = 0; i < SLOT_LENGTH; i++)
        {
            if (0 != slot.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    /** The sequence sits between the frame and the SBE header, so the header check needs its own offset. */
    private static boolean hasHardStateHeader(final UnsafeBuffer candidate)
    {
        return candidate.getShort(MESSAGE_OFFSET + MessageHeaderDecoder.templateIdEncodingOffset()) ==
            HardStateEncoder.TEMPLATE_ID &&
            candidate.getShort(MESSAGE_OFFSET + MessageHeaderDecoder.schemaIdEncodingOffset()) ==
            (short)HardStateEncoder.SCHEMA_ID &&
            candidate.getShort(MESSAGE_OFFSET + MessageHeaderDecoder.blockLengthEncodingOffset()) ==
            HardStateEncoder.BLOCK_LENGTH;
    }

    /** A copy: the file's own state changes with every save. */
    HardState current()
    {
        return new HardState(current);
    }

    /** The kept term, without a copy. */
    long term()
    {
        return current.term();
    }

    /** The synced watermark on disk (or about to be, when a write of it failed half way). */
    long syncedIndex()
    {
        return syncedIndex;
    }

    long syncedTerm()
    {
        return syncedTerm;
    }

    long repairTerm()
    {
        return repairTerm;
    }

    /** Keeps the state for the next {@link #sync} (see the class comment); writes nothing. */
    void save(final HardState state)
    {
        if (state.equals(current))
        {
            return;
        }
        if (state.term() != current.term() || state.votedFor() != current.votedFor())
        {
            termOrVoteUnwritten = true;
        }
        else
        {
            commitUnwritten = true;
        }
        current.copyFrom(state);
    }

    /**
     * Writes a slot carrying the kept state and this watermark if the term or vote changed since the last slot or the
     * watermark or repair term differ from the ones on disk, and fsyncs it when {@code durable}.
     *
     * @param commitLimit the log's durable end: the commit written never passes it.
     * @return whether a slot was written.
     */
    boolean sync(
        final long newSyncedIndex,
        final long newSyncedTerm,
        final long newRepairTerm,
        final long commitLimit,
        final boolean durable)
    {
        if (!termOrVoteUnwritten && newSyncedIndex == syncedIndex && newSyncedTerm == syncedTerm &&
            newRepairTerm == repairTerm)
        {
            return false;
        }
        write(newSyncedIndex, newSyncedTerm, newRepairTerm, commitLimit, durable);
        return true;
    }

    /** Writes a slot carrying the kept state and this watermark to the older slot; fsyncs it when {@code durable}. */
    void write(
        final long newSyncedIndex,
        final long newSyncedTerm,
        final long newRepairTerm,
        final long commitLimit,
        final boolean durable)
    {
        final long nextSequence = sequence + 1;
        final long commit = Math.min(current.commit(), commitLimit);
        slot.putLong(SEQUENCE_OFFSET, nextSequence);
        encoder.wrapAndApplyHeader(slot, MESSAGE_OFFSET, headerEncoder)
            .term(current.term())
            .votedFor(current.votedFor())
            .commit(commit)
            .syncedIndex(newSyncedIndex)
            .syncedTerm(newSyncedTerm)
            .repairTerm(newRepairTerm);
        RecordFrame.seal(slot, 0, FRAMED_LENGTH);
        // From here the watermark on disk may be either: a lower one is only ever written before what it drops goes.
        syncedIndex = newSyncedIndex;
        syncedTerm = newSyncedTerm;
        repairTerm = newRepairTerm;
        try
        {
            final ByteBuffer bytes = slot.byteBuffer().clear();
            final long position = (nextSequence & 1) * SLOT_SPACING;
            while (bytes.hasRemaining())
            {
                channel.write(bytes, position + bytes.position());
            }
            if (durable)
            {
                channel.force(false);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write hard state to " + file, ex);
        }
        sequence = nextSequence;
        termOrVoteUnwritten = false;
        commitUnwritten = commit < current.commit();
    }

    /**
     * Writes the commit a save kept back, at most {@code limit}, and makes it durable: for a clean stop, so that the
     * restart begins from it. {@code limit} is the log's durable end, which a commit on disk must never pass.
     */
    void writeHeldCommit(final long limit)
    {
        if (commitUnwritten || termOrVoteUnwritten)
        {
            write(syncedIndex, syncedTerm, repairTerm, limit, true);
        }
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close " + file, ex);
        }
    }
}
