package io.ringraft.daemon.client;

import io.ringraft.codecs.sbe.AdminResponseDecoder;
import io.ringraft.codecs.sbe.AdminResponseEncoder;
import io.ringraft.codecs.sbe.MemberRole;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.ResponseStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * One member's answer to an admin request, as the member builds it and the client reads it: the content of an SBE
 * {@code AdminResponse}, with {@link #encode} and {@link #decode} so that both sides share one mapping.
 *
 * @param status           OK, NOT_LEADER (then {@code leaderHint}), or ERROR / INVALID_REQUEST with {@code error}.
 * @param respondingMember the member that answered.
 * @param pid              its process id.
 * @param uptimeMs         since its process started.
 * @param version          its software version.
 * @param members          for MEMBERS: the group's configuration as its leader sees it.
 * @param groups           for STATUS: each group as this member sees it.
 * @param error            one line saying what went wrong, empty when OK.
 */
public record AdminReply(
    ResponseStatus status,
    int leaderHint,
    int respondingMember,
    long pid,
    long uptimeMs,
    String version,
    List<MemberInfo> members,
    List<GroupInfo> groups,
    String error)
{
    /** One member of a group's configuration; {@code matchIndex} -1 when the answering member does not lead. */
    public record MemberInfo(int memberId, MemberRole role, long matchIndex, String endpoint)
    {
    }

    /** One group as the answering member sees it. */
    public record GroupInfo(
        int groupId, MemberRole role, long term, int leader, long commitIndex, long appliedIndex, long lastIndex,
        long leaderContactAgeMs)
    {
        /** Committed entries not applied yet on the answering member. */
        public long lag()
        {
            return Math.max(0, commitIndex - appliedIndex);
        }
    }

    public boolean ok()
    {
        return ResponseStatus.OK == status;
    }

    /** @return the frame's length, header included. */
    public int encode(
        final MutableDirectBuffer buffer, final int offset, final long sessionId, final long correlationId)
    {
        final AdminResponseEncoder encoder = new AdminResponseEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder());
        encoder.sessionId(sessionId).correlationId(correlationId).status(status).leaderHint(leaderHint)
            .respondingMember(respondingMember).pid(pid).uptimeMs(uptimeMs)
            .version(clip(version, AdminResponseEncoder.versionLength()));
        final AdminResponseEncoder.MembersEncoder membersEncoder = encoder.membersCount(members.size());
        for (final MemberInfo member : members)
        {
            membersEncoder.next().memberId(member.memberId()).role(member.role()).matchIndex(member.matchIndex())
                .endpoint(null == member.endpoint() ? "" : member.endpoint());
        }
        final AdminResponseEncoder.GroupsEncoder groupsEncoder = encoder.groupsCount(groups.size());
        for (final GroupInfo group : groups)
        {
            groupsEncoder.next().groupId(group.groupId()).role(group.role()).term(group.term())
                .leaderMember(group.leader()).commitIndex(group.commitIndex()).appliedIndex(group.appliedIndex())
                .lastIndex(group.lastIndex()).leaderContactAgeMs(group.leaderContactAgeMs());
        }
        encoder.errorMessage(null == error ? "" : error);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /** Reads a validated AdminResponse frame (header included) at {@code offset}. */
    public static AdminReply decode(final DirectBuffer buffer, final int offset)
    {
        final AdminResponseDecoder decoder = new AdminResponseDecoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        final ResponseStatus status = decoder.status();
        final int leaderHint = decoder.leaderHint();
        final int responding = decoder.respondingMember();
        final long pid = decoder.pid();
        final long uptimeMs = decoder.uptimeMs();
        final String version = decoder.version();
        final List<MemberInfo> members = new ArrayList<>();
        for (final AdminResponseDecoder.MembersDecoder m : decoder.members())
        {
            members.add(new MemberInfo(m.memberId(), m.role(), m.matchIndex(), m.endpoint()));
        }
        final List<GroupInfo> groups = new ArrayList<>();
        for (final AdminResponseDecoder.GroupsDecoder g : decoder.groups())
        {
            groups.add(new GroupInfo(g.groupId(), g.role(), g.term(), g.leaderMember(), g.commitIndex(),
                g.appliedIndex(), g.lastIndex(), g.leaderContactAgeMs()));
        }
        return new AdminReply(status, leaderHint, responding, pid, uptimeMs, version, List.copyOf(members),
            List.copyOf(groups), decoder.errorMessage());
    }

    private static String clip(final String text, final int length)
    {
        final String value = null == text ? "" : text;
        return value.length() <= length ? value : value.substring(0, length);
    }
}
