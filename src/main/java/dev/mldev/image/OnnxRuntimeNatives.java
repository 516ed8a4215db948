package dev.mldev.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * ONNX Runtime's native libraries, taken out of its jar: one platform's unpacked into a directory that
 * {@code -Donnxruntime.native.path} names, and the jar rewritten without any platform's (the GPU jar carries
 * Linux and Windows, 720 MB uncompressed). Shared by the serving image, {@code install.sh} (through {@link #main})
 * and the release archives (src/release/ReleaseArchives.java), so each carries one copy of one platform's natives.
 */
public final class OnnxRuntimeNatives {
    /** The system property ONNX Runtime's Java binding reads its libraries' directory from. */
    public static final String PATH_PROPERTY = "onnxruntime.native.path";

    public static final String LINUX_X64 = "linux-x64";
    private static final String ENTRY_PREFIX = "ai/onnxruntime/native/";
    /** The TensorRT execution provider: mldev never asks for it, so it is carried only on request. */
    private static final String TENSORRT_PROVIDER = "onnxruntime_providers_tensorrt";

    private OnnxRuntimeNatives() {}

    /** Whether a jar entry is one of ONNX Runtime's native libraries (any platform). */
    public static boolean isNative(String entryName) {
        return entryName.startsWith(ENTRY_PREFIX);
    }

    /**
     * The jar's native library entries for one platform (files only), without the TensorRT provider unless
     * {@code withTensorRt}; the name each gets in the native directory is {@link #fileName}.
     */
    public static List<ZipEntry> entries(ZipFile jar, String platform, boolean withTensorRt) {
        String prefix = ENTRY_PREFIX + platform + "/";
        List<ZipEntry> natives = new ArrayList<>();
        for (ZipEntry entry : Collections.list(jar.entries())) {
            if (!entry.isDirectory()
                    && entry.getName().startsWith(prefix)
                    && (withTensorRt || !entry.getName().contains(TENSORRT_PROVIDER))) {
                natives.add(entry);
            }
        }
        return natives;
    }

    /** Whether a library file is the TensorRT provider, carried only on request. */
    public static boolean isTensorRt(Path library) {
        return library.getFileName().toString().contains(TENSORRT_PROVIDER);
    }

    /** The library's file name, as ONNX Runtime looks for it in its native path. */
    public static String fileName(ZipEntry entry) {
        return entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
    }

    /**
     * Unpacks one platform's libraries into {@code dir} (created), mode 755.
     *
     * @return the files written, by name
     * @throws IOException also when the jar holds no libraries for that platform
     */
    public static List<Path> unpack(Path jar, String platform, boolean withTensorRt, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<ZipEntry> natives = entries(zip, platform, withTensorRt);
            if (natives.isEmpty()) {
                throw new IOException(jar + " holds no " + platform + " native libraries");
            }
            for (ZipEntry entry : natives) {
                Path file = dir.resolve(fileName(entry));
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
                file.toFile().setExecutable(true, false);
                written.add(file);
            }
        }
        return written;
    }

    /**
     * Copies a jar entry by entry, each compressed by {@code method} ({@link ZipEntry#DEFLATED} or
     * {@link ZipEntry#STORED}), leaving ONNX Runtime's natives out unless {@code keepNatives}.
     */
    public static void copyJar(Path jar, OutputStream target, int method, boolean keepNatives) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(target)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (!keepNatives && isNative(entry.getName())) {
                    continue;
                }
                byte[] content = in.readAllBytes();
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                copy.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    copy.setSize(content.length);
                    copy.setCompressedSize(content.length);
                    copy.setCrc(crc.getValue());
                }
                out.putNextEntry(copy);
                out.write(content);
                out.closeEntry();
            }
        }
    }

    /** Writes {@code target} as the jar without natives, through a temporary file beside it. */
    public static void writeWithoutNatives(Path jar, Path target) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            copyJar(jar, out, ZipEntry.DEFLATED, false);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * For install.sh: {@code JAR PLATFORM DIR [--tensorrt]} unpacks the platform's libraries into DIR and rewrites
     * JAR in place without natives. Exit status 1, with one line, when that fails.
     */
    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && !args[3].equals("--tensorrt"))) {
            System.err.println("usage: OnnxRuntimeNatives JAR PLATFORM DIR [--tensorrt]");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        try {
            unpack(jar, args[1], args.length == 4, Path.of(args[2]));
            writeWithoutNatives(jar, jar);
        } catch (IOException e) {
            System.err.println("cannot take the native libraries out of " + jar + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
