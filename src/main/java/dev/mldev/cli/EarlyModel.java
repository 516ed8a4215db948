package dev.mldev.cli;

import dev.mldev.Environment;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.LocalModel;
import dev.mldev.runtime.Opening;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starts opening the bundle and model session of {@code mldev predict --model BUNDLE} from the first line of
 * main, while picocli is still building and parsing the command line (about a quarter of a one-shot predict on
 * 2 cores). The bundle and device are read from the raw arguments: the device from {@code --device}, else
 * {@code MLDEV_DEVICE}, else auto. The command takes the opening only if it parsed the same bundle and device
 * (a device set in the config file is not guessed: that opening is closed and the command opens its own).
 */
final class EarlyModel {
    private static Early early;

    private EarlyModel() {}

    private record Early(Path bundle, Device device, Opening<LocalModel> opening, Relay notices) {}

    static synchronized void start(RawArgs args, Environment env) {
        Optional<String> bundle = args.value("--model");
        if (bundle.isEmpty()
                || !"predict".equals(args.subcommand())
                || args.value("--target").isPresent()
                || args.has("--help", "-h")) {
            return;
        }
        Device device;
        try {
            device = Device.valueOf(args.value("--device")
                    .or(() -> env.get("MLDEV_DEVICE"))
                    .orElse("auto")
                    .toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return; // picocli says what is wrong with it
        }
        Path path;
        try {
            path = Path.of(bundle.get());
        } catch (java.nio.file.InvalidPathException e) {
            return; // picocli says what is wrong with it
        }
        Relay notices = new Relay();
        try {
            early = new Early(
                    path, device, PredictCommand.startOpening(env, path, device, notices, args.verbose()), notices);
        } catch (NoClassDefFoundError e) {
            // the cost archive, without ONNX Runtime: the command meets this again and says which archive has it
        }
    }

    /**
     * The opening started for this bundle and device, its notices passed on to {@code notice} from now on;
     * empty if none was started for them.
     */
    static synchronized Optional<Opening<LocalModel>> take(Path bundle, Device device, Consumer<String> notice) {
        if (early == null || !early.bundle().equals(bundle) || early.device() != device) {
            return Optional.empty();
        }
        Early taken = early;
        early = null;
        taken.notices().passTo(notice);
        return Optional.of(taken.opening());
    }

    /** Closes an opening the command did not take, once it has finished, so no cache file is left half-written. */
    static synchronized void discard() {
        if (early != null) {
            early.opening().close();
            early = null;
        }
    }

    /** Notices held until the command that prints them takes the opening, then passed straight on. */
    private static final class Relay implements Consumer<String> {
        private final List<String> held = new ArrayList<>();
        private Consumer<String> target;

        @Override
        public synchronized void accept(String message) {
            if (target == null) {
                held.add(message);
            } else {
                target.accept(message);
            }
        }

        synchronized void passTo(Consumer<String> notice) {
            held.forEach(notice);
            held.clear();
            target = notice;
        }
    }
}
