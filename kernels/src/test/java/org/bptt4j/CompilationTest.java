package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * No method of the kernels is too large for the JIT. A method C1 gives up on ("COMPILE SKIPPED: out
 * of virtual registers") may then run for seconds, or for good, in code that does not intrinsify
 * the Vector API, and every vector in it is boxed: the LSTM's and then the GRU's backward gate
 * gradients did, in some runs and not in others, by the order of compilations, which
 * SimdAllocationTest's JVM did not meet. Whether a method fits C1 does not depend on that order as
 * much: this test keeps the cells' methods well inside.
 */
class CompilationTest {
    @Test
    void theJitCompilesEveryKernelMethod() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-XX:+PrintCompilation", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), CompilationMain.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), output.length() > 4000 ? output.substring(output.length() - 4000) : output);
        assertTrue(output.contains("done"), "ran to the end");
        List<String> skipped = output.lines().filter(l -> l.contains("org.bptt4j") && l.contains("COMPILE SKIPPED")).toList();
        assertEquals(List.of(), skipped, "compilations the JIT gave up on");
    }
}
