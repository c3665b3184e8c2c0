package io.ringraft.daemon.server;

import io.ringraft.daemon.config.ConfigException;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.log.RecoveryRefusedException;
import io.ringraft.pipeline.StageStopListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ringraft-daemon --config FILE}: runs one member until SIGTERM or SIGINT, whose shutdown hook closes the node,
 * the transport and the media driver and deletes the driver's directory, printing a line when it begins and one when
 * it is done. Prints one line, {@code ready member N ...}, once it serves clients. A member whose data directory is
 * refused (another cluster's or member's, first started with another {@code groups}, an older format, a file
 * unreadable or out of place) prints one line naming the file, the offset, what is wrong and what to
 * do, and exits with {@link #DATA_DIRECTORY_REFUSED}; damage it can repair (synced records lost, a lost hard state)
 * does not stop it: the member starts as a non-voting member and catches up from the leader.
 */
@Command(name = "ringraft-daemon", mixinStandardHelpOptions = true,
    description = "Runs one member of a ringraft KV cluster.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
        "0:stopped by SIGTERM or SIGINT",
        "1:the member could not start (the reason is printed)",
        "2:usage or config error",
        "3:the data directory is refused: one line names the file, the offset, what is wrong and what to do, " +
            "and nothing in the directory was changed (see ringraft log summary)",
        "4:the member stopped itself: its persist or apply stage stopped for good after a failure (a disk " +
            "error, a full disk, a failing state machine); one line names the stage and the cause. Restart it " +
            "once the cause is fixed"})
public final class DaemonMain implements Callable<Integer>
{
    /** The member cannot start on its data directory as it is; nothing in it was changed. */
    public static final int DATA_DIRECTORY_REFUSED = 3;
    /** The persist or apply stage stopped for good: a member without it must not linger half-alive. */
    public static final int STAGE_STOPPED = 4;
    private static final System.Logger LOG = System.getLogger(DaemonMain.class.getName());
    /** How long a stopping leader waits, in all, for its groups' leadership to move before it stops anyway. */
    static final Duration HAND_OVER_BOUND = Duration.ofSeconds(2);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster and member config.")
    private Path configFile;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new DaemonMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException
    {
        final DaemonConfig config;
        try
        {
            config = DaemonConfig.load(configFile);
        }
        catch (final ConfigException | java.io.UncheckedIOException ex)
        {
            System.err.println(ex.getMessage());
            return 2;
        }
        final KvDaemon daemon;
        final StageStop stageStop = new StageStop();
        try
        {
            daemon = KvDaemon.start(config, stageStop);
        }
        catch (final RuntimeException ex)
        {
            final RecoveryRefusedException refused = refusal(ex);
            if (null != refused)
            {
                // The operator's next step is in the message: no stack trace, which would only bury it.
                System.err.println("ringraft-daemon: member " + config.memberId() + " cannot start: data directory " +
                    "refused: " + refused.getMessage());
                return DATA_DIRECTORY_REFUSED;
            }
            // One line with every cause's message (a port in use, a directory it may not write); the stack trace is
            // for a developer, at DEBUG, where a logging config that wants it finds it.
            System.err.println("ringraft-daemon: member " + config.memberId() + " cannot start: " + causes(ex));
            LOG.log(System.Logger.Level.DEBUG, "member " + config.memberId() + " cannot start", ex);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            stageStop.stopOnce(daemon, System.out);
            stageStop.wake.countDown();
        }, "ringraft-daemon-shutdown"));
        System.out.println("ready member " + config.memberId() + " cluster " + config.cluster().clusterId() +
            " client endpoint " + config.cluster().clientEndpoints().get(config.memberId()) + " aeron dir " +
            daemon.aeronDir() + " counters dir " + daemon.countersDir());
        System.out.flush();
        return serve(daemon, stageStop, System.out, System.err);
    }

    /**
     * Waits until the member is stopped (SIGTERM or SIGINT, whose hook stops it) or stops itself because a stage
     * stopped for good: then prints one line naming the stage and the cause on {@code err}, closes the member and
     * returns {@link #STAGE_STOPPED}, so that a supervisor restarts it. A member whose disk failed can neither persist
     * nor apply: lingering, it would hold its ports and answer nothing.
     */
    static int serve(final KvDaemon daemon, final StageStop stageStop, final PrintStream out, final PrintStream err)
        throws InterruptedException
    {
        stageStop.wake.await();
        final String stage = stageStop.stage;
        if (null == stage)
        {
            return 0;
        }
        err.println("ringraft-daemon: member " + daemon.config().memberId() + " stops: its " +
            stage.substring(stage.indexOf(' ') + 1) + " stage stopped after " + causes(stageStop.cause) +
            "; restart it once the disk is fixed");
        err.flush();
        stageStop.stopOnce(daemon, out);
        return STAGE_STOPPED;
    }

    /** Wakes {@link #serve} when a stage stops or the process is told to stop; stops the member once. */
    static final class StageStop implements StageStopListener
    {
        final CountDownLatch wake = new CountDownLatch(1);
        private final AtomicBoolean stopping = new AtomicBoolean();
        private volatile String stage;
        private volatile Throwable cause;

        @Override
        public void onStageStopped(final String stage, final Throwable cause)
        {
            // The first stage to stop is the cause; the stage's thread only records it, the waiting thread closes.
            if (null == this.stage)
            {
                this.cause = cause;
                this.stage = stage;
            }
            wake.countDown();
        }

        void stopOnce(final KvDaemon daemon, final PrintStream out)
        {
            if (stopping.compareAndSet(false, true))
            {
                stop(daemon, out);
            }
        }
    }

    /**
     * Closes {@code daemon}, with a line on {@code out} when it begins and one when it is done: an operator who sent
     * SIGTERM sees that the member heard it and when it has let go of its ports and files.
     */
    static void stop(final KvDaemon daemon, final PrintStream out)
    {
        final int memberId = daemon.config().memberId();
        // First leadership, so that the groups it leads have a leader at once rather than after an election timeout.
        daemon.handOverLeadership(HAND_OVER_BOUND, line ->
        {
            out.println(line);
            out.flush();
        });
        out.println("stopping member " + memberId + " cluster " + daemon.config().cluster().clusterId() +
            ": closing its client endpoint, its node (" + daemon.config().cluster().groups() + " groups, transport) " +
            "and its media driver");
        out.flush();
        daemon.close();
        out.println("stopped member " + memberId + ": client endpoint, node, transport and media driver closed; " +
            "aeron dir " + daemon.aeronDir() + (new File(daemon.aeronDir()).exists() ? " still exists" : " deleted"));
        out.flush();
    }

    /** The messages of {@code failure} and its causes, each once, joined by ": ". */
    static String causes(final Throwable failure)
    {
        final StringBuilder text = new StringBuilder();
        for (Throwable cause = failure; null != cause; cause = cause.getCause())
        {
            final String message = null == cause.getMessage() ? cause.getClass().getSimpleName() : cause.getMessage();
            if (text.indexOf(message) < 0)
            {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
            if (cause == cause.getCause())
            {
                break;
            }
        }
        return text.toString().replace('\n', ' ');
    }

    private static RecoveryRefusedException refusal(final Throwable failure)
    {
        for (Throwable cause = failure; null != cause; cause = cause.getCause())
        {
            if (cause instanceof RecoveryRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }
}
