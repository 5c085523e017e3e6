package dev.mpflow.protocol;

import java.util.Objects;

/**
 * Output captured from one stream during an attempt: the bytes kept, and how many were dropped past the limit.
 *
 * @param bytes what was kept, as printed (not necessarily UTF-8)
 * @param droppedBytes how many further bytes were printed and not kept
 */
public record Captured(byte[] bytes, long droppedBytes) {
    public static final Captured EMPTY = new Captured(new byte[0], 0);

    public Captured {
        Objects.requireNonNull(bytes, "bytes");
        if (droppedBytes < 0) {
            throw new IllegalArgumentException("droppedBytes must not be negative");
        }
    }
}
