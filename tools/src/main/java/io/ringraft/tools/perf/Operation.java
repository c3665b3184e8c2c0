/*
 * ringraft
 */
package io.ringraft.tools.perf;

/** The kinds of request a load mixes; a target that knows only one kind (an echo) sends every kind the same way. */
public enum Operation
{
    PUT, GET, DELETE, CAS
}
