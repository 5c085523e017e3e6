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
    SPAWNED(6),
    /**
     * Coordinator to worker: the work with this id (a task's function and agents, serialized once) for the
     * {@code EXECUTE} frames that follow to name; {@link Define}.
     */
    DEFINE(7),
    /** Coordinator to worker: no later {@code EXECUTE} names the work with this id; the worker may drop it. */
    FORGET(8),
    /**
     * Coordinator to worker: take back the attempt with this id if it has not started; the worker answers
     * {@code REVOKED} if it had not, and otherwise runs it and replies as usual.
     */
    REVOKE(9),
    /** Worker to coordinator: the attempt with this id was taken back before it started. */
    REVOKED(10);

    private static final FrameType[] BY_CODE = new FrameType[11];

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
