package dev.mldev.serve;

import dev.mldev.MldevException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many predict requests one client may make a minute ({@code mldev serve --rate-limit 30/min}). A client may
 * spend the whole minute's allowance at once, then gets one more request each 60/N seconds.
 */
public record RateLimit(int perMinute) {
    /** What a public server allows when not told otherwise: a person trying images, not a script. */
    public static final RateLimit PUBLIC_DEFAULT = new RateLimit(30);

    private static final Pattern FORM = Pattern.compile("(\\d{1,7})\\s*/\\s*min");

    public RateLimit {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute " + perMinute + " < 1");
        }
    }

    /**
     * The limit {@code mldev serve} runs with: the flag's, else the public default when the server is public
     * ({@code --public}, or listening on an address that is not loopback), else none. Not on Vertex AI: its
     * endpoints take only authenticated calls, all arriving from Vertex's own frontends, so a per-address limit
     * there would throttle every caller together.
     *
     * @param flag the --rate-limit value, or null when not given
     * @return null for no limit
     */
    public static RateLimit forServer(String flag, boolean declaredPublic, boolean onVertex, String host) {
        if (flag != null) {
            return parse(flag);
        }
        return declaredPublic || !onVertex && !isLoopback(host) ? PUBLIC_DEFAULT : null;
    }

    /** An address that does not resolve counts as public; listening on it fails with its own message. */
    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Parses "N/min"; "off" is null (no limit). */
    public static RateLimit parse(String text) {
        String value = text.trim();
        if (value.equalsIgnoreCase("off")) {
            return null;
        }
        Matcher m = FORM.matcher(value);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            throw MldevException.usage(
                    "--rate-limit must be N/min with N of 1 or more, or off; not '" + text + "'",
                    "e.g. --rate-limit 30/min");
        }
        return new RateLimit(Integer.parseInt(m.group(1)));
    }

    @Override
    public String toString() {
        return perMinute + "/min";
    }
}
