package io.ringraft.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Viewers find counters by label: what {@link CounterLabels} writes, it reads back, and nothing else. */
class CounterLabelsTest
{
    @Test
    void everyKindOfLabelReadsBackAsWritten()
    {
        assertThat(CounterLabels.parse(CounterLabels.node("bad-frames", 3)))
            .isEqualTo(new CounterLabels.Label("bad-frames", 3, -1, -1))
            .matches(CounterLabels.Label::isNode);
        assertThat(CounterLabels.parse(CounterLabels.group("commit-index", 1, 17)))
            .isEqualTo(new CounterLabels.Label("commit-index", 1, 17, -1))
            .matches(CounterLabels.Label::isGroup);
        assertThat(CounterLabels.parse(CounterLabels.peer("max-heartbeat-gap-us", 2, 0, 3)))
            .isEqualTo(new CounterLabels.Label("max-heartbeat-gap-us", 2, 0, 3))
            .matches(CounterLabels.Label::isPeer);
        assertThat(CounterLabels.parse(CounterLabels.peer("x", Integer.MAX_VALUE, Integer.MAX_VALUE, 0)))
            .isEqualTo(new CounterLabels.Label("x", Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
    }

    @Test
    void labelsInAnotherFormatAreNotParsed()
    {
        assertThat(CounterLabels.parse("ringraft c=1 m=2 send-drops peer=3")).isNull();
        assertThat(CounterLabels.parse("Bytes sent")).isNull();
        assertThat(CounterLabels.parse("")).isNull();
        assertThat(CounterLabels.parse(" member=1")).as("no name").isNull();
        assertThat(CounterLabels.parse("role member=")).as("no member id").isNull();
        assertThat(CounterLabels.parse("role member=-1")).isNull();
        assertThat(CounterLabels.parse("role member=1x")).isNull();
        assertThat(CounterLabels.parse("role member=1 group=")).isNull();
        assertThat(CounterLabels.parse("role member=1 group=2 peer=x")).isNull();
        assertThat(CounterLabels.parse("role member=1 peer=2")).as("a peer without a group").isNull();
        assertThat(CounterLabels.parse("role member=99999999999")).as("beyond an int").isNull();
        assertThat(CounterLabels.parse("two words member=1")).isNull();
    }
}
