package io.ringraft.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The record of what clients asked the KV store and what came back, for {@link LinearizabilityChecker}. A client
 * calls {@link #put}, {@link #get}, {@link #delete} or {@link #compareAndSet} <em>before</em> it sends the request,
 * and completes the returned {@link Call} <em>after</em> the reply arrives (or it gives up): then the history's
 * event order is consistent with real time, which is all linearizability needs.
 * <p>
 * Thread-safe by one lock, held for a few field writes per event: cheap next to a network round trip, so a
 * multi-threaded harness on real processes may record from every client thread. Deterministic for a
 * single-threaded simulator: ids and event numbers follow call order.
 */
public final class History
{
    private final LongSupplier clock;
    private final List<Operation> operations = new ArrayList<>();
    private long events;

    /** Times in reports are the history's event numbers. */
    public History()
    {
        this(null);
    }

    /** @param clock the recorder's time (simulated, or {@code System::nanoTime}), shown in reports by each event. */
    public History(final LongSupplier clock)
    {
        this.clock = clock;
    }

    public Call put(final int process, final byte[] key, final byte[] value)
    {
        return invoke(process, Operation.Kind.PUT, key, Bytes.copyOf(value), null);
    }

    public Call get(final int process, final byte[] key)
    {
        return invoke(process, Operation.Kind.GET, key, null, null);
    }

    public Call delete(final int process, final byte[] key)
    {
        return invoke(process, Operation.Kind.DELETE, key, null, null);
    }

    /** @param expected null: set only if the key is absent (as {@code KvCommands.compareAndSet}). */
    public Call compareAndSet(final int process, final byte[] key, final byte[] expected, final byte[] value)
    {
        return invoke(process, Operation.Kind.CAS, key, Bytes.copyOf(value), Bytes.copyOfNullable(expected));
    }

    private Call invoke(
        final int process, final Operation.Kind kind, final byte[] key, final Bytes value, final Bytes expected)
    {
        final Bytes keyCopy = Bytes.copyOf(key);
        synchronized (this)
        {
            final long event = events++;
            final int id = operations.size();
            operations.add(new Operation(id, process, kind, keyCopy, value, expected, event, now(event)));
            return new Call(id, kind);
        }
    }

    /** A snapshot: operations without a reply yet come back PENDING, which the checker treats as indeterminate. */
    public synchronized List<Operation> operations()
    {
        return new ArrayList<>(operations);
    }

    public synchronized int size()
    {
        return operations.size();
    }

    private long now(final long event)
    {
        return null == clock ? event : clock.getAsLong();
    }

    private synchronized void complete(
        final int id, final Operation.Outcome outcome, final Bytes read, final Boolean flag)
    {
        final Operation pending = operations.get(id);
        if (Operation.Outcome.PENDING != pending.outcome())
        {
            throw new IllegalStateException("operation " + pending + " completed twice: a call records one outcome");
        }
        final long event = events++;
        operations.set(id, pending.completed(outcome, event, now(event), read, flag));
    }

    /**
     * An invoked operation, to be completed exactly once: with its result when the reply arrives, {@link #failed}
     * when it certainly did not take effect, {@link #timedOut} when that is unknown.
     */
    public final class Call
    {
        private final int id;
        private final Operation.Kind kind;

        private Call(final int id, final Operation.Kind kind)
        {
            this.id = id;
            this.kind = kind;
        }

        /** A PUT or DELETE succeeded (for a DELETE, without saying whether the key existed). */
        public void ok()
        {
            expectKind("ok()", Operation.Kind.PUT, Operation.Kind.DELETE);
            complete(id, Operation.Outcome.OK, null, null);
        }

        /** @param value what the GET read; null when the key was absent. */
        public void okGet(final byte[] value)
        {
            expectKind("okGet", Operation.Kind.GET, Operation.Kind.GET);
            complete(id, Operation.Outcome.OK, Bytes.copyOfNullable(value), null);
        }

        /** @param existed whether the key existed (the store answered OK rather than NOT_FOUND). */
        public void okDelete(final boolean existed)
        {
            expectKind("okDelete", Operation.Kind.DELETE, Operation.Kind.DELETE);
            complete(id, Operation.Outcome.OK, null, existed);
        }

        /** @param set whether the CAS set the value (OK rather than CAS_MISMATCH). */
        public void okCompareAndSet(final boolean set)
        {
            expectKind("okCompareAndSet", Operation.Kind.CAS, Operation.Kind.CAS);
            complete(id, Operation.Outcome.OK, null, set);
        }

        /** It definitely did not take effect (e.g. refused NOT_LEADER before it was proposed). */
        public void failed()
        {
            complete(id, Operation.Outcome.FAILED, null, null);
        }

        /** No answer, or one that does not say whether it took effect: it may take effect later, or never. */
        public void timedOut()
        {
            complete(id, Operation.Outcome.INDETERMINATE, null, null);
        }

        /** The operation as recorded so far. */
        public Operation operation()
        {
            synchronized (History.this)
            {
                return operations.get(id);
            }
        }

        private void expectKind(final String method, final Operation.Kind one, final Operation.Kind other)
        {
            if (kind != one && kind != other)
            {
                throw new IllegalStateException(method + " completes a " + one + (one != other ? " or " + other : "") +
                    ", not a " + kind + ": record the result with the method for its kind");
            }
        }
    }
}
