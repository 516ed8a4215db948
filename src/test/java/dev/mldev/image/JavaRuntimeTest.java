package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaRuntimeTest {
    @TempDir
    Path temp;

    @Test
    void readsTheLibrariesARealRuntimeLibraryNeeds() throws Exception {
        Path libjava = JavaRuntime.running().home().resolve("lib/libjava.so");

        assertThat(ElfLibraries.needed(libjava)).contains("libc.so.6");
        assertThat(ElfLibraries.needed(JavaRuntime.running().home().resolve("release")))
                .isEmpty();
    }

    @Test
    void copiesInTheSystemLibrariesItLoadsFromItsOwnDirectoryAndReportsTheRest() throws Exception {
        Path home = ImageFixtures.fakeJre(temp, "Linux", "x86_64");
        Path system = Files.createDirectories(temp.resolve("usr-lib"));
        TinyElf.write(system.resolve("liblcms2.so.2"), List.of("libm.so.6", "libc.so.6"));
        TinyElf.write(system.resolve("libfancy.so.1"), List.of("libexotic.so.3"));
        TinyElf.write(home.resolve("lib/server/libjvm.so"), List.of("libstdc++.so.6", "libc.so.6"), "$ORIGIN");
        TinyElf.write(home.resolve("lib/libjava.so"), List.of("libjvm.so", "libc.so.6"), "$ORIGIN");
        // found on this machine and looked for beside the runtime library first: copied in
        TinyElf.write(home.resolve("lib/liblcms.so"), List.of("liblcms2.so.2", "libjava.so"), "$ORIGIN");
        // not looked for beside it (no $ORIGIN): copying would not help
        TinyElf.write(home.resolve("lib/libjavajpeg.so"), List.of("libjpeg.so.62", "libjava.so"));
        // found, but it needs more than any glibc image has
        TinyElf.write(home.resolve("lib/libfancy.so"), List.of("libfancy.so.1"), "$ORIGIN");
        // desktop only: never loaded by a server
        TinyElf.write(home.resolve("lib/libawt_xawt.so"), List.of("libX11.so.6"), "$ORIGIN");
        JavaRuntime runtime = new JavaRuntime(home, List.of(system));

        JavaRuntime.SystemLibraries libraries = runtime.systemLibraries();

        assertThat(libraries.copied()).containsExactly(Map.entry("lib/liblcms2.so.2", system.resolve("liblcms2.so.2")));
        assertThat(libraries.missing())
                .containsExactly(
                        Map.entry("lib/libfancy.so", List.of("libfancy.so.1")),
                        Map.entry("lib/libjavajpeg.so", List.of("libjpeg.so.62")));
        assertThat(runtime.layer("java-runtime").getEntries()).anySatisfy(entry -> {
            assertThat(entry.getExtractionPath().toString()).isEqualTo("/opt/java/lib/liblcms2.so.2");
            assertThat(entry.getSourceFile())
                    .isEqualTo(system.resolve("liblcms2.so.2").toRealPath());
        });
    }

    @Test
    void aSelfContainedRuntimeNeedsNothingFromTheSystem() throws Exception {
        Path home = ImageFixtures.fakeJre(temp, "Linux", "x86_64");
        TinyElf.write(home.resolve("lib/server/libjvm.so"), List.of("libstdc++.so.6", "libm.so.6"));
        TinyElf.write(home.resolve("lib/libzip.so"), List.of("libjvm.so", "libz.so.1"));

        JavaRuntime.SystemLibraries libraries = new JavaRuntime(home, List.of()).systemLibraries();
        assertThat(libraries.copied()).isEmpty();
        assertThat(libraries.missing()).isEmpty();
    }

    @Test
    void refusesARuntimeForAnotherSystemOrNoRuntimeAtAll() throws Exception {
        Path mac = ImageFixtures.fakeJre(Files.createDirectories(temp.resolve("mac")), "Darwin", "aarch64");
        Path arm = ImageFixtures.fakeJre(Files.createDirectories(temp.resolve("arm")), "Linux", "aarch64");

        assertThatThrownBy(() -> new JavaRuntime(mac).checkedForLinuxAmd64())
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("is for Darwin/aarch64");
        assertThatThrownBy(() -> new JavaRuntime(arm).checkedForLinuxAmd64()).hasMessageContaining("Linux/aarch64");
        assertThatThrownBy(() -> new JavaRuntime(temp.resolve("nothing")).checkedForLinuxAmd64())
                .hasMessageContaining("is not a Java runtime");
        assertThat(JavaRuntime.running().checkedForLinuxAmd64().home())
                .isEqualTo(JavaRuntime.running().home());
    }
}
