package org.amused4j.tensor;

/**
 * A problem caused by the user's input (a path, a file, an option, an image) rather than by a bug.
 * The message names the thing and what is wrong with it; the CLI prints it on one line and exits 2.
 */
public class AmusedException extends RuntimeException {
    public AmusedException(String message) {
        super(message);
    }

    public AmusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
