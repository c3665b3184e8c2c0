/*
 * ringraft
 */
package io.ringraft.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSecretTest
{
    @TempDir
    Path dir;

    @Test
    void writtenOwnerOnlyAndLoadsBackToTheSameKeys() throws IOException
    {
        final Path file = dir.resolve("cluster.key");
        final ClusterSecret secret = ClusterSecret.generate();
        secret.writeNew(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).matches("[0-9a-f]{64}\n");

        final ClusterSecret loaded = ClusterSecret.load(file);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        final int frameLength = secret.peerAuthenticator().sign(buffer, 0, 50);
        assertThat(loaded.peerAuthenticator().verify(buffer, 0, frameLength)).isTrue();
        assertThat(loaded.toString()).doesNotContain(Files.readString(file).strip().substring(0, 8));
    }

    @Test
    void clientKeyFileSignsClientFramesOnly() throws IOException
    {
        final ClusterSecret secret = ClusterSecret.generate();
        final Path file = dir.resolve("client.key");
        secret.writeClientKey(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        final FrameAuthenticator clientKey = ClusterSecret.loadClientKey(file);

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        final int frameLength = clientKey.sign(buffer, 0, 50);
        assertThat(secret.clientAuthenticator().verify(buffer, 0, frameLength)).isTrue();
        assertThat(secret.peerAuthenticator().verify(buffer, 0, frameLength)).isFalse();
        secret.peerAuthenticator().sign(buffer, 0, 50);
        assertThat(clientKey.verify(buffer, 0, frameLength)).isFalse();
        assertThat(Files.readString(file).strip()).as("not the secret itself")
            .isNotEqualTo(Files.readString(writeSecret(secret)).strip());
    }

    private Path writeSecret(final ClusterSecret secret)
    {
        final Path file = dir.resolve("secret-" + System.nanoTime() + ".key");
        secret.writeNew(file);
        return file;
    }

    @Test
    void neverOverwrites() throws IOException
    {
        final Path file = dir.resolve("cluster.key");
        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> ClusterSecret.generate().writeNew(file))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists; not overwritten");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void refusesAFileReadableByGroupOrOthers() throws IOException
    {
        final Path file = dir.resolve("cluster.key");
        ClusterSecret.generate().writeNew(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> ClusterSecret.load(file))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("key file " + file + " is accessible by group or others (rw-r-----); run: chmod 600 " + file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
        assertThatThrownBy(() -> ClusterSecret.load(file)).hasMessageContaining("chmod 600");
    }

    @Test
    void refusesMissingOrMalformedFilesWithOneLine() throws IOException
    {
        assertThatThrownBy(() -> ClusterSecret.load(dir.resolve("absent.key")))
            .hasMessageContaining("does not exist; make one with: ringraft secret new");
        for (final String content : new String[]{"", "abcd\n", "zz" + "00".repeat(31) + "\n", "00".repeat(32) + "\n00\n"})
        {
            final Path file = Files.writeString(dir.resolve("bad.key"), content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            assertThatThrownBy(() -> ClusterSecret.load(file))
                .as(content).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must hold one line of 64 hex digits").hasMessageNotContaining("\n");
        }
    }
}
