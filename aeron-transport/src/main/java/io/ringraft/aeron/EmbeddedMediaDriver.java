package io.ringraft.aeron;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

/**
 * Launches a media driver sized for a Raft member on a shared machine: one thread for all driver duties
 * ({@link ThreadingMode#SHARED}), an idle strategy that parks, sparse term files, and a directory that is wiped on
 * start and deleted on shutdown so that neither a crash nor a clean stop leaves /dev/shm littered.
 * <p>
 * {@link AeronTransport} uses it for its embedded driver; in-process IPC clusters launch one with it and hand its
 * directory to every member.
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
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directoryName)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idleStrategy)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(termBufferLength)
            .ipcTermBufferLength(termBufferLength)
            .errorHandler(errorHandler);
        return MediaDriver.launch(context);
    }
}
