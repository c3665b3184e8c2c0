package io.ringraft.daemon.server;

import io.ringraft.daemon.config.ConfigException;
import io.ringraft.daemon.config.DaemonConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ringraft-daemon --config FILE}: runs one member until SIGTERM or SIGINT, whose shutdown hook closes the node,
 * the transport and the media driver and deletes the driver's directory. Prints one line, {@code ready member N ...},
 * once it serves clients.
 */
@Command(name = "ringraft-daemon", mixinStandardHelpOptions = true,
    description = "Runs one member of a ringraft KV cluster.")
public final class DaemonMain implements Callable<Integer>
{
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
        try
        {
            daemon = KvDaemon.start(config);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("ringraft-daemon: member " + config.memberId() + " cannot start: " + ex.getMessage());
            ex.printStackTrace();
            return 1;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            daemon.close();
            stopped.countDown();
        }, "ringraft-daemon-shutdown"));
        System.out.println("ready member " + config.memberId() + " cluster " + config.cluster().clusterId() +
            " client endpoint " + config.cluster().clientEndpoints().get(config.memberId()) + " aeron dir " +
            daemon.aeronDir());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
