package dev.mldev.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a 64-bit little-endian ELF file says about its shared libraries, as {@code readelf -d} lists it: the
 * libraries it needs (DT_NEEDED) and where it asks the loader to look first (DT_RPATH, DT_RUNPATH).
 */
final class ElfLibraries {
    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;

    /** @param searchPaths the RPATH/RUNPATH entries, e.g. {@code $ORIGIN} */
    record Dynamic(List<String> needed, List<String> searchPaths) {
        static final Dynamic NONE = new Dynamic(List.of(), List.of());

        boolean searchesOwnDirectory() {
            return searchPaths.contains("$ORIGIN") || searchPaths.contains("${ORIGIN}");
        }
    }

    private ElfLibraries() {}

    /** The needed libraries only. */
    static List<String> needed(Path file) throws IOException {
        return read(file).needed();
    }

    /** The dynamic section's facts, or {@link Dynamic#NONE} for a file that is not a 64-bit little-endian ELF. */
    static Dynamic read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer elf = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (elf.limit() < 64 || elf.getInt(0) != 0x464c457f || elf.get(4) != 2 || elf.get(5) != 1) {
                return Dynamic.NONE;
            }
            long sectionTable = elf.getLong(0x28);
            int entrySize = Short.toUnsignedInt(elf.getShort(0x3A));
            int sections = Short.toUnsignedInt(elf.getShort(0x3C));
            for (int i = 0; i < sections; i++) {
                int header = Math.toIntExact(sectionTable + (long) i * entrySize);
                if (elf.getInt(header + 4) == SHT_DYNAMIC) {
                    int strings = Math.toIntExact(sectionTable + (long) elf.getInt(header + 0x28) * entrySize);
                    return dynamic(elf, header, Math.toIntExact(elf.getLong(strings + 0x18)));
                }
            }
            return Dynamic.NONE;
        } catch (IndexOutOfBoundsException | ArithmeticException damaged) {
            return Dynamic.NONE; // not a well-formed ELF file: nothing to report
        }
    }

    private static Dynamic dynamic(ByteBuffer elf, int dynamicHeader, int stringTable) {
        int offset = Math.toIntExact(elf.getLong(dynamicHeader + 0x18));
        long size = elf.getLong(dynamicHeader + 0x20);
        List<String> needed = new ArrayList<>();
        List<String> searchPaths = new ArrayList<>();
        for (int entry = offset; entry + 16 <= offset + size; entry += 16) {
            long tag = elf.getLong(entry);
            if (tag == DT_NULL) {
                break;
            }
            String value = tag == DT_NEEDED || tag == DT_RPATH || tag == DT_RUNPATH
                    ? string(elf, stringTable + Math.toIntExact(elf.getLong(entry + 8)))
                    : null;
            if (tag == DT_NEEDED) {
                needed.add(value);
            } else if (value != null) {
                searchPaths.addAll(List.of(value.split(":")));
            }
        }
        return new Dynamic(List.copyOf(needed), List.copyOf(searchPaths));
    }

    private static String string(ByteBuffer elf, int start) {
        int end = start;
        while (elf.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        elf.get(start, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
