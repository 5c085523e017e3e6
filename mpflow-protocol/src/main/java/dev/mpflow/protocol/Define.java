package dev.mpflow.protocol;

import java.util.Objects;

/**
 * Work that later {@link Execute} frames name by id (the frame's id): a task's function and agents, serialized
 * once and sent once per worker however many attempts run it.
 *
 * @param work the serialized work, opaque to the protocol
 */
public record Define(byte[] work) {
    public Define {
        Objects.requireNonNull(work, "work");
    }

    public byte[] encode() {
        return work;
    }

    public static Define decode(byte[] payload) {
        return new Define(payload);
    }
}
