/*
 * ringraft
 */
package io.ringraft.codecs;

import io.ringraft.codecs.sbe.*;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One encoder and one full decoder per message of the schema: the encoder sets every field, group element and var-data
 * from {@link SampleValues}; the decoder reads all of them back in the same order. Equal lists mean the generated
 * codecs round-trip; a decoder that reads outside a frame {@link Frames#validate} accepted means the validator is
 * wrong. Used by the codec tests and the {@code ringraft demo} self-check; it allocates, keep it off the hot path.
 */
public final class SampleMessages
{
    /** Writes one message at an offset and returns its length, header included. */
    @FunctionalInterface
    public interface Encoding
    {
        int encode(MutableDirectBuffer buffer, int offset, SampleValues values);
    }

    /** Reads every field of one message into {@code fields} and returns the length it read, header included. */
    @FunctionalInterface
    public interface Decoding
    {
        int decode(DirectBuffer buffer, int offset, List<Object> fields);
    }

    /** A message of the schema with its sample encoder and full decoder. */
    public static final class Sample
    {
        private final String name;
        private final int templateId;
        private final Encoding encoding;
        private final Decoding decoding;

        Sample(final String name, final int templateId, final Encoding encoding, final Decoding decoding)
        {
            this.name = name;
            this.templateId = templateId;
            this.encoding = encoding;
            this.decoding = decoding;
        }

        public String name()
        {
            return name;
        }

        public int templateId()
        {
            return templateId;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset, final SampleValues values)
        {
            return encoding.encode(buffer, offset, values);
        }

        public int decode(final DirectBuffer buffer, final int offset, final List<Object> fields)
        {
            return decoding.decode(buffer, offset, fields);
        }

        public String toString()
        {
            return name + "(" + templateId + ")";
        }
    }

    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private static final List<Sample> ALL = List.of(
        new Sample("RequestVote", RequestVoteDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final RequestVoteEncoder e = new RequestVoteEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.lastLogIndex(v.i64()).lastLogTerm(v.i64())
                    .preVote(v.pick(BooleanType.values())).leadershipTransfer(v.pick(BooleanType.values()))
                    .commit(v.i64()).commitTerm(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final RequestVoteDecoder d = new RequestVoteDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.lastLogIndex());
                out.add(d.lastLogTerm());
                out.add(d.preVote());
                out.add(d.leadershipTransfer());
                out.add(d.commit());
                out.add(d.commitTerm());
                return HEADER + d.encodedLength();
            }),

        new Sample("VoteResponse", VoteResponseDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final VoteResponseEncoder e = new VoteResponseEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.granted(v.pick(BooleanType.values())).preVote(v.pick(BooleanType.values()))
                    .commit(v.i64()).commitTerm(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final VoteResponseDecoder d = new VoteResponseDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.granted());
                out.add(d.preVote());
                out.add(d.commit());
                out.add(d.commitTerm());
                return HEADER + d.encodedLength();
            }),

        new Sample("AppendEntries", AppendEntriesDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final AppendEntriesEncoder e =
                    new AppendEntriesEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.prevLogIndex(v.i64()).prevLogTerm(v.i64()).leaderCommit(v.i64());
                final int entriesCount = v.count();
                final AppendEntriesEncoder.EntriesEncoder entries = e.entriesCount(entriesCount);
                for (int i = 0; i < entriesCount; i++)
                {
                    entries.next().index(v.i64()).term(v.i64()).entryType(v.pick(EntryType.values())).timestamp(v.i64());
                    final byte[] payload = v.bytes();
                    entries.putPayload(payload, 0, payload.length);
                }
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final AppendEntriesDecoder d =
                    new AppendEntriesDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.prevLogIndex());
                out.add(d.prevLogTerm());
                out.add(d.leaderCommit());
                final AppendEntriesDecoder.EntriesDecoder entries = d.entries();
                out.add(entries.count());
                while (entries.hasNext())
                {
                    entries.next();
                    out.add(entries.index());
                    out.add(entries.term());
                    out.add(entries.entryType());
                    out.add(entries.timestamp());
                    final byte[] payload = new byte[entries.payloadLength()];
                    entries.getPayload(payload, 0, payload.length);
                    out.add(ByteBuffer.wrap(payload));
                }
                return HEADER + d.encodedLength();
            }),

        new Sample("AppendResponse", AppendResponseDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final AppendResponseEncoder e =
                    new AppendResponseEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.reject(v.pick(BooleanType.values())).index(v.i64()).rejectHint(v.i64()).conflictTerm(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final AppendResponseDecoder d =
                    new AppendResponseDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.reject());
                out.add(d.index());
                out.add(d.rejectHint());
                out.add(d.conflictTerm());
                return HEADER + d.encodedLength();
            }),

        new Sample("Heartbeat", HeartbeatDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final HeartbeatEncoder e = new HeartbeatEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.commit(v.i64()).readContext(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final HeartbeatDecoder d = new HeartbeatDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.commit());
                out.add(d.readContext());
                return HEADER + d.encodedLength();
            }),

        new Sample("HeartbeatResponse", HeartbeatResponseDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final HeartbeatResponseEncoder e =
                    new HeartbeatResponseEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.readContext(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final HeartbeatResponseDecoder d =
                    new HeartbeatResponseDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.readContext());
                return HEADER + d.encodedLength();
            }),

        new Sample("InstallSnapshot", InstallSnapshotDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final InstallSnapshotEncoder e =
                    new InstallSnapshotEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.snapshotIndex(v.i64()).snapshotTerm(v.i64()).chunkOffset(v.i64()).totalLength(v.i64())
                    .done(v.pick(BooleanType.values()));
                final byte[] membership = v.bytes();
                e.putMembership(membership, 0, membership.length);
                final byte[] chunk = v.bytes();
                e.putChunk(chunk, 0, chunk.length);
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final InstallSnapshotDecoder d =
                    new InstallSnapshotDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.snapshotIndex());
                out.add(d.snapshotTerm());
                out.add(d.chunkOffset());
                out.add(d.totalLength());
                out.add(d.done());
                final byte[] membership = new byte[d.membershipLength()];
                d.getMembership(membership, 0, membership.length);
                out.add(ByteBuffer.wrap(membership));
                final byte[] chunk = new byte[d.chunkLength()];
                d.getChunk(chunk, 0, chunk.length);
                out.add(ByteBuffer.wrap(chunk));
                return HEADER + d.encodedLength();
            }),

        new Sample("InstallSnapshotResponse", InstallSnapshotResponseDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final InstallSnapshotResponseEncoder e =
                    new InstallSnapshotResponseEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.snapshotIndex(v.i64()).nextOffset(v.i64())
                    .reject(v.pick(BooleanType.values())).done(v.pick(BooleanType.values()));
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final InstallSnapshotResponseDecoder d =
                    new InstallSnapshotResponseDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.snapshotIndex());
                out.add(d.nextOffset());
                out.add(d.reject());
                out.add(d.done());
                return HEADER + d.encodedLength();
            }),

        new Sample("TimeoutNow", TimeoutNowDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final TimeoutNowEncoder e = new TimeoutNowEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final TimeoutNowDecoder d = new TimeoutNowDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                return HEADER + d.encodedLength();
            }),

        new Sample("ReadIndexRequest", ReadIndexRequestDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final ReadIndexRequestEncoder e =
                    new ReadIndexRequestEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.readContext(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final ReadIndexRequestDecoder d =
                    new ReadIndexRequestDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.readContext());
                return HEADER + d.encodedLength();
            }),

        new Sample("ReadIndexResponse", ReadIndexResponseDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final ReadIndexResponseEncoder e =
                    new ReadIndexResponseEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                peer(e.header(), v);
                e.readContext(v.i64()).readIndex(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final ReadIndexResponseDecoder d =
                    new ReadIndexResponseDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                peer(d.header(), out);
                out.add(d.readContext());
                out.add(d.readIndex());
                return HEADER + d.encodedLength();
            }),

        new Sample("LogEntry", LogEntryDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final LogEntryEncoder e = new LogEntryEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.index(v.i64()).term(v.i64()).entryType(v.pick(EntryType.values())).timestamp(v.i64());
                final byte[] payload = v.bytes();
                e.putPayload(payload, 0, payload.length);
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final LogEntryDecoder d = new LogEntryDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.index());
                out.add(d.term());
                out.add(d.entryType());
                out.add(d.timestamp());
                final byte[] payload = new byte[d.payloadLength()];
                d.getPayload(payload, 0, payload.length);
                out.add(ByteBuffer.wrap(payload));
                return HEADER + d.encodedLength();
            }),

        new Sample("HardState", HardStateDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final HardStateEncoder e = new HardStateEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.term(v.i64()).votedFor(v.i32()).commit(v.i64())
                    .syncedIndex(v.i64()).syncedTerm(v.i64()).repairTerm(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final HardStateDecoder d = new HardStateDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.term());
                out.add(d.votedFor());
                out.add(d.commit());
                out.add(d.syncedIndex());
                out.add(d.syncedTerm());
                out.add(d.repairTerm());
                return HEADER + d.encodedLength();
            }),

        new Sample("Membership", MembershipDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final MembershipEncoder e = new MembershipEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.configIndex(v.i64()).autoLeave(v.pick(BooleanType.values()));
                final int votersCount = v.count();
                final MembershipEncoder.VotersEncoder voters = e.votersCount(votersCount);
                for (int i = 0; i < votersCount; i++)
                {
                    voters.next().memberId(v.i32());
                }
                final int outgoingCount = v.count();
                final MembershipEncoder.OutgoingVotersEncoder outgoing = e.outgoingVotersCount(outgoingCount);
                for (int i = 0; i < outgoingCount; i++)
                {
                    outgoing.next().memberId(v.i32());
                }
                final int learnersCount = v.count();
                final MembershipEncoder.LearnersEncoder learners = e.learnersCount(learnersCount);
                for (int i = 0; i < learnersCount; i++)
                {
                    learners.next().memberId(v.i32());
                }
                final int learnersNextCount = v.count();
                final MembershipEncoder.LearnersNextEncoder learnersNext = e.learnersNextCount(learnersNextCount);
                for (int i = 0; i < learnersNextCount; i++)
                {
                    learnersNext.next().memberId(v.i32());
                }
                final int endpointsCount = v.count();
                final MembershipEncoder.EndpointsEncoder endpoints = e.endpointsCount(endpointsCount);
                for (int i = 0; i < endpointsCount; i++)
                {
                    endpoints.next().memberId(v.i32()).endpoint(v.text());
                }
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final MembershipDecoder d = new MembershipDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.configIndex());
                out.add(d.autoLeave());
                final MembershipDecoder.VotersDecoder voters = d.voters();
                out.add(voters.count());
                while (voters.hasNext())
                {
                    out.add(voters.next().memberId());
                }
                final MembershipDecoder.OutgoingVotersDecoder outgoing = d.outgoingVoters();
                out.add(outgoing.count());
                while (outgoing.hasNext())
                {
                    out.add(outgoing.next().memberId());
                }
                final MembershipDecoder.LearnersDecoder learners = d.learners();
                out.add(learners.count());
                while (learners.hasNext())
                {
                    out.add(learners.next().memberId());
                }
                final MembershipDecoder.LearnersNextDecoder learnersNext = d.learnersNext();
                out.add(learnersNext.count());
                while (learnersNext.hasNext())
                {
                    out.add(learnersNext.next().memberId());
                }
                final MembershipDecoder.EndpointsDecoder endpoints = d.endpoints();
                out.add(endpoints.count());
                while (endpoints.hasNext())
                {
                    out.add(endpoints.next().memberId());
                    out.add(endpoints.endpoint());
                }
                return HEADER + d.encodedLength();
            }),

        new Sample("SnapshotMetadata", SnapshotMetadataDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final SnapshotMetadataEncoder e =
                    new SnapshotMetadataEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.groupId(v.i32()).index(v.i64()).term(v.i64()).timestamp(v.i64()).dataLength(v.i64())
                    .dataChecksum(v.i32());
                final byte[] membership = v.bytes();
                e.putMembership(membership, 0, membership.length);
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final SnapshotMetadataDecoder d =
                    new SnapshotMetadataDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.groupId());
                out.add(d.index());
                out.add(d.term());
                out.add(d.timestamp());
                out.add(d.dataLength());
                out.add(d.dataChecksum());
                final byte[] membership = new byte[d.membershipLength()];
                d.getMembership(membership, 0, membership.length);
                out.add(ByteBuffer.wrap(membership));
                return HEADER + d.encodedLength();
            }),

        new Sample("ConfChange", ConfChangeDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final ConfChangeEncoder e = new ConfChangeEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.transition(v.pick(ConfChangeTransition.values()));
                final int changesCount = v.count();
                final ConfChangeEncoder.ChangesEncoder changes = e.changesCount(changesCount);
                for (int i = 0; i < changesCount; i++)
                {
                    changes.next().changeType(v.pick(ConfChangeType.values())).memberId(v.i32()).endpoint(v.text());
                }
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final ConfChangeDecoder d = new ConfChangeDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.transition());
                final ConfChangeDecoder.ChangesDecoder changes = d.changes();
                out.add(changes.count());
                while (changes.hasNext())
                {
                    changes.next();
                    out.add(changes.changeType());
                    out.add(changes.memberId());
                    out.add(changes.endpoint());
                }
                return HEADER + d.encodedLength();
            }),

        new Sample("DirectoryHeader", DirectoryHeaderDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final DirectoryHeaderEncoder e =
                    new DirectoryHeaderEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.clusterId(v.i32()).memberId(v.i32()).formatVersion(v.i32()).createdTimestamp(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final DirectoryHeaderDecoder d =
                    new DirectoryHeaderDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.clusterId());
                out.add(d.memberId());
                out.add(d.formatVersion());
                out.add(d.createdTimestamp());
                return HEADER + d.encodedLength();
            }),

        new Sample("SegmentHeader", SegmentHeaderDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final SegmentHeaderEncoder e =
                    new SegmentHeaderEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.groupId(v.i32()).formatVersion(v.i32()).baseIndex(v.i64()).segmentLength(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final SegmentHeaderDecoder d =
                    new SegmentHeaderDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.groupId());
                out.add(d.formatVersion());
                out.add(d.baseIndex());
                out.add(d.segmentLength());
                return HEADER + d.encodedLength();
            }),

        new Sample("SessionOpen", SessionOpenDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final SessionOpenEncoder e = new SessionOpenEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.clientNonce(v.i64()).timeoutMs(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final SessionOpenDecoder d = new SessionOpenDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.clientNonce());
                out.add(d.timeoutMs());
                return HEADER + d.encodedLength();
            }),

        new Sample("SessionCommand", SessionCommandDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final SessionCommandEncoder e =
                    new SessionCommandEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.sessionId(v.i64()).sequence(v.i64()).respondedTo(v.i64());
                final byte[] command = v.bytes();
                e.putCommand(command, 0, command.length);
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final SessionCommandDecoder d =
                    new SessionCommandDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.sessionId());
                out.add(d.sequence());
                out.add(d.respondedTo());
                final byte[] command = new byte[d.commandLength()];
                d.getCommand(command, 0, command.length);
                out.add(ByteBuffer.wrap(command));
                return HEADER + d.encodedLength();
            }),

        new Sample("SessionClose", SessionCloseDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final SessionCloseEncoder e = new SessionCloseEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.sessionId(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final SessionCloseDecoder d = new SessionCloseDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.sessionId());
                return HEADER + d.encodedLength();
            }),

        new Sample("Connect", ConnectDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final ConnectEncoder e = new ConnectEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.correlationId(v.i64()).clusterId(v.i32()).clientVersion(v.i32()).responseChannel(v.text());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final ConnectDecoder d = new ConnectDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.correlationId());
                out.add(d.clusterId());
                out.add(d.clientVersion());
                out.add(d.responseChannel());
                return HEADER + d.encodedLength();
            }),

        new Sample("SessionEvent", SessionEventDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final SessionEventEncoder e = new SessionEventEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.correlationId(v.i64()).sessionId(v.i64()).code(v.pick(SessionEventCode.values()))
                    .leaderMember(v.i32()).detail(v.text());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final SessionEventDecoder d = new SessionEventDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.correlationId());
                out.add(d.sessionId());
                out.add(d.code());
                out.add(d.leaderMember());
                out.add(d.detail());
                return HEADER + d.encodedLength();
            }),

        new Sample("AdminRequest", AdminRequestDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final AdminRequestEncoder e = new AdminRequestEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.sessionId(v.i64()).correlationId(v.i64()).action(v.pick(AdminAction.values()))
                    .groupId(v.i32()).memberId(v.i32()).endpoint(v.text());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final AdminRequestDecoder d = new AdminRequestDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.sessionId());
                out.add(d.correlationId());
                out.add(d.action());
                out.add(d.groupId());
                out.add(d.memberId());
                out.add(d.endpoint());
                return HEADER + d.encodedLength();
            }),

        new Sample("AdminResponse", AdminResponseDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final AdminResponseEncoder e =
                    new AdminResponseEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.sessionId(v.i64()).correlationId(v.i64()).status(v.pick(ResponseStatus.values())).leaderHint(v.i32())
                    .respondingMember(v.i32()).pid(v.i64()).uptimeMs(v.i64()).version(Integer.toString(v.i32()));
                final int membersCount = v.count();
                final AdminResponseEncoder.MembersEncoder members = e.membersCount(membersCount);
                for (int i = 0; i < membersCount; i++)
                {
                    members.next().memberId(v.i32()).role(v.pick(MemberRole.values())).matchIndex(v.i64())
                        .endpoint(v.text());
                }
                final int groupsCount = v.count();
                final AdminResponseEncoder.GroupsEncoder groups = e.groupsCount(groupsCount);
                for (int i = 0; i < groupsCount; i++)
                {
                    groups.next().groupId(v.i32()).role(v.pick(MemberRole.values())).term(v.i64())
                        .leaderMember(v.i32()).commitIndex(v.i64()).appliedIndex(v.i64()).lastIndex(v.i64())
                        .leaderContactAgeMs(v.i64());
                }
                e.errorMessage(v.text());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final AdminResponseDecoder d =
                    new AdminResponseDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.sessionId());
                out.add(d.correlationId());
                out.add(d.status());
                out.add(d.leaderHint());
                out.add(d.respondingMember());
                out.add(d.pid());
                out.add(d.uptimeMs());
                out.add(sampleVersion(d.version()));
                final AdminResponseDecoder.MembersDecoder members = d.members();
                out.add(members.count());
                while (members.hasNext())
                {
                    members.next();
                    out.add(members.memberId());
                    out.add(members.role());
                    out.add(members.matchIndex());
                    out.add(members.endpoint());
                }
                final AdminResponseDecoder.GroupsDecoder groups = d.groups();
                out.add(groups.count());
                while (groups.hasNext())
                {
                    groups.next();
                    out.add(groups.groupId());
                    out.add(groups.role());
                    out.add(groups.term());
                    out.add(groups.leaderMember());
                    out.add(groups.commitIndex());
                    out.add(groups.appliedIndex());
                    out.add(groups.lastIndex());
                    out.add(groups.leaderContactAgeMs());
                }
                out.add(d.errorMessage());
                return HEADER + d.encodedLength();
            }),

        new Sample("CloseSession", CloseSessionDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final CloseSessionEncoder e = new CloseSessionEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.sessionId(v.i64());
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final CloseSessionDecoder d = new CloseSessionDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.sessionId());
                return HEADER + d.encodedLength();
            }),

        new Sample("RequestBatch", RequestBatchDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final RequestBatchEncoder e = new RequestBatchEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.connectionId(v.i64());
                final int count = v.count();
                final RequestBatchEncoder.RequestsEncoder requests = e.requestsCount(count);
                for (int i = 0; i < count; i++)
                {
                    requests.next().correlationId(v.i64()).groupId(v.i32()).kind(v.pick(RequestKind.values()));
                    final byte[] payload = v.bytes();
                    requests.putPayload(payload, 0, payload.length);
                }
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final RequestBatchDecoder d = new RequestBatchDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.connectionId());
                final RequestBatchDecoder.RequestsDecoder requests = d.requests();
                out.add(requests.count());
                while (requests.hasNext())
                {
                    requests.next();
                    out.add(requests.correlationId());
                    out.add(requests.groupId());
                    out.add(requests.kind());
                    final byte[] payload = new byte[requests.payloadLength()];
                    requests.getPayload(payload, 0, payload.length);
                    out.add(ByteBuffer.wrap(payload));
                }
                return HEADER + d.encodedLength();
            }),

        new Sample("ResponseBatch", ResponseBatchDecoder.TEMPLATE_ID,
            (b, o, v) ->
            {
                final ResponseBatchEncoder e =
                    new ResponseBatchEncoder().wrapAndApplyHeader(b, o, new MessageHeaderEncoder());
                e.connectionId(v.i64());
                final int count = v.count();
                final ResponseBatchEncoder.ResponsesEncoder responses = e.responsesCount(count);
                for (int i = 0; i < count; i++)
                {
                    responses.next().correlationId(v.i64()).groupId(v.i32()).status(v.pick(ResponseStatus.values()))
                        .leaderHint(v.i32()).index(v.i64());
                    final byte[] result = v.bytes();
                    responses.putResult(result, 0, result.length);
                }
                return HEADER + e.encodedLength();
            },
            (b, o, out) ->
            {
                final ResponseBatchDecoder d =
                    new ResponseBatchDecoder().wrapAndApplyHeader(b, o, new MessageHeaderDecoder());
                out.add(d.connectionId());
                final ResponseBatchDecoder.ResponsesDecoder responses = d.responses();
                out.add(responses.count());
                while (responses.hasNext())
                {
                    responses.next();
                    out.add(responses.correlationId());
                    out.add(responses.groupId());
                    out.add(responses.status());
                    out.add(responses.leaderHint());
                    out.add(responses.index());
                    final byte[] result = new byte[responses.resultLength()];
                    responses.getResult(result, 0, result.length);
                    out.add(ByteBuffer.wrap(result));
                }
                return HEADER + d.encodedLength();
            }));

    private SampleMessages()
    {
    }

    /**
     * @return one sample per message of the schema, in schema order.
     */
    public static List<Sample> all()
    {
        return ALL;
    }

    /**
     * @param templateId of a message of the schema.
     * @return its sample, or null.
     */
    public static Sample forTemplate(final int templateId)
    {
        for (final Sample sample : ALL)
        {
            if (sample.templateId() == templateId)
            {
                return sample;
            }
        }
        return null;
    }

    private static void peer(final PeerHeaderEncoder header, final SampleValues v)
    {
        header.clusterId(v.clusterId()).groupId(v.i32()).fromMember(v.i32()).toMember(v.i32()).term(v.i64());
    }

    private static void peer(final PeerHeaderDecoder header, final List<Object> out)
    {
        out.add(header.clusterId());
        out.add(header.groupId());
        out.add(header.fromMember());
        out.add(header.toMember());
        out.add(header.term());
    }

    /** The AdminResponse sample writes an int as its version text: read back as that int, else as the text. */
    private static Object sampleVersion(final String version)
    {
        try
        {
            return Integer.parseInt(version);
        }
        catch (final NumberFormatException ex)
        {
            return version;
        }
    }
}
