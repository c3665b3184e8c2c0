/*
 * ringraft
 */
package io.ringraft.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FrameAuthenticatorTest
{
    private static final int OFFSET = 24;
    private final ClusterSecret secret = ClusterSecret.generate();
    private final FrameAuthenticator peer = secret.peerAuthenticator();

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 63, 64, 65, 1024, 4095, 4096, 4097, 65536})
    void signedFrameVerifiesAndTheTrailerIsTruncatedHmacSha256(final int messageLength) throws Exception
    {
        final UnsafeBuffer buffer = frame(messageLength);
        assertThat(peer.sign(buffer, OFFSET, messageLength)).isEqualTo(messageLength + FrameAuthenticator.TRAILER_LENGTH);
        assertThat(peer.verify(buffer, OFFSET, messageLength + FrameAuthenticator.TRAILER_LENGTH)).isTrue();

        // The same function as the JDK's Mac, keyed by the same purpose key.
        final byte[] key = new byte[32];
        final FrameAuthenticator probe = new FrameAuthenticator(key, "probe");
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        final byte[] message = new byte[messageLength];
        buffer.getBytes(OFFSET, message);
        final byte[] expected = Arrays.copyOf(mac.doFinal(message), FrameAuthenticator.TRAILER_LENGTH);
        probe.sign(buffer, OFFSET, messageLength);
        final byte[] trailer = new byte[FrameAuthenticator.TRAILER_LENGTH];
        buffer.getBytes(OFFSET + messageLength, trailer);
        assertThat(trailer).isEqualTo(expected);
    }

    @Test
    void rfc4231TestCase2()
    {
        // HMAC-SHA-256 of "what do ya want for nothing?" under "Jefe" (RFC 4231, 4.3), truncated to 128 bits.
        final byte[] message = "what do ya want for nothing?".getBytes();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[message.length + 16]);
        buffer.putBytes(0, message);
        new FrameAuthenticator("Jefe".getBytes(), "rfc").sign(buffer, 0, message.length);
        final byte[] trailer = new byte[16];
        buffer.getBytes(message.length, trailer);
        assertThat(HexFormat.of().formatHex(trailer)).isEqualTo("5bdcc146bf60754e6a042426089575c7");
    }

    @Test
    void rfc4231TestCase6KeyLongerThanABlock()
    {
        final byte[] key = new byte[131];
        Arrays.fill(key, (byte)0xaa);
        final byte[] message = "Test Using Larger Than Block-Size Key - Hash Key First".getBytes();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[message.length + 16]);
        buffer.putBytes(0, message);
        new FrameAuthenticator(key, "rfc").sign(buffer, 0, message.length);
        final byte[] trailer = new byte[16];
        buffer.getBytes(message.length, trailer);
        assertThat(HexFormat.of().formatHex(trailer)).isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f");
    }

    @Test
    void tamperingWithAnyByteOfMessageOrTrailerFailsVerification()
    {
        final int messageLength = 100;
        final int frameLength = messageLength + FrameAuthenticator.TRAILER_LENGTH;
        final UnsafeBuffer buffer = frame(messageLength);
        peer.sign(buffer, OFFSET, messageLength);
        for (int i = 0; i < frameLength; i++)
        {
            for (final int bit : new int[]{0x01, 0x80})
            {
                final byte original = buffer.getByte(OFFSET + i);
                buffer.putByte(OFFSET + i, (byte)(original ^ bit));
                assertThat(peer.verify(buffer, OFFSET, frameLength)).as("byte %d bit %x", i, bit).isFalse();
                buffer.putByte(OFFSET + i, original);
            }
        }
        assertThat(peer.verify(buffer, OFFSET, frameLength)).isTrue();
    }

    @Test
    void truncatedExtendedOrTooShortFramesFail()
    {
        final int messageLength = 64;
        final UnsafeBuffer buffer = frame(messageLength);
        final int frameLength = peer.sign(buffer, OFFSET, messageLength);
        for (int length = 0; length < frameLength; length++)
        {
            assertThat(peer.verify(buffer, OFFSET, length)).as("length %d", length).isFalse();
        }
        assertThat(peer.verify(buffer, OFFSET, frameLength + 1)).isFalse();
        assertThat(peer.verify(buffer, OFFSET - 1, frameLength)).isFalse();
        assertThat(peer.verify(buffer, buffer.capacity() - 10, frameLength)).isFalse();
        assertThat(peer.verify(buffer, -1, frameLength)).isFalse();
    }

    @Test
    void unsignedFrameFails()
    {
        final UnsafeBuffer buffer = frame(64);
        assertThat(peer.verify(buffer, OFFSET, 64)).isFalse();
        assertThat(peer.verify(buffer, OFFSET, 64 + FrameAuthenticator.TRAILER_LENGTH)).isFalse();
    }

    @Test
    void purposesAndSecretsHaveTheirOwnKeys()
    {
        final int messageLength = 200;
        final UnsafeBuffer buffer = frame(messageLength);
        final int frameLength = peer.sign(buffer, OFFSET, messageLength);
        assertThat(secret.clientAuthenticator().verify(buffer, OFFSET, frameLength)).isFalse();
        assertThat(ClusterSecret.generate().peerAuthenticator().verify(buffer, OFFSET, frameLength)).isFalse();
        assertThat(peer.newInstance().verify(buffer, OFFSET, frameLength)).isTrue();
        secret.clientAuthenticator().sign(buffer, OFFSET, messageLength);
        assertThat(peer.verify(buffer, OFFSET, frameLength)).isFalse();
    }

    @Test
    void worksOnDirectAndHeapBuffers()
    {
        final UnsafeBuffer heap = frame(5000);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(heap.capacity()));
        direct.putBytes(0, heap, 0, heap.capacity());
        final int frameLength = peer.sign(heap, OFFSET, 5000);
        peer.sign(direct, OFFSET, 5000);
        assertThat(direct.compareTo(heap)).isZero();
        assertThat(peer.verify(direct, OFFSET, frameLength)).isTrue();
    }

    /**
     * The comparison is branch-free: it looks at every byte whatever the first difference (a timing measurement
     * would be flaky on a shared host; this checks the property the constant time rests on, that the result is the
     * OR of all differences, so a difference in any single position, first or last, is found).
     */
    @Test
    void constantTimeCompareLooksAtEveryByte()
    {
        final byte[] expected = new byte[16];
        new Random(7).nextBytes(expected);
        final UnsafeBuffer same = new UnsafeBuffer(expected.clone());
        assertThat(FrameAuthenticator.constantTimeEquals(expected, same, 0, 16)).isTrue();
        for (int i = 0; i < 16; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                final UnsafeBuffer other = new UnsafeBuffer(expected.clone());
                other.putByte(i, (byte)(expected[i] ^ (1 << bit)));
                assertThat(FrameAuthenticator.constantTimeEquals(expected, other, 0, 16)).as("byte %d bit %d", i, bit).isFalse();
            }
        }
    }

    @Test
    void noAllocationPerFrame()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
        for (int i = 0; i < 20_000; i++)
        {
            peer.sign(buffer, 0, 1000);
            peer.verify(buffer, 0, 1016);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++)
        {
            peer.sign(buffer, 0, 1000);
            peer.verify(buffer, 0, 1016);
            peer.sign(buffer, 0, 65536);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 30,000 calls").isLessThan(1024);
    }

    private static UnsafeBuffer frame(final int messageLength)
    {
        final byte[] bytes = new byte[OFFSET + messageLength + FrameAuthenticator.TRAILER_LENGTH + 8];
        new Random(messageLength).nextBytes(bytes);
        return new UnsafeBuffer(bytes);
    }
}
