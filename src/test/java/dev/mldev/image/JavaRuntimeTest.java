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
        assertThat(ElfLibraries.needed(JavaRuntime.running().home().resolve("release"))).isEmpty();
    }

    @Test
    void reportsTheSystemLibrariesARuntimeLoadsButDoesNotShip() throws Exception {
        Path home = ImageFixtures.fakeJre(temp, "Linux", "x86_64");
        TinyElf.write(home.resolve("lib/server/libjvm.so"), List.of("libstdc++.so.6", "libc.so.6"));
        TinyElf.write(home.resolve("lib/libjava.so"), List.of("libjvm.so", "libc.so.6"));
        TinyElf.write(home.resolve("lib/libjavajpeg.so"), List.of("libjpeg.so.62", "libjava.so", "libjvm.so"));
        TinyElf.write(home.resolve("lib/libawt_xawt.so"), List.of("libX11.so.6"));

        Map<String, List<String>> needs = new JavaRuntime(home).systemLibrariesNeeded();

        // shipped libraries, glibc's and the desktop-only ones are not reported
        assertThat(needs).containsExactly(Map.entry("lib/libjavajpeg.so", List.of("libjpeg.so.62")));
    }

    @Test
    void aSelfContainedRuntimeNeedsNothingFromTheSystem() throws Exception {
        Path home = ImageFixtures.fakeJre(temp, "Linux", "x86_64");
        TinyElf.write(home.resolve("lib/server/libjvm.so"), List.of("libstdc++.so.6", "libm.so.6"));
        TinyElf.write(home.resolve("lib/libzip.so"), List.of("libjvm.so", "libz.so.1"));

        assertThat(new JavaRuntime(home).systemLibrariesNeeded()).isEmpty();
    }

    @Test
    void refusesARuntimeForAnotherSystemOrNoRuntimeAtAll() throws Exception {
        Path mac = ImageFixtures.fakeJre(Files.createDirectories(temp.resolve("mac")), "Darwin", "aarch64");
        Path arm = ImageFixtures.fakeJre(Files.createDirectories(temp.resolve("arm")), "Linux", "aarch64");

        assertThatThrownBy(() -> new JavaRuntime(mac).checkedForLinuxAmd64()).isInstanceOf(MldevException.class)
                .hasMessageContaining("is for Darwin/aarch64");
        assertThatThrownBy(() -> new JavaRuntime(arm).checkedForLinuxAmd64()).hasMessageContaining("Linux/aarch64");
        assertThatThrownBy(() -> new JavaRuntime(temp.resolve("nothing")).checkedForLinuxAmd64())
                .hasMessageContaining("is not a Java runtime");
        assertThat(JavaRuntime.running().checkedForLinuxAmd64().home()).isEqualTo(JavaRuntime.running().home());
    }
}
