package dev.mldev.deploy;

import dev.mldev.Durations;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One mldev at a time changes a deployment: an exclusive lock on a file in the deployment's directory, held from
 * reading its record to writing it. The lock file holds the holder's pid, for the message of those that wait.
 * The file may be deleted by its holder (undeploy removes the directory); a waiter that then locks the deleted
 * file notices that the path names another file (or none) and locks again.
 */
public final class DeploymentLock implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final FileChannel channel;
    private final FileLock lock;

    private DeploymentLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param waiting told once, with the holder's pid, when another mldev holds the lock
     */
    static DeploymentLock acquire(Path file, String name, Duration wait, Consumer<String> waiting) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        try {
            while (true) {
                DeploymentLock lock = tryOnce(file);
                if (lock != null) {
                    return lock;
                }
                String holder = holder(file);
                if (System.nanoTime() > deadline) {
                    throw MldevException.failure(
                            "another mldev" + holder + " has been changing deployment '" + name + "' for over "
                                    + Durations.format(wait),
                            "wait for it to finish and try again; its lock is " + file);
                }
                if (!told) {
                    waiting.accept(
                            "waiting for another mldev" + holder + " that is changing deployment '" + name + "'");
                    told = true;
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while waiting for the lock on deployment '" + name + "'", null);
        }
    }

    /** The lock, or null when another process (or another thread of this one) holds it. */
    private static DeploymentLock tryOnce(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            // as expected after the first deploy
        }
        Object opened =
                fileKey(file); // read before opening: the file opened is this one if the path still names it later
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = null;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            // another thread of this process holds it: wait like for another process
        }
        if (lock == null || opened == null || !opened.equals(fileKey(file))) {
            channel.close();
            return null;
        }
        channel.truncate(0)
                .write(ByteBuffer.wrap(
                        Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
        return new DeploymentLock(channel, lock);
    }

    private static Object fileKey(Path file) throws IOException {
        try {
            return Objects.requireNonNullElse(
                    Files.readAttributes(file, BasicFileAttributes.class).fileKey(), file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file).trim();
            return pid.isEmpty() ? "" : " (pid " + pid + ")";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
