package dev.mpflow.internal;

import dev.mpflow.NotSerializableValueException;
import dev.mpflow.ResultTooLargeException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;

/**
 * What a worker runs, sent once per worker in a {@code DEFINE} frame and named by every {@code EXECUTE} that runs
 * it: a task's function and agents ({@link JobWork}), or the function of a {@code map} ({@link MapWork}).
 */
public abstract class Work implements Serializable {
    private static final long serialVersionUID = 1L;

    Work() {
    }

    /**
     * Runs on one argument, as it came in the {@code EXECUTE} frame, and returns the encoded value.
     *
     * @param task the task's name, for messages
     * @param maxResultBytes the largest value allowed, as {@link ValueCodec#valueSize} measures it
     */
    public abstract byte[] execute(String task, byte[] argument, long maxResultBytes) throws Exception;

    /** An encoding that cannot be done, as the exception that says so to the caller. */
    @FunctionalInterface
    interface Encoding {
        byte[] encode() throws IOException;
    }

    static byte[] encoded(String task, long limit, Encoding encoding)
            throws NotSerializableValueException, ResultTooLargeException {
        try {
            return encoding.encode();
        } catch (ValueCodec.TooLargeException e) {
            throw new ResultTooLargeException("result of task '" + task + "' is larger than the limit of " + limit
                    + " bytes");
        } catch (NotSerializableException e) {
            throw new NotSerializableValueException("result of task '" + task + "' cannot be sent back: class "
                    + e.getMessage() + " is not serializable", e);
        } catch (IOException e) {
            throw new NotSerializableValueException("result of task '" + task + "' cannot be sent back: " + e, e);
        }
    }
}
