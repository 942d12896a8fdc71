package org.bptt4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-modules jdk.incubator.vector} (a class-path application that forgot it), the
 * library falls back to the scalar reference with one warning, and trains: optimizers and clipping
 * included, which once failed there with {@code NoClassDefFoundError: jdk/incubator/vector/Vector}.
 */
class NoVectorApiTest {
    @Test
    void theReferencePathTrainsWithoutTheVectorApi() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), NoVectorApiMain.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("lacks jdk.incubator.vector"), "one warning naming the module: " + output);
        assertTrue(output.contains("implementation reference, losses"), output);
        assertEquals(1, output.split("lacks jdk.incubator.vector", -1).length - 1, "the warning once: " + output);
    }
}
