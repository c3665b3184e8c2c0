/**
 * The deterministic cluster simulator: N {@link io.ringraft.raft.RaftNode}s driven the way the pipeline drives
 * them (messages now, FIFO asynchronous persistence, asynchronous apply from the durable log, snapshots), over a
 * network that loses, duplicates, delays, reorders and partitions, with crashes that keep only what is durable.
 * One seeded {@link java.util.Random} drives everything and events run in (time, sequence) order, so one seed is
 * one run, exactly.
 * <ul>
 *     <li>{@link io.ringraft.raft.sim.Simulation}: the event loop, the fault and calm phases, scenario control.</li>
 *     <li>{@link io.ringraft.raft.sim.SimNode}: one member and its pipeline model; {@link
 *     io.ringraft.raft.sim.SimStorage}: what is on its disk (the model of durability); {@link
 *     io.ringraft.raft.sim.SimStateMachine}: the replicated state.</li>
 *     <li>{@link io.ringraft.raft.sim.SafetyChecker}: the invariants ({@link io.ringraft.raft.sim.Invariant}),
 *     checked incrementally after every input to a core.</li>
 *     <li>{@link io.ringraft.raft.sim.SimNetwork}, {@link io.ringraft.raft.sim.Nemesis}, {@link
 *     io.ringraft.raft.sim.Workload}: the weather and the clients.</li>
 * </ul>
 * Reproducing a failure: the message names the seed; rerun it with
 * {@code mvn -o -pl engine -am test -Dtest=RaftSimulationTest -Dsim.seed=<seed> -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dsim.trace=2000} for a longer event trace), or run {@code Simulation <seed>} as a main class.
 */
package io.ringraft.raft.sim;
