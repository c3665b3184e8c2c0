package io.ringraft.aeron;

import io.ringraft.codecs.FrameAuthenticator;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** conclude() fills in defaults and names the setting that is wrong. */
class AeronTransportContextTest
{
    private static final Map<Integer, String> MEMBERS = Map.of(1, "127.0.0.1:20001", 2, "localhost:20002");

    private static AeronTransportContext valid()
    {
        return new AeronTransportContext().secret(TransportCluster.SECRET).memberId(1).clusterId(9).memberEndpoints(MEMBERS);
    }

    @Test
    void defaultsAreAUniqueDirectoryUnderDevShmAndTheLargestMessageTheTermAllows()
    {
        final AeronTransportContext a = valid().conclude();
        final AeronTransportContext b = valid().conclude();
        assertThat(a.aeronDirectoryName()).startsWith("/dev/shm/ringraft-aeron-c9-m1-").isNotEqualTo(b.aeronDirectoryName());
        assertThat(a.embeddedDriver()).isTrue();
        assertThat(a.channelMode()).isEqualTo(ChannelMode.UDP);
        assertThat(a.maxMessageSize()).as("room for the trailer")
            .isEqualTo(AeronTransportContext.DEFAULT_TERM_BUFFER_LENGTH / 8 - FrameAuthenticator.TRAILER_LENGTH);
        assertThat(valid().secret(null).insecure(true).conclude().maxMessageSize())
            .isEqualTo(AeronTransportContext.DEFAULT_TERM_BUFFER_LENGTH / 8);
        assertThat(a.idleStrategySupplier()).isNotNull();
        assertThat(a.streamIdOf(2)).isEqualTo(a.streamId());
        assertThat(a.receiverWindowLength()).isEqualTo(AeronTransportContext.DEFAULT_RECEIVER_WINDOW_LENGTH);
        assertThat(valid().termBufferLength(1024 * 1024).conclude().receiverWindowLength())
            .as("the window fits half a small term").isEqualTo(512 * 1024);
    }

    @Test
    void ipcModeGivesEachMemberItsOwnStream()
    {
        final AeronTransportContext context = valid().channelMode(ChannelMode.IPC).streamId(500).conclude();
        assertThat(context.streamIdOf(1)).isEqualTo(501);
        assertThat(context.streamIdOf(2)).isEqualTo(502);
    }

    @Test
    void invalidSettingsAreRejectedWithAMessageNamingThem()
    {
        rejects((c) -> c.memberId(-1), "memberId must be set");
        rejects((c) -> c.memberEndpoints(null), "memberEndpoints must list every member");
        rejects((c) -> c.memberId(3), "does not contain this member's id 3");
        rejects((c) -> c.memberEndpoints(Map.of(1, "127.0.0.1:1", -2, "127.0.0.1:2")), "ids must be >= 0");
        rejects((c) -> c.memberEndpoints(Map.of(1, "127.0.0.1", 2, "127.0.0.1:2")), "memberEndpoints[1] = '127.0.0.1' is not host:port");
        rejects((c) -> c.memberEndpoints(Map.of(1, "h:x", 2, "h:2")), "memberEndpoints[1] = 'h:x': port is not a number");
        rejects((c) -> c.memberEndpoints(Map.of(1, "h:70000", 2, "h:2")), "port must be between 1 and 65535");
        rejects((c) -> c.memberEndpoints(Map.of(1, "h:5", 2, "h:5")), "members 1 and 2 share endpoint 'h:5'");
        rejects((c) -> c.termBufferLength(3 * 1024 * 1024), "termBufferLength must be a power of two");
        rejects((c) -> c.termBufferLength(1024 * 1024).maxMessageSize(256 * 1024), 
            "maxMessageSize must be between 128 and min(termBufferLength / 8, 16 MiB) - 16 (the authentication trailer) = 131056");
        rejects((c) -> c.secret(null), "set secret (every peer frame is then signed and checked) or, explicitly, insecure(true)");
        rejects((c) -> c.insecure(true), "secret and insecure(true) are both set: choose one");
        rejects((c) -> c.fragmentLimit(0), "fragmentLimit must be >= 1");
        rejects((c) -> c.socketBufferLength(1000), "socketBufferLength must be >= 65536");
        rejects((c) -> c.socketBufferLength(1024 * 1024).receiverWindowLength(2 * 1024 * 1024),
            "receiverWindowLength must be between 32768 and min(socketBufferLength, termBufferLength / 2) = 1048576");
        rejects((c) -> c.mtuLength(1500), "mtuLength must be 0 (Aeron's default) or a multiple of 32");
        rejects((c) -> c.channelMode(ChannelMode.IPC).streamId(Integer.MAX_VALUE), "overflows an int");
        rejects((c) -> c.embeddedDriver(false), "embeddedDriver=false needs aeronDirectoryName");
        rejects((c) -> c.embeddedDriver(false).aeronDirectoryName("/dev/shm/no-such-driver-here"),
            "'/dev/shm/no-such-driver-here' is not a directory");
    }

    @Test
    void ipcModeIgnoresEndpoints()
    {
        final AeronTransportContext context = new AeronTransportContext().insecure(true).memberId(1)
            .memberEndpoints(Map.of(1, "ipc", 2, "ipc")).channelMode(ChannelMode.IPC).conclude();
        assertThat(context.memberEndpoints()).containsOnlyKeys(1, 2);
    }

    @Test
    void aConcludedContextCannotBeChanged()
    {
        final AeronTransportContext context = valid().conclude();
        assertThatThrownBy(() -> context.memberId(2)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("already concluded");
    }

    private static void rejects(final UnaryOperator<AeronTransportContext> change, final String message)
    {
        assertThatThrownBy(() -> change.apply(valid()).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
