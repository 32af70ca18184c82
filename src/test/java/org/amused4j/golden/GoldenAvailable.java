package org.amused4j.golden;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a test class, with the reason in the report, when the golden directory is missing on a user's machine.
 * Under {@code CI=true} the class runs anyway, so {@link Golden#dir()} fails it loudly.
 */
public final class GoldenAvailable implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Golden.isCi()) {
            return ConditionEvaluationResult.enabled("CI=true: the golden tests must run");
        }
        String missing = Golden.missingReason();
        return missing == null ? ConditionEvaluationResult.enabled("golden directory present")
                : ConditionEvaluationResult.disabled(missing);
    }
}
