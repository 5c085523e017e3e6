package dev.mpflow.protocol;

import java.io.IOException;

/**
 * The first frame a worker sends: who it is.
 *
 * @param protocolVersion {@link #PROTOCOL_VERSION} of the worker's code
 * @param workerId the id the coordinator gave the worker on its command line
 * @param pid the worker's process id
 */
public record Hello(int protocolVersion, int workerId, long pid) {
    /** Bumped on any incompatible change of a frame or message layout. */
    public static final int PROTOCOL_VERSION = 4;

    public byte[] encode() {
        return new Payload.Writer().i32(protocolVersion).i32(workerId).i64(pid).toByteArray();
    }

    public static Hello decode(byte[] payload) throws IOException {
        Payload.Reader r = new Payload.Reader(payload);
        return new Hello(r.i32(), r.i32(), r.i64());
    }
}
