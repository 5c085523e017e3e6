package dev.mpflow.protocol;

import java.io.IOException;
import java.util.Objects;

/**
 * Run one attempt.
 *
 * @param attempt 1 for the first attempt of a job
 * @param captureLimitBytes how many bytes of standard output, and as many of standard error, to keep
 * @param maxResultBytes the largest serialized value the worker may send back
 * @param work the serialized job, opaque to the protocol
 */
public record Execute(int attempt, int captureLimitBytes, long maxResultBytes, byte[] work) {
    public Execute {
        Objects.requireNonNull(work, "work");
    }

    public byte[] encode() {
        return new Payload.Writer().i32(attempt).i32(captureLimitBytes).i64(maxResultBytes).bytes(work).toByteArray();
    }

    public static Execute decode(byte[] payload) throws IOException {
        Payload.Reader r = new Payload.Reader(payload);
        return new Execute(r.i32(), r.i32(), r.i64(), r.bytes());
    }
}
