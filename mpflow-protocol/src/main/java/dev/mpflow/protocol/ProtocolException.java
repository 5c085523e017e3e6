package dev.mpflow.protocol;

import java.io.IOException;

/** The bytes on the channel do not form a valid frame or message: the peer is broken or not an mpflow peer. */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
