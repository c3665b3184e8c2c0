package io.ringraft.daemon.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code key = value} text file: one setting a line, {@code #} starts a comment line, blank lines are ignored,
 * whitespace around key and value is trimmed.
 * <p>
 * Not {@link java.util.Properties}: it silently keeps the last of two lines with the same key (a copy-paste slip in
 * a member list then goes unnoticed), treats {@code :} as a separator (which host:port values invite) and has escape
 * rules nobody expects in an operator's file. Here a repeated key or a line without {@code =} is an error naming
 * the line.
 */
public final class ConfigFile
{
    /** One setting and the line it came from, for error messages. */
    public record Setting(String key, String value, int line)
    {
    }

    private final String source;
    private final Map<String, Setting> settings;
    private final List<String> errors;

    private ConfigFile(final String source, final Map<String, Setting> settings, final List<String> errors)
    {
        this.source = source;
        this.settings = settings;
        this.errors = errors;
    }

    public static ConfigFile read(final Path file)
    {
        try
        {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read config file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** @param source names the text in error messages (a file name). */
    public static ConfigFile parse(final String source, final String text)
    {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        final List<String> errors = new ArrayList<>();
        final String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i].trim();
            final int lineNumber = i + 1;
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int equals = line.indexOf('=');
            if (equals <= 0)
            {
                errors.add(source + ":" + lineNumber + ": '" + line + "' is not 'key = value'");
                continue;
            }
            final String key = line.substring(0, equals).trim();
            final String value = line.substring(equals + 1).trim();
            final Setting previous = settings.get(key);
            if (null != previous)
            {
                errors.add(source + ":" + lineNumber + ": key '" + key + "' repeats line " + previous.line());
                continue;
            }
            settings.put(key, new Setting(key, value, lineNumber));
        }
        return new ConfigFile(source, settings, errors);
    }

    public String source()
    {
        return source;
    }

    /** @return null when absent. */
    public Setting get(final String key)
    {
        return settings.get(key);
    }

    public Map<String, Setting> settings()
    {
        return Collections.unmodifiableMap(settings);
    }

    /** Syntax errors found while parsing: repeated keys, lines that are not settings. */
    public List<String> syntaxErrors()
    {
        return Collections.unmodifiableList(errors);
    }
}
