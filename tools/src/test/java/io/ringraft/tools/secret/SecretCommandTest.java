/*
 * ringraft
 */
package io.ringraft.tools.secret;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.tools.RingraftCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class SecretCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void newWritesAnOwnerOnlyKeyFileThatLoads() throws IOException
    {
        final Path file = dir.resolve("cluster.key");
        assertThat(execute("secret", "new", file.toString())).as(err.toString()).isEqualTo(SecretNewCommand.WRITTEN);
        assertThat(out.toString()).contains("secret.file = " + file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(file)).singleElement().asString().matches("[0-9a-f]{64}");
        assertThat(ClusterSecret.load(file)).isNotNull();
    }

    @Test
    void newRefusesToOverwrite() throws IOException
    {
        final Path file = dir.resolve("cluster.key");
        assertThat(execute("secret", "new", file.toString())).isEqualTo(SecretNewCommand.WRITTEN);
        final String before = Files.readString(file);
        assertThat(execute("secret", "new", file.toString())).isEqualTo(SecretNewCommand.USAGE);
        assertThat(err.toString().strip()).isEqualTo(
            "ringraft secret new: key file " + file + " already exists; not overwritten (a cluster's members must share one secret)");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void clientKeyIsDerivedFromTheSecretAndNeverOverwritten() throws IOException
    {
        final Path secret = dir.resolve("cluster.key");
        final Path client = dir.resolve("client.key");
        assertThat(execute("secret", "new", secret.toString())).isEqualTo(SecretNewCommand.WRITTEN);
        assertThat(execute("secret", "client-key", secret.toString(), client.toString())).as(err.toString())
            .isEqualTo(SecretNewCommand.WRITTEN);
        assertThat(out.toString()).contains("client.key.file = " + client);
        final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(new byte[64]);
        final int length = ClusterSecret.loadClientKey(client).sign(frame, 0, 40);
        assertThat(ClusterSecret.load(secret).clientAuthenticator().verify(frame, 0, length)).isTrue();
        assertThat(execute("secret", "client-key", secret.toString(), client.toString())).isEqualTo(SecretNewCommand.USAGE);
        assertThat(execute("secret", "client-key", dir.resolve("none").toString(), dir.resolve("c2").toString()))
            .isEqualTo(SecretNewCommand.USAGE);
        assertThat(err.toString()).contains("does not exist; make one with: ringraft secret new");
    }

    @Test
    void newIntoAMissingDirectoryIsOneLine()
    {
        assertThat(execute("secret", "new", dir.resolve("no/such/dir/k").toString())).isEqualTo(SecretNewCommand.USAGE);
        assertThat(err.toString()).startsWith("ringraft secret new: cannot write key file ").doesNotContain("\tat ");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    private int execute(final String... args)
    {
        final CommandLine cli = RingraftCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
