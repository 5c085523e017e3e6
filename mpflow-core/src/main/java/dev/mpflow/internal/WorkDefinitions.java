package dev.mpflow.internal;

import dev.mpflow.Agent;
import dev.mpflow.MapFunction;
import dev.mpflow.NotSerializableValueException;
import dev.mpflow.TaskFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Serializes each distinct function-and-agents once. Tasks that share a function object (a constant lambda, a
 * method reference held in a field, one {@code TaskFunction} instance submitted many times) share one
 * {@link WorkDefinition}, which the pool sends to each worker once; a task with a function of its own gets one of
 * its own. Identity decides, as for Python's pickling by reference: a function object is serialized when it is
 * first submitted, so later changes to what it captures are not seen by workers.
 *
 * <p>A definition is held while jobs use it, then kept among the {@value #KEPT_UNUSED} most recently released, so
 * that a function submitted again and again, one task at a time, is still serialized once. Older ones are dropped
 * and the pool is told to make workers forget them. Thread-safe.
 */
final class WorkDefinitions {
    static final int KEPT_UNUSED = 64;

    private final AtomicLong ids = new AtomicLong();
    private final Consumer<WorkDefinition> onDropped;
    private final Map<Key, Entry> used = new HashMap<>();
    private final Map<Long, Entry> usedById = new HashMap<>();
    private final LinkedHashMap<Key, Entry> unused = new LinkedHashMap<>(16, 0.75f, true);

    /** @param onDropped told of each definition no job uses or will use again */
    WorkDefinitions(Consumer<WorkDefinition> onDropped) {
        this.onDropped = onDropped;
    }

    /**
     * The definition of {@code function} then {@code agents}, serialized now if no job holds it; the caller must
     * {@link #release} it once its job has its final result.
     *
     * @param task names the task in the error when the work cannot be serialized
     */
    WorkDefinition acquire(TaskFunction function, List<Agent> agents, String task) throws NotSerializableValueException {
        return acquire(new Key(JobWork.class, function, agents.toArray(new Agent[0])),
                () -> new JobWork(function, agents), task);
    }

    /** The definition of a {@code map}'s function; released like the others. */
    WorkDefinition acquireMap(MapFunction<?, ?> function, String task) throws NotSerializableValueException {
        return acquire(new Key(MapWork.class, function, new Agent[0]), () -> new MapWork(function), task);
    }

    private WorkDefinition acquire(Key key, java.util.function.Supplier<Work> work, String task)
            throws NotSerializableValueException {
        synchronized (this) {
            Entry e = used.get(key);
            if (e == null) {
                e = unused.remove(key);
                if (e != null) {
                    used.put(key, e);
                    usedById.put(e.definition.id(), e);
                }
            }
            if (e != null) {
                e.jobs++;
                return e.definition;
            }
        }
        // Serialized outside the lock: a large function must not hold up every other submitter.
        WorkDefinition fresh = new WorkDefinition(ids.incrementAndGet(), serialize(work.get(), task));
        synchronized (this) {
            Entry e = used.get(key);
            if (e == null) {
                e = unused.remove(key);
                if (e == null) {
                    e = new Entry(key, fresh);
                }
                used.put(key, e);
                usedById.put(e.definition.id(), e);
            }
            e.jobs++;
            return e.definition;
        }
    }

    /** A job that held {@code definition} has its final result. */
    void release(WorkDefinition definition) {
        WorkDefinition dropped = null;
        synchronized (this) {
            Entry e = usedById.get(definition.id());
            if (e == null) {
                throw new IllegalStateException(definition + " released but not held");
            }
            if (--e.jobs == 0) {
                used.remove(e.key);
                usedById.remove(definition.id());
                unused.put(e.key, e);
                if (unused.size() > KEPT_UNUSED) {
                    Iterator<Entry> eldest = unused.values().iterator();
                    dropped = eldest.next().definition;
                    eldest.remove();
                }
            }
        }
        if (dropped != null) {
            onDropped.accept(dropped);
        }
    }

    /** How many definitions are held or kept; for tests. */
    synchronized int size() {
        return used.size() + unused.size();
    }

    private static byte[] serialize(Work work, String task) throws NotSerializableValueException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(work);
        } catch (NotSerializableException e) {
            throw new NotSerializableValueException("task '" + task
                    + "' cannot be sent to a worker: class " + e.getMessage() + " is not serializable", e);
        } catch (IOException | RuntimeException e) {
            throw new NotSerializableValueException("task '" + task + "' cannot be sent to a worker: " + e, e);
        }
        return bytes.toByteArray();
    }

    private static final class Entry {
        final Key key;
        final WorkDefinition definition;
        int jobs;

        Entry(Key key, WorkDefinition definition) {
            this.key = key;
            this.definition = definition;
        }
    }

    /** The kind of work, and its function and agents by identity: equal objects that are not the same differ. */
    private static final class Key {
        private final Class<?> kind;
        private final Object function;
        private final Agent[] agents;
        private final int hash;

        Key(Class<?> kind, Object function, Agent[] agents) {
            this.kind = kind;
            this.function = function;
            this.agents = agents;
            int h = 31 * kind.hashCode() + System.identityHashCode(function);
            for (Agent a : agents) {
                h = 31 * h + System.identityHashCode(a);
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k) || k.kind != kind || k.function != function || k.agents.length != agents.length) {
                return false;
            }
            for (int i = 0; i < agents.length; i++) {
                if (k.agents[i] != agents[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
