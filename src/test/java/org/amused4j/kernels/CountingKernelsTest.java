package org.amused4j.kernels;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CountingKernels} wraps the backend every model calls through ({@link Kernels#get()}). A kernel it does not
 * override falls back to the interface's default, so a backend's fused or parallel version of that kernel would
 * silently never run (this happened to {@code groupNormSilu}: the VQ decoder ran GroupNorm and SiLU as two passes).
 */
class CountingKernelsTest {
    @Test
    void forwardsEveryKernel() {
        List<String> missing = Arrays.stream(Kernels.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !declares(m))
                .map(Method::getName)
                .toList();
        assertThat(missing).as("kernels CountingKernels leaves to the interface default").isEmpty();
        assertThat(Kernels.get()).isInstanceOf(CountingKernels.class);
    }

    private static boolean declares(Method m) {
        try {
            CountingKernels.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
