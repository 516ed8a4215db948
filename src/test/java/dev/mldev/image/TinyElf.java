package dev.mldev.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the smallest 64-bit ELF shared object that names the given DT_NEEDED libraries (and optionally an
 * RPATH) and nothing else.
 */
final class TinyElf {
    private TinyElf() {}

    static Path write(Path file, List<String> needed) throws IOException {
        return write(file, needed, null);
    }

    static Path write(Path file, List<String> needed, String rpath) throws IOException {
        StringBuilder strings = new StringBuilder("\0");
        List<long[]> entries = new java.util.ArrayList<>(); // tag, string offset
        for (String name : needed) {
            entries.add(new long[] {1, strings.length()}); // DT_NEEDED
            strings.append(name).append('\0');
        }
        if (rpath != null) {
            entries.add(new long[] {15, strings.length()}); // DT_RPATH
            strings.append(rpath).append('\0');
        }
        byte[] stringTable = strings.toString().getBytes(StandardCharsets.US_ASCII);
        int stringsAt = 64;
        int dynamicAt = align(stringsAt + stringTable.length);
        int dynamicSize = (entries.size() + 1) * 16;
        int sectionsAt = align(dynamicAt + dynamicSize);
        ByteBuffer elf = ByteBuffer.allocate(sectionsAt + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        elf.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        elf.putShort(16, (short) 3); // ET_DYN
        elf.putShort(18, (short) 62); // EM_X86_64
        elf.putInt(20, 1);
        elf.putLong(0x28, sectionsAt);
        elf.putShort(0x34, (short) 64);
        elf.putShort(0x3A, (short) 64);
        elf.putShort(0x3C, (short) 3);
        elf.put(stringsAt, stringTable);
        for (int i = 0; i < entries.size(); i++) {
            elf.putLong(dynamicAt + i * 16, entries.get(i)[0]);
            elf.putLong(dynamicAt + i * 16 + 8, entries.get(i)[1]);
        }
        section(elf, sectionsAt + 64, 3, stringsAt, stringTable.length, 0); // .dynstr
        section(elf, sectionsAt + 128, 6, dynamicAt, dynamicSize, 1); // .dynamic, strings in section 1
        Files.createDirectories(file.getParent());
        return Files.write(file, elf.array());
    }

    private static void section(ByteBuffer elf, int at, int type, long offset, long size, int link) {
        elf.putInt(at + 4, type);
        elf.putLong(at + 0x18, offset);
        elf.putLong(at + 0x20, size);
        elf.putInt(at + 0x28, link);
    }

    private static int align(int offset) {
        return (offset + 7) & ~7;
    }
}
