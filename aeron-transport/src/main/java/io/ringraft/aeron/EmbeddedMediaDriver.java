package io.ringraft.aeron;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

/**
 * Launches a media driver sized for a Raft member on a shared machine: sparse term files, and a directory that is
 * wiped on start and deleted on shutdown so that neither a crash nor a clean stop leaves /dev/shm littered.
 * <ul>
 * <li>{@link #launchInvoked}: no thread of its own ({@link ThreadingMode#INVOKER}); its owner runs its duty cycle.
 * {@link AeronTransport} does so on its one thread, together with the Aeron client's conductor and the receiver,
 * so a member costs one transport thread and a received frame one wake-up instead of two.</li>
 * <li>{@link #launch}: one thread for all driver duties ({@link ThreadingMode#SHARED}) with a parking idle strategy,
 * for a driver several transports share (IPC clusters in one process) or a standalone one.</li>
 * </ul>
 */
public final class EmbeddedMediaDriver
{
    private EmbeddedMediaDriver()
    {
    }

    /**
     * @param directoryName    the driver's directory, e.g. under /dev/shm; must be unique to this driver.
     * @param termBufferLength default term length of publications (each transport also sets it on its channels).
     * @param idleStrategy     for the driver's single thread.
     * @param errorHandler     receives the driver's errors (the driver keeps running).
     */
    public static MediaDriver launch(
        final String directoryName,
        final int termBufferLength,
        final IdleStrategy idleStrategy,
        final ErrorHandler errorHandler)
    {
        return MediaDriver.launch(context(directoryName, termBufferLength, errorHandler)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idleStrategy));
    }

    /**
     * A driver whose duty cycle runs only when its owner invokes {@link MediaDriver#sharedAgentInvoker()}, from one
     * thread at a time.
     */
    public static MediaDriver launchInvoked(
        final String directoryName, final int termBufferLength, final ErrorHandler errorHandler)
    {
        return MediaDriver.launch(invokedContext(directoryName, termBufferLength, errorHandler));
    }

    /**
     * The context {@link #launchInvoked} launches, for an owner that sets more on it first (e.g. a client that lets
     * its user add Aeron's loss generators); launch it with {@link MediaDriver#launch(MediaDriver.Context)}.
     */
    public static MediaDriver.Context invokedContext(
        final String directoryName, final int termBufferLength, final ErrorHandler errorHandler)
    {
        return context(directoryName, termBufferLength, errorHandler).threadingMode(ThreadingMode.INVOKER);
    }

    private static MediaDriver.Context context(
        final String directoryName, final int termBufferLength, final ErrorHandler errorHandler)
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(directoryName)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(termBufferLength)
            .ipcTermBufferLength(termBufferLength)
            .errorHandler(errorHandler);
    }
}
