package dev.mpflow.protocol;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes frames to a stream. Thread-safe: each frame is written and flushed whole under a lock, so threads
 * replying to different attempts never interleave their bytes.
 */
public final class FrameWriter implements AutoCloseable {
    private final DataOutputStream out;

    public FrameWriter(OutputStream out) {
        this.out = new DataOutputStream(new BufferedOutputStream(out, 64 * 1024));
    }

    /** Writes one frame and flushes it. */
    public void write(FrameType type, long id, byte[] payload) throws IOException {
        synchronized (out) {
            out.writeInt(Frame.HEADER_BYTES + payload.length);
            out.writeByte(type.code());
            out.writeLong(id);
            out.write(payload);
            out.flush();
        }
    }

    public void write(Frame frame) throws IOException {
        write(frame.type(), frame.id(), frame.payload());
    }

    @Override
    public void close() throws IOException {
        synchronized (out) {
            out.close();
        }
    }
}
