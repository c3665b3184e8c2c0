package io.ringraft.benchmarks;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;

/**
 * What authenticating one frame costs: the sender's {@link FrameAuthenticator#sign} plus the receiver's
 * {@link FrameAuthenticator#verify}, per frame, on a direct buffer as Aeron's are. For comparison, the same HMAC
 * through {@code javax.crypto.Mac} (which allocates its digest on every {@code doFinal}: run with {@code -prof gc}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
@State(Scope.Thread)
public class FrameAuthenticationBenchmark
{
    @Param({ "64", "1024", "65536" })
    int messageLength;

    private final FrameAuthenticator sender = ClusterSecret.generate().peerAuthenticator();
    private final FrameAuthenticator receiver = sender.newInstance();
    private UnsafeBuffer frame;
    private Mac jdkMac;
    private byte[] jdkMessage;
    private final byte[] jdkOutput = new byte[32];

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException
    {
        frame = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength + FrameAuthenticator.TRAILER_LENGTH));
        for (int i = 0; i < messageLength; i++)
        {
            frame.putByte(i, (byte)(i * 31));
        }
        jdkMac = Mac.getInstance("HmacSHA256");
        jdkMac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        jdkMessage = new byte[messageLength];
    }

    @Benchmark
    public boolean signAndVerify()
    {
        final int frameLength = sender.sign(frame, 0, messageLength);
        return receiver.verify(frame, 0, frameLength);
    }

    /** The same work through javax.crypto.Mac, from a byte[] (no copy out of the direct buffer): a reference. */
    @Benchmark
    public byte[] jdkMacTwice() throws GeneralSecurityException
    {
        jdkMac.update(jdkMessage, 0, messageLength);
        jdkMac.doFinal(jdkOutput, 0);
        jdkMac.update(jdkMessage, 0, messageLength);
        jdkMac.doFinal(jdkOutput, 0);
        return jdkOutput;
    }
}
