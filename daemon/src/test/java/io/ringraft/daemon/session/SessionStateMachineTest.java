package io.ringraft.daemon.session;

import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.SessionEventEncoder;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvResults;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The session layer's decisions (docs/CLIENT-PROTOCOL.md, "Sessions: exactly once"), over the KV state machine. */
class SessionStateMachineTest
{
    private static final long TIMEOUT_MS = 10_000;
    private final Replica replica = new Replica();

    @Test
    void aRetriedPutIsAppliedOnceAndAnsweredWithItsFirstResult()
    {
        final long session = replica.open(1_000, TIMEOUT_MS);
        final byte[] first = replica.command(1_001, session, 1, 0, KvCommands.put(b("k"), b("first")));
        assertThat(outcome(first)).isEqualTo(SessionOutcome.APPLIED);
        assertThat(kvCode(first)).isEqualTo(KvResults.OK);
        assertThat(outcome(replica.command(1_002, session, 2, 0, KvCommands.put(b("k"), b("second")))))
            .isEqualTo(SessionOutcome.APPLIED);

        final byte[] retry = replica.command(1_003, session, 1, 0, KvCommands.put(b("k"), b("first")));

        assertThat(outcome(retry)).isEqualTo(SessionOutcome.REPLAYED);
        assertThat(body(retry)).isEqualTo(body(first));
        assertThat(replica.kvApplies()).isEqualTo(2);
        assertThat(KvResults.value(replica.query(KvCommands.get(b("k"))))).isEqualTo(b("second"));
    }

    @Test
    void aRetriedDeleteAnswersAsItsFirstAttemptDid()
    {
        final long session = replica.open(1_000, TIMEOUT_MS);
        replica.command(1_001, session, 1, 0, KvCommands.put(b("k"), b("v")));
        final byte[] first = replica.command(1_002, session, 2, 1, KvCommands.delete(b("k")));
        assertThat(kvCode(first)).isEqualTo(KvResults.OK);

        final byte[] retry = replica.command(1_003, session, 2, 1, KvCommands.delete(b("k")));

        assertThat(outcome(retry)).isEqualTo(SessionOutcome.REPLAYED);
        assertThat(kvCode(retry)).as("not NOT_FOUND: the first attempt deleted").isEqualTo(KvResults.OK);
        assertThat(replica.kvApplies()).isEqualTo(2);
    }

    @Test
    void aRetriedCompareAndSetAnswersOkNotMismatch()
    {
        final long session = replica.open(1_000, TIMEOUT_MS);
        replica.command(1_001, session, 1, 0, KvCommands.put(b("k"), b("a")));
        final byte[] cas = KvCommands.compareAndSet(b("k"), b("a"), b("b"));
        assertThat(kvCode(replica.command(1_002, session, 2, 1, cas))).isEqualTo(KvResults.OK);

        final byte[] retry = replica.command(1_003, session, 2, 1, cas);

        assertThat(outcome(retry)).isEqualTo(SessionOutcome.REPLAYED);
        assertThat(kvCode(retry)).as("applied again it would mismatch: the value is b now").isEqualTo(KvResults.OK);
        assertThat(replica.kvApplies()).isEqualTo(2);
    }

    @Test
    void aSequenceAppliedOutOfOrderIsSavedInPlace()
    {
        final long session = replica.open(1_000, TIMEOUT_MS);
        // Sequence 1's first attempt was lost; 2 and 3 got through; 1's retry comes last.
        replica.command(1_001, session, 2, 0, KvCommands.put(b("k2"), b("v")));
        replica.command(1_002, session, 3, 0, KvCommands.put(b("k3"), b("v")));
        assertThat(outcome(replica.command(1_003, session, 1, 0, KvCommands.delete(b("k1")))))
            .isEqualTo(SessionOutcome.APPLIED);

        assertThat(kvCode(replica.command(1_004, session, 1, 0, KvCommands.delete(b("k1")))))
            .isEqualTo(KvResults.NOT_FOUND);
        assertThat(outcome(replica.command(1_005, session, 2, 0, KvCommands.put(b("k2"), b("v")))))
            .isEqualTo(SessionOutcome.REPLAYED);
        assertThat(outcome(replica.command(1_006, session, 3, 0, KvCommands.put(b("k3"), b("v")))))
            .isEqualTo(SessionOutcome.REPLAYED);
        assertThat(replica.kvApplies()).isEqualTo(3);
    }

