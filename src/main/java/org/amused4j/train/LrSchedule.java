package org.amused4j.train;

import org.amused4j.tensor.AmusedException;

/**
 * A learning-rate multiplier as diffusers' {@code get_scheduler} defines it (a torch {@code LambdaLR}):
 * the optimizer step that follows {@code n} scheduler steps uses {@code baseLr * factor(n)}. The training
 * loop calls the optimizer before the scheduler, so its first update uses {@code factor(0)} (zero for any
 * schedule with warm-up).
 */
@FunctionalInterface
public interface LrSchedule {
    /** The multiplier after {@code completedSteps} scheduler steps (>= 0). */
    double factor(int completedSteps);

    /** {@code constant}: always 1 (the script's default). */
    static LrSchedule constant() {
        return n -> 1.0;
    }

    /** {@code constant_with_warmup}: n / warmup during the warm-up, then 1. */
    static LrSchedule constantWithWarmup(int warmupSteps) {
        return n -> n < warmupSteps ? warmup(n, warmupSteps) : 1.0;
    }

    /**
     * {@code cosine} (half a cosine wave, {@code num_cycles = 0.5}): linear warm-up, then
     * {@code max(0, (1 + cos(pi * progress)) / 2)}, progress = (n - warmup) / max(1, total - warmup).
     */
    static LrSchedule cosine(int warmupSteps, int trainingSteps) {
        return n -> {
            if (n < warmupSteps) {
                return warmup(n, warmupSteps);
            }
            double progress = (double) (n - warmupSteps) / Math.max(1, trainingSteps - warmupSteps);
            return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
        };
    }

    /**
     * The schedule {@code --lr_scheduler name} selects. The script passes warm-up and total steps already
     * multiplied by the number of processes; {@code constant} ignores both.
     */
    static LrSchedule named(String name, int warmupSteps, int trainingSteps) {
        return switch (name) {
            case "constant" -> constant();
            case "constant_with_warmup" -> constantWithWarmup(warmupSteps);
            case "cosine" -> cosine(warmupSteps, trainingSteps);
            default -> throw new AmusedException("--lr_scheduler: unsupported schedule '" + name
                    + "' (supported: constant, constant_with_warmup, cosine)");
        };
    }

    private static double warmup(int n, int warmupSteps) {
        return (double) n / Math.max(1, warmupSteps);
    }
}
