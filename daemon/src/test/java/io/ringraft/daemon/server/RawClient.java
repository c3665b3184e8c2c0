package io.ringraft.daemon.server;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.ringraft.aeron.EmbeddedMediaDriver;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.sbe.ConnectEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SessionEventDecoder;
import io.ringraft.daemon.client.ClientProtocol;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hand-made client of one member's client endpoint, speaking raw SBE: sends what a test composes (Connects of any
 * version, naming any response channel) and collects the SessionEvents that come back on its response endpoint.
 */
final class RawClient implements AutoCloseable
{
    record Event(long correlationId, long connectionId, String code, String detail)
    {
    }

    final String responseEndpoint;
    private final String dir;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final List<Event> events = new ArrayList<>();
    private final FrameAuthenticator key;

    /** @param key signs what it sends and checks what it receives, as a client does; null: neither. */
    RawClient(
        final String aeronDir, final String memberClientEndpoint, final String responseEndpoint,
        final FrameAuthenticator key)
    {
        this.dir = aeronDir;
        this.key = key;
        this.responseEndpoint = responseEndpoint;
        driver = EmbeddedMediaDriver.launch(dir, 1024 * 1024, new SleepingMillisIdleStrategy(1), error -> { });
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        publication = aeron.addExclusivePublication(
            ClientProtocol.udpChannel(memberClientEndpoint), ClientProtocol.REQUEST_STREAM_ID);
        subscription = aeron.addSubscription(ClientProtocol.udpChannel(responseEndpoint), ClientProtocol.RESPONSE_STREAM_ID);
    }

    void connect(final long correlationId, final int clusterId, final int version, final String responseChannel)
        throws InterruptedException
    {
        connect(key, correlationId, clusterId, version, responseChannel);
    }

    /** A Connect signed with {@code signer}; unsigned when it is null. */
    void connect(
        final FrameAuthenticator signer, final long correlationId, final int clusterId, final int version,
        final String responseChannel) throws InterruptedException
    {
        final ConnectEncoder connect = new ConnectEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId).clusterId(clusterId).clientVersion(version).responseChannel(responseChannel);
        final int messageLength = MessageHeaderEncoder.ENCODED_LENGTH + connect.encodedLength();
        final int length = null == signer ? messageLength : signer.sign(buffer, 0, messageLength);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publication.offer(buffer, 0, length) < 0)
        {
            assertThat(System.nanoTime() - deadline).as("the member's client endpoint takes a Connect").isNegative();
            Thread.sleep(1);
        }
    }

    /** The first SessionEvent answering {@code correlationId}, waiting up to {@code timeoutMs}; null when none came. */
    Event awaitEvent(final long correlationId, final long timeoutMs) throws InterruptedException
    {
        return awaitAny(event -> event.correlationId() == correlationId, timeoutMs);
    }

    /** The first SessionEvent that {@code wanted}, waiting up to {@code timeoutMs}; null when none came. */
    Event awaitAny(final java.util.function.Predicate<Event> wanted, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadline < 0)
        {
            subscription.poll((buffer, offset, length, header) ->
            {
                if (null != key && !key.verify(buffer, offset, length))
                {
                    return; // not from a member of the cluster
                }
                final MessageHeaderDecoder messageHeader = new MessageHeaderDecoder().wrap(buffer, offset);
                if (SessionEventDecoder.TEMPLATE_ID == messageHeader.templateId())
                {
                    final SessionEventDecoder event = new SessionEventDecoder().wrap(buffer,
                        offset + MessageHeaderDecoder.ENCODED_LENGTH, messageHeader.blockLength(), messageHeader.version());
                    events.add(new Event(event.correlationId(), event.sessionId(), event.code().name(), event.detail()));
                }
            }, 16);
            for (final Event event : events)
            {
                if (wanted.test(event))
                {
                    return event;
                }
            }
            Thread.sleep(1);
        }
        return null;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(subscription, publication, aeron, driver);
        IoUtil.delete(new File(dir), true);
    }
}
