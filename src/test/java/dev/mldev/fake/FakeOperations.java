package dev.mldev.fake;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * google.longrunning.Operations for every fake service. A long-running call is recorded here: its change is
 * made at once (or, with an injected operation fault, not at all), and GetOperation reports it done once
 * {@link #setDelay} has passed, so clients poll as they do against Google. CancelOperation on a running
 * operation undoes its change (where the call gave an undo) and ends it with CANCELLED, as Google's do.
 */
public final class FakeOperations {
    private record Entry(Operation finished, long doneAtMillis, Runnable undo) {}

    private final Map<String, Entry> operations = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private final Faults faults;
    private volatile Duration delay = Duration.ZERO;

    public FakeOperations(Faults faults) {
        this.faults = faults;
    }

    /** How long operations take before GetOperation reports them done (zero: done in the first answer). */
    public void setDelay(Duration delay) {
        this.delay = delay;
    }

    /**
     * Starts an operation under {@code parent} (a resource name) for the named call; {@code change} makes the
     * change and returns the response, or throws a StatusRuntimeException to fail the operation.
     */
    public Operation start(String call, String parent, Message metadata, Supplier<? extends Message> change) {
        return start(call, parent, metadata, change, () -> {});
    }

    /** The same, with {@code undo} reverting the change when the operation is cancelled while it runs. */
    public Operation start(
            String call, String parent, Message metadata, Supplier<? extends Message> change, Runnable undo) {
        String name = parent + "/operations/" + ids.incrementAndGet();
        Entry entry = finish(call, name, metadata, change, undo);
        operations.put(name, entry);
        return current(entry);
    }

    /**
     * As {@link #start}, but the change is made on another thread and the call answers at once with the
     * operation not done, as Google's services do for slow changes (a DeployModel waiting for its container).
     */
    public Operation startInBackground(
            String call, String parent, Message metadata, Supplier<? extends Message> change, Runnable undo) {
        String name = parent + "/operations/" + ids.incrementAndGet();
        Entry pending = new Entry(
                Operation.newBuilder()
                        .setName(name)
                        .setMetadata(Any.pack(metadata))
                        .build(),
                Long.MAX_VALUE,
                () -> {});
        operations.put(name, pending);
        // cancelled while the change runs: the change is undone once it is made
        Thread worker = new Thread(
                () -> {
                    Entry done = finish(call, name, metadata, change, undo);
                    if (!operations.replace(name, pending, done)) {
                        done.undo.run();
                    }
                },
                name);
        worker.setDaemon(true);
        worker.start();
        return current(pending);
    }

    private Entry finish(
            String call, String name, Message metadata, Supplier<? extends Message> change, Runnable undo) {
        Operation.Builder finished = Operation.newBuilder()
                .setName(name)
                .setMetadata(Any.pack(metadata))
                .setDone(true);
        var fault = faults.take(call, Faults.Where.OPERATION);
        Runnable undoIt = () -> {};
        if (fault.isPresent()) {
            finished.setError(fault.get());
        } else {
            try {
                finished.setResponse(Any.pack(change.get()));
                undoIt = undo;
            } catch (io.grpc.StatusRuntimeException e) {
                finished.setError(com.google.rpc.Status.newBuilder()
                        .setCode(e.getStatus().getCode().value())
                        .setMessage(String.valueOf(e.getStatus().getDescription())));
            }
        }
        return new Entry(finished.build(), System.currentTimeMillis() + delay.toMillis(), undoIt);
    }

    /** Whether the named operation is still running (not done, not cancelled). */
    public boolean running(String name) {
        Entry entry = operations.get(name);
        return entry != null && !current(entry).getDone();
    }

    public GrpcFakeServer.Service service() {
        return new GrpcFakeServer.Service("google.longrunning.Operations")
                .unary(
                        "GetOperation",
                        GetOperationRequest.getDefaultInstance(),
                        Operation.getDefaultInstance(),
                        request -> current(find(request.getName())))
                .unary(
                        "DeleteOperation",
                        DeleteOperationRequest.getDefaultInstance(),
                        Empty.getDefaultInstance(),
                        request -> {
                            operations.remove(request.getName());
                            return Empty.getDefaultInstance();
                        })
                .unary(
                        "CancelOperation",
                        CancelOperationRequest.getDefaultInstance(),
                        Empty.getDefaultInstance(),
                        request -> {
                            cancel(request.getName());
                            return Empty.getDefaultInstance();
                        });
    }

    /** A running operation's change is undone and it ends with CANCELLED; a finished one is left as it is. */
    private synchronized void cancel(String name) {
        Entry entry = find(name);
        if (current(entry).getDone()) {
            return;
        }
        entry.undo.run();
        Operation cancelled = entry.finished.toBuilder()
                .clearResponse()
                .setError(com.google.rpc.Status.newBuilder()
                        .setCode(com.google.rpc.Code.CANCELLED_VALUE)
                        .setMessage("Operation was cancelled."))
                .build();
        operations.put(name, new Entry(cancelled, 0, () -> {}));
    }

    private Entry find(String name) {
        Entry entry = operations.get(name);
        if (entry == null) {
            throw Status.NOT_FOUND
                    .withDescription("Operation " + name + " not found.")
                    .asRuntimeException();
        }
        return entry;
    }

    private static Operation current(Entry entry) {
        if (System.currentTimeMillis() >= entry.doneAtMillis) {
            return entry.finished;
        }
        return entry.finished.toBuilder()
                .setDone(false)
                .clearResponse()
                .clearError()
                .build();
    }
}
