package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.pipeline.testing.ApplyHook;
import io.ringraft.pipeline.testing.Gate;
import io.ringraft.pipeline.testing.RecordingStateMachine;
import io.ringraft.raft.ConfChange;
import io.ringraft.raft.Membership;
import io.ringraft.raft.RaftConfig;
import io.ringraft.raft.RaftNode;
import io.ringraft.raft.Role;
import io.ringraft.statemachine.StateMachine;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The membership a snapshot records is the one in force at the index it covers. The raft, persist and apply
 * stages of a one-member group are driven here by hand, one thread, so that the apply stage can be held behind at
 * an exact point: a snapshot is asked for while the apply ring is full, a configuration change commits meanwhile,
 * and the apply stage takes the snapshot only after applying that change.
 */
class SnapshotMembershipTest
{
    private static final int APPLY_RING_SIZE = 4;
    private static final long THRESHOLD = 8;

    @TempDir
    Path dir;

    private final RingBuffer<InboundEvent> inboundRing = RingBuffer.createMultiProducer(InboundEvent::new, 1024);
    private final RingBuffer<PersistEvent> persistRing = RingBuffer.createSingleProducer(PersistEvent::new, 64);
    private final RingBuffer<ApplyEvent> applyRing = RingBuffer.createSingleProducer(ApplyEvent::new, APPLY_RING_SIZE);
    private final RingBuffer<SendEvent> sendRing = RingBuffer.createMultiProducer(SendEvent::new, 1024);
    private final Sequence inboundDone = gate(inboundRing);
    private final Sequence persistDone = gate(persistRing);
    private final Sequence applyDone = gate(applyRing);
    private final LargeBufferPool largeBuffers = new LargeBufferPool(4);
    private GroupStorage storage;
    private RaftStage raftStage;
    private PersistStage persistStage;
    private ApplyStage applyStage;
    private long correlationId;

    @Test
    void aSnapshotAskedForBeforeAConfigurationChangeButTakenAfterItRecordsTheChange()
    {
        final Membership bootstrap = Membership.ofVoters(1);
        storage = DurableLogStorage.factory(0, 1, FsyncPolicy.ALWAYS).open(0, dir);
        try (NodeCounters counters = new NodeCounters(dir, 1, new int[]{1}, 1))
        {
            final RaftNode node = new RaftNode(config(), storage.reader(), storage.snapshots(), storage.hardState(),
                bootstrap);
            final PendingProposals pending = new PendingProposals(64);
            final GroupRuntime group = new GroupRuntime(0, node, pending, counters.groups[0]);
            final MessageSender sender = new MessageSender(sendRing, counters, 1 << 20);
            final FeedbackPublisher feedback = new FeedbackPublisher(inboundRing, () -> false, Thread::onSpinWait);
            final HandOverArena persistArena = new HandOverArena(1 << 20);
            final GroupStorage[] storages = {storage};
            persistStage = new PersistStage(
                storages, persistRing, persistArena, sender, feedback, counters, SystemNanoClock.INSTANCE);
            applyStage = new ApplyStage(
                new StateMachine[]{new RecordingStateMachine(0, ApplyHook.NONE, new Gate())}, storages,
                new PendingProposals[]{pending}, new long[]{0}, bootstrap, counters, feedback, 1 << 20,
                SystemNanoClock.INSTANCE);
            raftStage = new RaftStage(1, new GroupRuntime[]{group}, inboundRing, persistRing, applyRing, sendRing,
                sender, counters, TimeUnit.SECONDS.toNanos(60), TimeUnit.SECONDS.toNanos(60), largeBuffers,
                persistArena, SystemNanoClock.INSTANCE, SystemEpochClock.INSTANCE, 1);

            for (int i = 0; i < 100 && node.role() != Role.LEADER; i++)
            {
                publishTick();
                pump(true);
            }
            assertThat(node.role()).as("a one-member group elects itself").isEqualTo(Role.LEADER);

            // Applied up to just below the threshold: no snapshot asked for yet.
            while (node.lastIndex() < THRESHOLD - 1)
            {
                propose();
            }
            pump(true);
            assertThat(applyStage.appliedIndex(0)).isEqualTo(THRESHOLD - 1);

            // The apply stage falls behind: one APPLY slot per commit until its ring is full, then two more commits.
            for (int i = 0; i < APPLY_RING_SIZE + 2; i++)
            {
                propose();
                pump(false);
            }
            assertThat(applyRing.remainingCapacity()).as("apply ring full").isZero();

            // It applies one slot, crossing the threshold: the raft stage asks for a snapshot, but the ring is full
            // again (the next APPLY took the freed slot), so the request waits in the raft stage.
            drainOne(applyRing, applyDone, applyStage);
            pump(false);
            assertThat(applyStage.appliedIndex(0)).isEqualTo(THRESHOLD);

            // A configuration change commits while the request waits.
            final ProposalFuture change = new ProposalFuture();
            final long sequence = inboundRing.next();
            inboundRing.get(sequence).confChange(
                0, new ConfChangeRequest(ConfChange.single(ConfChangeType.ADD_LEARNER, 2, ""), change));
            inboundRing.publish(sequence);
            pump(false);
            assertThat(node.membership().isLearner(2)).as("the change is committed: " + node.membership()).isTrue();
            assertThat(storage.snapshots().index()).as("no snapshot taken yet").isZero();

            // The apply stage catches up: it applies the change, then takes the snapshot.
            pump(true);
            assertThat(change).isCompleted();
            final long changeIndex = change.join().index();
            assertThat(change.join().status()).isEqualTo(Status.OK);
            assertThat(storage.snapshots().index()).as("the snapshot covers the change").isGreaterThanOrEqualTo(changeIndex);
            assertThat(storage.snapshots().membership())
                .as("membership recorded with the snapshot at index " + storage.snapshots().index() +
                    " (change committed at " + changeIndex + ")")
                .isEqualTo(new Membership(new int[]{1}, null, new int[]{2}, null, false));
        }
        finally
        {
            storage.close();
        }

        // A restart from the snapshot (its log prefix compacted) keeps the change.
        storage = DurableLogStorage.factory(0, 1, FsyncPolicy.ALWAYS).open(0, dir);
        try
        {
            final RaftNode restarted = new RaftNode(config(), storage.reader(), storage.snapshots(),
                storage.hardState(), bootstrap);
            assertThat(restarted.membership().isLearner(2)).as("after a restart: " + restarted.membership()).isTrue();
        }
        finally
        {
            storage.close();
        }
    }

