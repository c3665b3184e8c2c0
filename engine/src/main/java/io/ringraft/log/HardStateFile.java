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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Term, vote and commit of one group, written atomically without a rename: two slots, each a
 * {@link RecordFrame} over {@code sequence:int64} followed by an SBE {@code HardState} message, written
 * alternately. The slots live in different 4 KiB blocks so that a write torn by a crash damages only the
 * slot being written; the valid slot with the higher sequence wins on load.
 * <p>
 * Term and vote are written as soon as they change: Raft must find them again after a crash before it votes or
 * acts in a term. The commit index is Raft's volatile state (a restarted member learns it again from the leader),
 * so a save that only moves it writes nothing: the commit goes to disk with the next term or vote change and with
 * a clean close ({@link #writeHeldCommit}). Writing it with every group commit cost a write and, with fsync, a
 * second fsync per batch. The commit found on load is therefore a lower bound of the one reached, never beyond it.
 */
final class HardStateFile implements AutoCloseable
{
    static final int SLOT_SPACING = 4096;
    private static final int SEQUENCE_OFFSET = RecordFrame.LENGTH;
    private static final int MESSAGE_OFFSET = SEQUENCE_OFFSET + 8;
    private static final int FRAMED_LENGTH = 8 + MessageHeaderEncoder.ENCODED_LENGTH + HardStateEncoder.BLOCK_LENGTH;
    private static final int SLOT_LENGTH = RecordFrame.LENGTH + FRAMED_LENGTH;

    private final Path file;
    private final FileChannel channel;
    private final UnsafeBuffer slot = new UnsafeBuffer(ByteBuffer.allocateDirect(SLOT_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HardStateEncoder encoder = new HardStateEncoder();
    private long sequence;
    /** Owned and updated in place: callers hand in states they reuse (a Ready, a ring slot). */
    private final HardState current = new HardState(HardState.INITIAL);
    private boolean dirty;
    /** {@link #current}'s commit is ahead of the one on disk. */
    private boolean commitUnwritten;

    private HardStateFile(final Path file, final FileChannel channel)
    {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating if absent) and loads the newest valid slot; {@link HardState#INITIAL} when none is. */
    static HardStateFile open(final Path file)
    {
        try
        {
            final boolean existed = Files.exists(file);
            final FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (!existed)
            {
                DurableFiles.fsyncDirectory(file.getParent());
            }
            final HardStateFile hardStateFile = new HardStateFile(file, channel);
            try
            {
                hardStateFile.load();
            }
            catch (final RuntimeException | IOException ex)
            {
                channel.close();
                throw ex;
            }
            return hardStateFile;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file, ex);
        }
    }

    private void load() throws IOException
    {
        final HardStateSlots slots = read(channel);
        if (2 == slots.damagedSlots())
        {
            // One crash tears at most the slot being written; the other one was valid before it. Starting from
            // the initial state now could cast a second vote in a term already voted in.
            throw new CorruptLogException(file, 0, "both hard state slots are damaged, so this member's term " +
                "and vote are unknown", "Restore " + file.getFileName() + " from a backup, or delete " +
                file.getParent() + " so that this member resyncs from its peers as a new member");
        }
        current.copyFrom(slots.state());
        sequence = slots.sequence();
    }

    /** Reads both slots without writing anything: for {@link #open} and for read-only inspection. */
    static HardStateSlots read(final FileChannel channel) throws IOException
    {
        final UnsafeBuffer candidate = new UnsafeBuffer(ByteBuffer.allocateDirect(SLOT_LENGTH));
        final HardStateDecoder decoder = new HardStateDecoder();
        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        final HardState best = new HardState(HardState.INITIAL);
        long bestSequence = 0;
        int damagedSlots = 0;
        int validSlots = 0;
        for (int i = 0; i < 2; i++)
        {
            candidate.setMemory(0, SLOT_LENGTH, (byte)0);
            final ByteBuffer bytes = candidate.byteBuffer().clear();
            channel.read(bytes, (long)i * SLOT_SPACING);
            if (RecordFrame.check(candidate, 0, SLOT_LENGTH, FRAMED_LENGTH) !=
                FRAMED_LENGTH || !hasHardStateHeader(candidate))
            {
                damagedSlots += isZero(candidate) ? 0 : 1;
                continue;
            }
            validSlots++;
            final long slotSequence = candidate.getLong(SEQUENCE_OFFSET);
            if (slotSequence > bestSequence)
            {
                bestSequence = slotSequence;
                decoder.wrapAndApplyHeader(candidate, MESSAGE_OFFSET, headerDecoder);
                best.set(decoder.term(), decoder.votedFor(), decoder.commit());
            }
        }
        return new HardStateSlots(best, bestSequence, validSlots, damagedSlots);
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
            (short)HardStateEncoder.SCHEMA_ID;
    }

    /** A copy: the file's own state changes with every save. */
    HardState current()
    {
        return new HardState(current);
    }

    /**
     * Writes the state to the older slot, {@link #force()} making it durable; when only the commit moved, keeps it
     * for the next write (see the class comment).
     */
    void save(final HardState state)
    {
        if (state.equals(current))
        {
            return;
        }
        if (state.term() == current.term() && state.votedFor() == current.votedFor())
        {
            current.copyFrom(state);
            commitUnwritten = true;
            return;
        }
        write(state);
    }

    private void write(final HardState state)
    {
        final long nextSequence = sequence + 1;
        slot.putLong(SEQUENCE_OFFSET, nextSequence);
        encoder.wrapAndApplyHeader(slot, MESSAGE_OFFSET, headerEncoder)
            .term(state.term())
            .votedFor(state.votedFor())
            .commit(state.commit());
        RecordFrame.seal(slot, 0, FRAMED_LENGTH);
        try
        {
            final ByteBuffer bytes = slot.byteBuffer().clear();
            final long position = (nextSequence & 1) * SLOT_SPACING;
            while (bytes.hasRemaining())
            {
                channel.write(bytes, position + bytes.position());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write hard state to " + file, ex);
        }
        sequence = nextSequence;
        current.copyFrom(state);
        commitUnwritten = false;
        dirty = true;
    }

    void force()
    {
        if (dirty)
        {
            try
            {
                channel.force(false);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot fsync " + file, ex);
            }
            dirty = false;
        }
    }

    void clearDirty()
    {
        dirty = false;
    }

    /**
     * Writes the commit a save kept back, at most {@code limit}, and makes it durable: for a clean stop, so that the
     * restart begins from it. {@code limit} is the log's durable end, which a commit on disk must never pass.
     */
    void writeHeldCommit(final long limit)
    {
        if (commitUnwritten)
        {
            write(new HardState(current.term(), current.votedFor(), Math.min(current.commit(), limit)));
            force();
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
