package dev.mldev.deploy;

import dev.mldev.MldevException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rule every deployment name follows, whatever its target: 1-40 lowercase letters, digits and hyphens,
 * starting with a letter (what Vertex AI takes in labels and display names). Such a name is also a safe file
 * name: the local target and the deployment store build paths from it.
 */
public final class DeploymentName {
    private static final Pattern VALID = Pattern.compile("[a-z]([a-z0-9-]{0,38}[a-z0-9])?");

    private DeploymentName() {}

    /** The name as given, or exit 2 saying what a name may hold. */
    public static String check(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw MldevException.usage(
                    "'" + name + "' cannot name a deployment",
                    "pass --name with 1-40 lowercase letters, digits and hyphens, starting with a letter");
        }
        return name;
    }

    /** The flag when given (checked), else the bundle's name made valid: "ch_PP-OCRv4_rec" becomes "ch-pp-ocrv4-rec". */
    public static String choose(String flag, String bundleName) {
        return check(flag != null ? flag : fromBundle(bundleName));
    }

    static String fromBundle(String bundleName) {
        String name = bundleName == null
                ? ""
                : bundleName
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9]+", "-")
                        .replaceAll("^[^a-z]+", "");
        name = name.length() > 40 ? name.substring(0, 40) : name;
        return name.replaceAll("-+$", "");
    }
}
