package dev.mpflow.protocol;

import java.io.IOException;

/**
 * An attempt started an external process.
 *
 * @param pid its process id
 */
public record Spawned(long pid) {
    public byte[] encode() {
        return new Payload.Writer().i64(pid).toByteArray();
    }

    public static Spawned decode(byte[] payload) throws IOException {
        return new Spawned(new Payload.Reader(payload).i64());
    }
}
