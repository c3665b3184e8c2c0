/*
 * ringraft
 */
package io.ringraft.tools;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest
{
    private final DurationConverter converter = new DurationConverter();

    @Test
    void readsTheWaysPeopleWriteDurations()
    {
        assertThat(converter.convert("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("1.5s")).isEqualTo(Duration.ofMillis(1_500));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert(" 3S ")).isEqualTo(Duration.ofSeconds(3));
        assertThat(converter.convert("PT20S")).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void refusesWhatHasNoUnitOrIsNotADuration()
    {
        for (final String bad : new String[]{"20", "", "s", "-1s", "1h", "PTxS", "1.s"})
        {
            assertThatThrownBy(() -> converter.convert(bad)).as(bad)
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("is not a duration: write it like 20s, 500ms, 1.5s or 2m");
        }
    }
}