    @Test
    void respondedToLetsResultsGoAndALaterDuplicateIsNotAppliedAgain()
    {
        final long session = replica.open(1_000, TIMEOUT_MS);
        replica.command(1_001, session, 1, 0, KvCommands.put(b("k"), b("one")));
        replica.command(1_002, session, 2, 0, KvCommands.put(b("k"), b("two")));
        replica.command(1_003, session, 3, 2, KvCommands.put(b("other"), b("x"))); // the client has 1 and 2

        final byte[] late = replica.command(1_004, session, 1, 0, KvCommands.put(b("k"), b("one")));

        assertThat(outcome(late)).isEqualTo(SessionOutcome.ANSWER_DISCARDED);
        assertThat(late).hasSize(1);
        assertThat(replica.kvApplies()).isEqualTo(3);
        assertThat(KvResults.value(replica.query(KvCommands.get(b("k"))))).isEqualTo(b("two"));
        assertThat(outcome(replica.command(1_005, session, 3, 0, KvCommands.put(b("other"), b("x")))))
            .as("a stale respondedTo does not lower the session's").isEqualTo(SessionOutcome.REPLAYED);
        assertThat(outcome(replica.command(1_006, session, 2, 0, KvCommands.put(b("k"), b("two")))))
            .isEqualTo(SessionOutcome.ANSWER_DISCARDED);
    }

    @Test
    void tooManyUnansweredResultsRefuseANewCommandWithoutApplyingIt()
    {
        final Replica small = new Replica(10, 2);
        final long session = small.open(1_000, TIMEOUT_MS);
        small.command(1_001, session, 1, 0, KvCommands.put(b("a"), b("1")));
        small.command(1_002, session, 2, 0, KvCommands.put(b("b"), b("2")));

        final byte[] refused = small.command(1_003, session, 3, 0, KvCommands.put(b("c"), b("3")));

        assertThat(outcome(refused)).isEqualTo(SessionOutcome.TOO_MANY_PENDING);
        assertThat(small.kvApplies()).isEqualTo(2);
        assertThat(KvResults.code(small.query(KvCommands.get(b("c"))))).isEqualTo(KvResults.NOT_FOUND);
        assertThat(outcome(small.command(1_004, session, 2, 0, KvCommands.put(b("b"), b("2")))))
            .as("a retry of a saved one is still answered").isEqualTo(SessionOutcome.REPLAYED);
        assertThat(outcome(small.command(1_005, session, 3, 1, KvCommands.put(b("c"), b("3")))))
            .as("once the client has answer 1").isEqualTo(SessionOutcome.APPLIED);
    }

    @Test
    void aSessionExpiresByLogTimeNotByTheEntrysOwnTimestamp()
    {
        final long session = replica.open(1_000, 5_000);
        assertThat(outcome(replica.command(6_000, session, 1, 0, KvCommands.put(b("k"), b("v")))))
            .as("exactly the timeout after the open: not passed yet").isEqualTo(SessionOutcome.APPLIED);
        // Another client's entry moves log time; then a new leader whose clock is behind writes this one's retry.
        replica.command(11_001, SessionRecords.NO_SESSION, 0, 0, KvCommands.put(b("other"), b("v")));

        final byte[] late = replica.command(2_000, session, 1, 0, KvCommands.put(b("k"), b("v")));

        assertThat(outcome(late)).isEqualTo(SessionOutcome.SESSION_UNKNOWN);
        assertThat(replica.machine.logTime()).isEqualTo(11_001);
        assertThat(replica.machine.sessions()).isZero();
        assertThat(replica.kvApplies()).isEqualTo(2);
    }

    @Test
    void aSessionUsedWithinItsTimeoutStaysOpenHoweverLongItLives()
    {
        final long session = replica.open(0, 1_000);
        for (int sequence = 1; sequence <= 100; sequence++)
        {
            assertThat(replica.deleteOutcome(sequence * 1_000L, session, sequence, sequence - 1))
                .isEqualTo(SessionOutcome.APPLIED);
        }
    }

