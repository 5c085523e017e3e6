package dev.mpflow.protocol;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Reads frames from a stream. Not thread-safe: one reader thread per channel. */
public final class FrameReader implements AutoCloseable {
    private final DataInputStream in;

    public FrameReader(InputStream in) {
        this.in = new DataInputStream(new BufferedInputStream(in, 64 * 1024));
    }

    /**
     * Reads the next frame, blocking until it is whole.
     *
     * @return the frame, or {@code null} when the peer closed the channel between frames
     * @throws EOFException when the channel ends inside a frame
     * @throws ProtocolException when the bytes are not a valid frame
     */
    public Frame read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        if (length < Frame.HEADER_BYTES || length - Frame.HEADER_BYTES > Frame.MAX_PAYLOAD_BYTES) {
            throw new ProtocolException("invalid frame length " + length);
        }
        FrameType type = FrameType.ofCode(in.readByte());
        long id = in.readLong();
        byte[] payload = new byte[length - Frame.HEADER_BYTES];
        in.readFully(payload);
        return new Frame(type, id, payload);
    }

    /**
     * Whether bytes of a next frame are already buffered, so that {@link #read} will not wait for the peer to send
     * more before it starts: lets a reader handle a burst of frames before acting on them together.
     */
    public boolean hasBuffered() throws IOException {
        return in.available() > 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
