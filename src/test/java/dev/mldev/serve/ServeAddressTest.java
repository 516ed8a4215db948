package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An address mldev serve cannot listen on: one line naming it, exit 2. */
class ServeAddressTest {
    @TempDir
    static Path home;

    static Path cls;

    @BeforeAll
    static void packageModel() {
        cls = home.resolve("cls");
        assertThat(CliRun.run(
                                home,
                                "package",
                                TestModels.file(TestModels.CLS).toString(),
                                "--preset",
                                "ppocr-cls",
                                "--out",
                                cls.toString())
                        .exitCode)
                .isZero();
    }

    private static CliRun serve(String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "serve";
        args[1] = cls.toString();
        args[2] = "--device";
        args[3] = "cpu";
        System.arraycopy(flags, 0, args, 4, flags.length);
        return CliRun.run(home, args);
    }

    private static void assertOneLine(CliRun run, String... parts) {
        assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
        assertThat(run.err).contains(parts).doesNotContain("Exception");
    }

    @Test
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertOneLine(serve("--port", Integer.toString(port)), "port " + port + " on 127.0.0.1 is already in use");
        }
    }

    @Test
    void portOutOfRange() {
        assertOneLine(serve("--port", "70000"), "port 70000 is out of range");
    }

    @Test
    void hostThatDoesNotResolve() { // a malformed IPv6 literal: refused without asking DNS
        assertOneLine(serve("--host", "[not-an-address]"), "cannot resolve the host '[not-an-address]'");
    }
}