    private static RaftConfig config()
    {
        return new RaftConfig().clusterId(0).groupId(0).memberId(1).snapshotThresholdEntries(THRESHOLD);
    }

    private void propose()
    {
        final byte[] payload = ClusterBasicsTest.payload(++correlationId);
        publishProposal(payload);
        pump(false);
    }

    private void publishTick()
    {
        final long sequence = inboundRing.next();
        inboundRing.get(sequence).tick();
        inboundRing.publish(sequence);
    }

    private void publishProposal(final byte[] payload)
    {
        final long sequence = inboundRing.next();
        inboundRing.get(sequence).propose(
            0, correlationId, new ProposalFuture(), new UnsafeBuffer(payload), 0, payload.length, largeBuffers);
        inboundRing.publish(sequence);
    }

    /** Runs the raft and persist stages (and the apply stage when asked) until none has anything left to do. */
    private void pump(final boolean apply)
    {
        for (int round = 0; round < 1000; round++)
        {
            boolean moved = drain(inboundRing, inboundDone, raftStage);
            moved |= drain(persistRing, persistDone, persistStage);
            if (apply)
            {
                moved |= drain(applyRing, applyDone, applyStage);
            }
            if (!moved)
            {
                return;
            }
        }
        throw new AssertionError("the stages never ran out of work");
    }

    /** One batch, as the stage's processor would run it: every published event, the last one ending the batch. */
    private static <T> boolean drain(final RingBuffer<T> ring, final Sequence done, final EventHandler<T> handler)
    {
        final long available = ring.getCursor();
        if (available <= done.get())
        {
            return false;
        }
        for (long sequence = done.get() + 1; sequence <= available; sequence++)
        {
            onEvent(handler, ring.get(sequence), sequence, sequence == available);
        }
        done.set(available);
        return true;
    }

    private static <T> void drainOne(final RingBuffer<T> ring, final Sequence done, final EventHandler<T> handler)
    {
        final long sequence = done.get() + 1;
        assertThat(ring.getCursor()).isGreaterThanOrEqualTo(sequence);
        onEvent(handler, ring.get(sequence), sequence, true);
        done.set(sequence);
    }

    private static <T> void onEvent(final EventHandler<T> handler, final T event, final long sequence, final boolean end)
    {
        try
        {
            handler.onEvent(event, sequence, end);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static Sequence gate(final RingBuffer<?> ring)
    {
        final Sequence sequence = new Sequence(-1);
        ring.addGatingSequences(sequence);
        return sequence;
    }
}
