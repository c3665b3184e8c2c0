/*
 * ringraft
 */
package io.ringraft.tools;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations the way people type them: {@code 20s}, {@code 500ms}, {@code 1.5s}, {@code 2m}, or ISO-8601
 * ({@code PT20S}). A bare number is refused: its unit would be a guess.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    private static final Pattern HUMAN = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");

    @Override
    public Duration convert(final String value)
    {
        final String text = value.trim().toLowerCase();
        final Matcher matcher = HUMAN.matcher(text);
        if (matcher.matches())
        {
            final double amount = Double.parseDouble(matcher.group(1));
            final double millis = switch (matcher.group(2))
            {
                case "ms" -> amount;
                case "s" -> amount * 1_000;
                default -> amount * 60_000;
            };
            return Duration.ofNanos(Math.round(millis * 1_000_000));
        }
        if (text.startsWith("pt"))
        {
            try
            {
                return Duration.parse(value.trim());
            }
            catch (final RuntimeException ex)
            {
                // fall through to the explanation below
            }
        }
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration: write it like 20s, 500ms, 1.5s or 2m");
    }
}
