package dev.mldev.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven filtered into version.properties at build time. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/dev/mldev/version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {"mldev " + properties.getProperty("version", "unknown")};
    }
}
