package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime jlinked from the JDK running this test, as the serving image carries it. */
class JlinkedRuntimeTest {
    @TempDir
    Path temp;

    @Test
    void theJlinkedRuntimeIsCompressedAndRunsWithoutTheJdksCdsArchives() throws Exception {
        Path jdk = JavaRuntime.running().home();
        assumeTrue(JlinkedRuntime.canJlink(jdk), "this JDK has no jmods to jlink from");

        Path home = JlinkedRuntime.from(jdk, temp).home();

        // the modules of JlinkedRuntime.MODULES are 51 MB uncompressed, 24 MB zipped (Debian's OpenJDK 17)
        assertThat(Files.size(home.resolve("lib/modules"))).isLessThan(35_000_000L);
        // no CDS archive of the JDK's own: the image's ServeClassArchive holds the JDK classes serve loads
        assertThat(home.resolve("lib/server/classes.jsa")).doesNotExist();
        // a class outside java.base comes from the compressed modules
        Process java = new ProcessBuilder(
                        home.resolve("bin/java").toString(),
                        "-cp",
                        "",
                        "-XshowSettings:properties",
                        "--describe-module",
                        "java.net.http")
                .redirectErrorStream(true)
                .start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
        assertThat(output).contains("exports java.net.http");
        // a second call finds the runtime the first made
        assertThat(JlinkedRuntime.from(jdk, temp).home()).isEqualTo(home);
    }
}