    @Test
    void theTimeoutIsClampedToOneSecondAndOneHour()
    {
        final long short_ = replica.open(0, 1);
        final long long_ = replica.open(0, Long.MAX_VALUE);
        assertThat(replica.deleteOutcome(1_000, short_, 1, 0)).isEqualTo(SessionOutcome.APPLIED);
        assertThat(replica.deleteOutcome(2_001, short_, 2, 1))
            .isEqualTo(SessionOutcome.SESSION_UNKNOWN);
        assertThat(replica.deleteOutcome(3_600_000, long_, 1, 0)).isEqualTo(SessionOutcome.APPLIED);
        assertThat(replica.deleteOutcome(7_200_001, long_, 2, 1))
            .isEqualTo(SessionOutcome.SESSION_UNKNOWN);
    }

    @Test
    void aFullTableEvictsTheLeastRecentlyUsedSession()
    {
        final Replica bounded = new Replica(3, 16);
        final long a = bounded.open(1_000, TIMEOUT_MS);
        final long b = bounded.open(1_001, TIMEOUT_MS);
        final long c = bounded.open(1_002, TIMEOUT_MS);
        bounded.command(1_003, a, 1, 0, KvCommands.delete(b("k"))); // a is now the most recently used: b the least

        final long d = bounded.open(1_004, TIMEOUT_MS);

        assertThat(bounded.machine.sessions()).isEqualTo(3);
        assertThat(bounded.deleteOutcome(1_005, b, 1, 0)).isEqualTo(SessionOutcome.SESSION_UNKNOWN);
        assertThat(bounded.deleteOutcome(1_006, c, 1, 0)).isEqualTo(SessionOutcome.APPLIED);
        final long e = bounded.open(1_007, TIMEOUT_MS); // a is the least recently used now
        assertThat(bounded.deleteOutcome(1_008, a, 2, 1)).isEqualTo(SessionOutcome.SESSION_UNKNOWN);
        assertThat(bounded.deleteOutcome(1_009, d, 1, 0)).isEqualTo(SessionOutcome.APPLIED);
        assertThat(bounded.deleteOutcome(1_010, e, 1, 0)).isEqualTo(SessionOutcome.APPLIED);
    }

    @Test
    void anOpenRemovesExpiredSessionsBeforeEvictingALiveOne()
    {
        final Replica bounded = new Replica(2, 16);
        final long old = bounded.open(1_000, 1_000);
        final long live = bounded.open(1_500, TIMEOUT_MS);

        bounded.open(5_000, TIMEOUT_MS); // old has expired: it goes, live stays

        assertThat(bounded.machine.sessions()).isEqualTo(2);
        assertThat(bounded.deleteOutcome(5_001, live, 1, 0)).isEqualTo(SessionOutcome.APPLIED);
        assertThat(bounded.deleteOutcome(5_002, old, 1, 0)).isEqualTo(SessionOutcome.SESSION_UNKNOWN);
    }

    @Test
    void aClosedSessionIsUnknown()
    {
        final long session = replica.open(1_000, TIMEOUT_MS);
        replica.command(1_001, session, 1, 0, KvCommands.delete(b("k")));

        assertThat(replica.close(1_002, session)).containsExactly(SessionOutcome.CLOSED);
        assertThat(replica.close(1_003, session)).as("closing again").containsExactly(SessionOutcome.CLOSED);
        assertThat(replica.close(1_004, 12345)).as("never opened").containsExactly(SessionOutcome.CLOSED);
        assertThat(replica.deleteOutcome(1_005, session, 1, 0))
            .isEqualTo(SessionOutcome.SESSION_UNKNOWN);
        assertThat(replica.deleteOutcome(1_006, 999, 1, 0))
            .isEqualTo(SessionOutcome.SESSION_UNKNOWN);
        assertThat(replica.kvApplies()).isEqualTo(1);
    }

    @Test
    void openAnswersWithTheNonceAndTheSessionIsTheEntrysIndex()
    {
        final ExpandableArrayBuffer record = new ExpandableArrayBuffer();
        final int length = SessionRecords.encodeOpen(record, 0, 0x1122334455667788L, TIMEOUT_MS);
        final byte[] answer = replica.raw(1_000, Arrays.copyOf(record.byteArray(), length));
        assertThat(answer).hasSize(SessionRecords.OPENED_LENGTH);
        assertThat(SessionRecords.outcome(answer)).isEqualTo(SessionOutcome.OPENED);
        assertThat(ByteBuffer.wrap(answer, 1, 8).order(ByteOrder.LITTLE_ENDIAN).getLong())
            .isEqualTo(0x1122334455667788L);
        assertThat(outcome(replica.command(1_001, replica.lastIndex(), 1, 0, KvCommands.delete(b("k")))))
            .isEqualTo(SessionOutcome.APPLIED);
    }

