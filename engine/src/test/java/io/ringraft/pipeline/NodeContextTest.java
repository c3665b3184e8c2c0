package io.ringraft.pipeline;

import io.ringraft.transport.InMemoryNetwork;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeContextTest
{
    private static NodeContext valid()
    {
        return new NodeContext()
            .memberId(1)
            .members(1, 2, 3)
            .groups(2)
            .dataDir(Path.of("/tmp/unused"))
            .stateMachineFactory(g -> null)
            .transport(new InMemoryNetwork().transport(1, 0));
    }

    @Test
    void concludeNamesTheBadSetting()
    {
        valid().conclude();
        assertThatThrownBy(() -> valid().memberId(4).conclude()).hasMessageContaining("memberId 4");
        assertThatThrownBy(() -> valid().members(1, 1, 2).conclude()).hasMessageContaining("members");
        assertThatThrownBy(() -> valid().groups(0).conclude()).hasMessageContaining("groups");
        assertThatThrownBy(() -> valid().dataDir(null).conclude()).hasMessageContaining("dataDir");
        assertThatThrownBy(() -> valid().tickInterval(Duration.ZERO).conclude()).hasMessageContaining("tickInterval");
        assertThatThrownBy(() -> valid().electionTicks(5).heartbeatTicks(5).conclude())
            .hasMessageContaining("electionTicks");
        assertThatThrownBy(() -> valid().persistRingSize(1000).conclude()).hasMessageContaining("persistRingSize");
        assertThatThrownBy(() -> valid().stateMachineFactory(null).conclude())
            .hasMessageContaining("stateMachineFactory");
        assertThatThrownBy(() -> valid().transport(null).conclude()).hasMessageContaining("transport");
    }
}
