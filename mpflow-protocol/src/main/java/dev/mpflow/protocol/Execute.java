package dev.mpflow.protocol;

import java.io.IOException;
import java.util.Objects;

/**
 * Run one attempt.
 *
 * @param attempt 1 for the first attempt of a job
 * @param captureLimitBytes how many bytes of standard output, and as many of standard error, to keep
 * @param maxResultBytes the largest value the worker may send back, in bytes of the value itself (without the
 *     encoding's own bytes)
 * @param workId the {@link Define}d work to run, sent earlier on the same channel
 * @param task the task's name
 * @param argument what the work runs on (a task's input text in UTF-8, or a chunk of encoded values), opaque to
 *     the protocol
 */
public record Execute(int attempt, int captureLimitBytes, long maxResultBytes, long workId, String task,
        byte[] argument) {
    public Execute {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(argument, "argument");
    }

    public byte[] encode() {
        return new Payload.Writer().i32(attempt).i32(captureLimitBytes).i64(maxResultBytes).i64(workId).string(task)
                .bytes(argument).toByteArray();
    }

    public static Execute decode(byte[] payload) throws IOException {
        Payload.Reader r = new Payload.Reader(payload);
        return new Execute(r.i32(), r.i32(), r.i64(), r.i64(), r.string(), r.bytes());
    }
}
