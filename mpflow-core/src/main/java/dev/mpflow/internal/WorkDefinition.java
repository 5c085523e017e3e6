package dev.mpflow.internal;

import java.util.Objects;

/**
 * A serialized {@link JobWork} with the id that {@code EXECUTE} frames name it by. The pool sends it to a worker
 * once ({@code DEFINE}) before the first attempt that needs it there.
 *
 * @param id unique within the coordinator, never reused
 * @param bytes the serialized work
 */
public record WorkDefinition(long id, byte[] bytes) {
    public WorkDefinition {
        Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkDefinition d && d.id == id;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "work " + id + " (" + bytes.length + " bytes)";
    }
}
