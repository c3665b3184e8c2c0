package io.ringraft.pipeline;

import io.ringraft.pipeline.testing.ApplyHook;
import io.ringraft.pipeline.testing.Gate;
import io.ringraft.pipeline.testing.RecordingStateMachine;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.transport.InMemoryNetwork;
import org.agrona.IoUtil;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StageThreading#CALLER}: the production stages, run by the test's one thread in an order it draws from a seed,
 * on a clock it moves. What a deterministic simulator relies on: the node starts no thread, every stage order
 * replicates and applies, and the same seed gives the same run.
 */
class CallerThreadingTest
{
    private static final long TICK_NS = 10_000_000L;
    private Path root;

    @BeforeEach
    void createRoot() throws IOException
    {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "ringraft-caller-");
    }

    @AfterEach
    void deleteRoot()
    {
        IoUtil.delete(root.toFile(), true);
    }

    @Test
    void aClusterRunByTheCallerElectsReplicatesAndAppliesWithoutThreadsOfItsOwn() throws IOException
    {
        final Run run = new Run(root.resolve("a"), 7);
        try
        {
            final List<String> threadsBefore = ringraftThreads();
            run.start();
            assertThat(ringraftThreads()).as("no stage thread, no ticker").isEqualTo(threadsBefore);

            final List<CompletableFuture<Result>> results = run.proposeAndRun(50);

            assertThat(results).allSatisfy(r -> assertThat(r.getNow(null)).isNotNull().matches(Result::isOk));
            for (final RecordingStateMachine machine : run.machines)
            {
                assertThat(machine.firstViolation()).isNull();
                assertThat(machine.applyCount()).as("every member applies every proposal").isGreaterThanOrEqualTo(50);
            }
        }
        finally
        {
            run.close();
        }
    }

    @Test
    void theSameSeedRunsTheSameWay() throws IOException
    {
        final Run first = new Run(root.resolve("a"), 11);
        final Run second = new Run(root.resolve("b"), 11);
        try
        {
            first.start();
            second.start();
            first.proposeAndRun(30);
            second.proposeAndRun(30);

            assertThat(second.trace).as("stage calls, leaders, terms and applied indexes").isEqualTo(first.trace);
            assertThat(first.trace).hasSizeGreaterThan(100);
        }
        finally
        {
            first.close();
            second.close();
        }
    }

    /**
     * A persist batch taken ({@link PipelineStages#takePersistBatch}) is written at once and forced and acknowledged
     * only by a later run, while the raft stage goes on publishing Readies that wait for the batch after: every
     * proposal still commits and applies on every member, and the same seed still runs the same way.
     */
    @Test
    void persistBatchesTakenAndEndedLaterStillReplicateAndApply() throws IOException
    {
        final Run first = new Run(root.resolve("a"), 13).takingBatches();
        final Run second = new Run(root.resolve("b"), 13).takingBatches();
        try
        {
            first.start();
            second.start();
            final List<CompletableFuture<Result>> results = first.proposeAndRun(40);
            second.proposeAndRun(40);

            assertThat(results).allSatisfy(r -> assertThat(r.getNow(null)).isNotNull().matches(Result::isOk));
            for (final RecordingStateMachine machine : first.machines)
            {
                assertThat(machine.firstViolation()).isNull();
                assertThat(machine.applyCount()).as("every member applies every proposal").isGreaterThanOrEqualTo(40);
            }
            assertThat(first.trace).as("batches were taken and ended apart").anyMatch(t -> t.contains(":take:"));
            assertThat(second.trace).isEqualTo(first.trace);
        }
        finally
        {
            first.close();
            second.close();
        }
    }

    private static List<String> ringraftThreads()
    {
        final List<String> names = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("ringraft-"))
            {
                names.add(thread.getName());
            }
        }
        names.sort(String::compareTo);
        return names;
    }

    /** Three members on one in-memory network, one thread, one seed. */
    private static final class Run
    {
        private final CachedNanoClock nanoClock = new CachedNanoClock();
        private final CachedEpochClock epochClock = new CachedEpochClock();
        private final InMemoryNetwork network = new InMemoryNetwork();
        private final RingraftNode[] nodes = new RingraftNode[3];
        private final RecordingStateMachine[] machines = new RecordingStateMachine[3];
        private final Random random;
        private final List<String> trace = new ArrayList<>();
        private boolean takeBatches;

        Run(final Path dir, final long seed)
        {
            random = new Random(seed);
            nanoClock.update(1_000_000_000L);
            epochClock.update(1_000_000L);
            for (int i = 0; i < 3; i++)
            {
                final int member = i + 1;
                final int index = i;
                nodes[i] = RingraftNode.launch(new NodeContext()
                    .memberId(member)
                    .members(1, 2, 3)
                    .dataDir(dir.resolve("member-" + member))
                    .threading(StageThreading.CALLER)
                    .nanoClock(nanoClock)
                    .epochClock(epochClock)
                    .random(new SplittableRandom(seed * 31 + member))
                    .fsyncPolicy(FsyncPolicy.ALWAYS)
                    .raftConfigCustomizer(c -> c.random(new Random(seed * 17 + member)))
                    .stateMachineFactory(g -> machines[index] = new RecordingStateMachine(g, ApplyHook.NONE, new Gate()))
                    .transport(network.transport(member, 0)));
            }
        }

        Run takingBatches()
        {
            takeBatches = true;
            return this;
        }

        void start()
        {
            for (final RingraftNode node : nodes)
            {
                node.start();
            }
        }

        /** Runs until a leader is elected, proposes {@code count} entries to it, and runs until all are applied. */
        List<CompletableFuture<Result>> proposeAndRun(final int count)
        {
            RingraftNode leader = null;
            for (int step = 0; step < 2_000 && null == leader; step++)
            {
                step();
                leader = leader();
            }
            assertThat(leader).as("a leader within 2,000 steps").isNotNull();
            final List<CompletableFuture<Result>> results = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                results.add(leader.propose(0, ("entry-" + i).getBytes()));
                if (random.nextInt(4) == 0)
                {
                    step();
                }
            }
            for (int step = 0; step < 2_000 && !allApplied(count); step++)
            {
                step();
            }
            return results;
        }

        private boolean allApplied(final int count)
        {
            for (final RecordingStateMachine machine : machines)
            {
                if (machine.applyCount() < count)
                {
                    return false;
                }
            }
            return true;
        }

        private RingraftNode leader()
        {
            for (final RingraftNode node : nodes)
            {
                if (groupCounter(node, "leader") == node.memberId())
                {
                    return node;
                }
            }
            return null;
        }

        /** Runs random stages of random members until everything is idle, then moves the clock a tick on. */
        void step()
        {
            for (int calls = 0; calls < 10_000; calls++)
            {
                final int member = random.nextInt(3);
                final PipelineStages stages = nodes[member].stages();
                final int stage = random.nextInt(4);
                if (1 == stage && takeBatches && random.nextBoolean())
                {
                    final int takenNow = stages.takePersistBatch();
                    if (takenNow > 0)
                    {
                        trace.add(member + ":take:" + takenNow);
                    }
                    continue;
                }
                final int handled = switch (stage)
                {
                    case 0 -> stages.runRaft();
                    case 1 -> stages.runPersist();
                    case 2 -> stages.runApply();
                    default -> stages.runSend();
                };
                if (handled > 0)
                {
                    trace.add(member + ":" + stage + ":" + handled);
                }
                if (allIdle())
                {
                    break;
                }
            }
            nanoClock.advance(TICK_NS);
            epochClock.advance(TICK_NS / 1_000_000);
            for (final RingraftNode node : nodes)
            {
                node.stages().tick();
            }
            for (final RingraftNode node : nodes)
            {
                trace.add(node.memberId() + " leader " + groupCounter(node, "leader") + " term " +
                    groupCounter(node, "term"));
            }
        }

        private static long groupCounter(final RingraftNode node, final String name)
        {
            return node.counters().valueOf(CounterLabels.group(name, node.memberId(), 0), -1);
        }

        private boolean allIdle()
        {
            for (final RingraftNode node : nodes)
            {
                if (!node.stages().idle())
                {
                    return false;
                }
            }
            return true;
        }

        void close()
        {
            for (final RingraftNode node : nodes)
            {
                node.close();
            }
            network.close();
        }
    }
}
