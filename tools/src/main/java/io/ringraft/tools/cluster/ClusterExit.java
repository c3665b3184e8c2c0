/*
 * ringraft
 */
package io.ringraft.tools.cluster;

/** The exit codes of the cluster-administration commands, as their --help documents them. */
final class ClusterExit
{
    static final int OK = 0;
    /** The members answered but the operation failed (refused, timed out, not every member did it). */
    static final int FAILED = 1;
    /** A bad command line or config file. */
    static final int USAGE = 2;
    /** No member (or not the one needed, the group's leader) could be reached. */
    static final int UNREACHABLE = 3;

    static final String FOOTER = "%nExit codes: 0 ok, 1 the operation failed, 2 usage or config error, " +
        "3 no member (or not the group's leader) reachable.%n" +
        "Members: --endpoints HOST:PORT,... (their client endpoints), else $RINGRAFT_ENDPOINTS, else --config FILE.";

    private ClusterExit()
    {
    }
}
