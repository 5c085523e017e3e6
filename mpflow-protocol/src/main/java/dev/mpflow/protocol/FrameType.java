package dev.mpflow.protocol;

/** The kinds of frame on the coordinator–worker channel; the code is the byte on the wire. */
public enum FrameType {
    /** Worker to coordinator, once, first: {@link Hello}. */
    HELLO(1),
    /** Coordinator to worker: run one attempt, {@link Execute}. The frame id names the attempt. */
    EXECUTE(2),
    /** Worker to coordinator: the attempt with this id returned a value, {@link Success}. */
    SUCCESS(3),
    /** Worker to coordinator: the attempt with this id threw, {@link Failure}. */
    FAILURE(4),
    /** Coordinator to worker: finish now and exit; no payload. */
    SHUTDOWN(5),
    /**
     * Worker to coordinator: the attempt with this id started an external process, {@link Spawned}. The
     * coordinator ends it, and what it started, if the worker dies before it can.
     */
    SPAWNED(6);

    private static final FrameType[] BY_CODE = new FrameType[7];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final byte code;

    FrameType(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    /** @throws ProtocolException for a byte that names no frame type */
    public static FrameType ofCode(byte code) throws ProtocolException {
        if (code <= 0 || code >= BY_CODE.length) {
            throw new ProtocolException("unknown frame type " + code);
        }
        return BY_CODE[code];
    }
}
