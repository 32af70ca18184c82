package org.amused4j.train.data;

/** What to do with an unreadable image or an image without a caption. Either way it is reported by name. */
public enum MissingDataPolicy {
    /** Report the file and train on the rest. */
    SKIP,
    /** Report the file and stop before training. */
    FAIL
}