    @Test
    void withoutASessionACommandIsAppliedEveryTime()
    {
        final byte[] put = KvCommands.put(b("k"), b("v"));
        for (int i = 0; i < 3; i++)
        {
            final byte[] answer = replica.command(1_000, SessionRecords.NO_SESSION, 1, 0, put);
            assertThat(outcome(answer)).isEqualTo(SessionOutcome.APPLIED);
            assertThat(kvCode(answer)).isEqualTo(KvResults.OK);
        }
        assertThat(replica.kvApplies()).isEqualTo(3);
        assertThat(replica.machine.sessions()).isZero();
    }

    @Test
    void readsGoStraightToTheUserStateMachine()
    {
        replica.command(1_000, SessionRecords.NO_SESSION, 0, 0, KvCommands.put(b("k"), b("v")));
        final byte[] read = replica.query(KvCommands.get(b("k")));
        assertThat(KvResults.code(read)).isEqualTo(KvResults.OK);
        assertThat(KvResults.value(read)).isEqualTo(b("v"));
    }

    @Test
    void anythingButASessionRecordIsAnsweredMalformedAndNotApplied()
    {
        final long session = replica.open(1_000, TIMEOUT_MS);
        final byte[] valid = replica.command(1_001, session, 1, 0, KvCommands.put(b("k"), b("v")));
        assertThat(outcome(valid)).isEqualTo(SessionOutcome.APPLIED);
        final ExpandableArrayBuffer record = new ExpandableArrayBuffer();
        final byte[] kv = KvCommands.put(b("k"), b("v"));
        final int length = SessionRecords.encodeCommand(record, 0, session, 2, 1, new UnsafeBuffer(kv), 0, kv.length);
        final byte[] command = Arrays.copyOf(record.byteArray(), length);

        assertMalformed(new byte[0], "shorter than the message header");
        assertMalformed(kv, "wrong schema id");
        assertMalformed(Arrays.copyOf(command, length - 1), "var-data runs past the frame");
        assertMalformed(Arrays.copyOf(command, length + 1), "bytes after the end of the message");
        assertMalformed(Arrays.copyOf(command, 20), "root block runs past the frame");
        assertMalformed(otherMessage(), "template id " + SessionEventEncoder.TEMPLATE_ID);
        final byte[] badSequence = replica.command(1_002, session, 0, 0, kv);
        assertThat(outcome(badSequence)).isEqualTo(SessionOutcome.MALFORMED);
        assertThat(text(badSequence)).contains("sequence must be 1 or more");
        final byte[] badRespondedTo = replica.command(1_003, session, 2, -1, kv);
        assertThat(outcome(badRespondedTo)).isEqualTo(SessionOutcome.MALFORMED);

        assertThat(replica.kvApplies()).isEqualTo(1);
        assertThat(outcome(replica.raw(1_004, command))).as("the session is fine").isEqualTo(SessionOutcome.APPLIED);
    }

    private void assertMalformed(final byte[] payload, final String reason)
    {
        final byte[] answer = replica.raw(1_000, payload);
        assertThat(SessionRecords.outcome(answer)).isEqualTo(SessionOutcome.MALFORMED);
        assertThat(text(answer)).startsWith("not a session record").contains(reason);
    }

    /** A well-formed message of the schema that is not a session record. */
    private static byte[] otherMessage()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final SessionEventEncoder event = new SessionEventEncoder();
        event.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).correlationId(1).sessionId(2).detail("x");
        return Arrays.copyOf(buffer.byteArray(), MessageHeaderEncoder.ENCODED_LENGTH + event.encodedLength());
    }

    static int outcome(final byte[] answer)
    {
        return SessionRecords.outcome(answer);
    }

    /** The KV code of an APPLIED or REPLAYED answer. */
    static int kvCode(final byte[] answer)
    {
        return KvResults.code(body(answer));
    }

    static byte[] body(final byte[] answer)
    {
        return Arrays.copyOfRange(answer, SessionRecords.RESULT_BODY_OFFSET, answer.length);
    }

    static String text(final byte[] answer)
    {
        return new String(body(answer), StandardCharsets.UTF_8);
    }

    static byte[] b(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
