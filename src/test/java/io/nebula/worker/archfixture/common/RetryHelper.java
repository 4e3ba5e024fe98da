package io.nebula.worker.archfixture.common;

/** Breaks the naming rules twice: a "Helper" in a "common" package. */
public class RetryHelper {
    public int attempts() {
        return 3;
    }
}
