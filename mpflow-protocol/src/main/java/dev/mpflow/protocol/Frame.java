package dev.mpflow.protocol;

import java.util.Objects;

/**
 * One message on the channel.
 *
 * <p>Wire layout, big-endian: {@code int length} (of what follows), {@code byte type}, {@code long id},
 * {@code byte[length - 9] payload}. The id ties a reply to its request, so several attempts can be in flight on one
 * channel.
 *
 * @param type what the frame carries
 * @param id the attempt it concerns; 0 for frames about the channel itself
 * @param payload the encoded message, possibly empty
 */
public record Frame(FrameType type, long id, byte[] payload) {
    /** Bytes of a frame header after the length field: type and id. */
    public static final int HEADER_BYTES = 1 + 8;
    /** The largest payload accepted, so that a corrupt length cannot make the reader allocate without bound. */
    public static final int MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 64;

    public Frame {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
    }
}
