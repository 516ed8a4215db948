package dev.mldev.serve;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request does not arrive in time: its head within the header timeout (from the
 * connection's start or the previous response), its body within the body timeout after the head. Deadlines, not
 * idle timeouts, so a client trickling a byte a second is cut off too. While a request is being answered no
 * deadline runs. Sits right after the HTTP codec.
 */
final class RequestDeadline extends ChannelDuplexHandler {
    private final long headerNanos;
    private final long bodyNanos;
    private ScheduledFuture<?> timer;
    private boolean answered;

    RequestDeadline(Duration headerTimeout, Duration bodyTimeout) {
        this.headerNanos = headerTimeout.toNanos();
        this.bodyNanos = bodyTimeout.toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(ctx, headerNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            answered = false;
            arm(ctx, bodyNanos);
        }
        if (msg instanceof LastHttpContent) {
            if (answered) { // refused before its body ended (413): wait for the next request
                arm(ctx, headerNanos);
            } else {
                cancel();
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean response = msg instanceof LastHttpContent
                && !(msg instanceof HttpResponse r && r.status().equals(HttpResponseStatus.CONTINUE));
        super.write(ctx, msg, promise);
        if (response) {
            answered = true;
            arm(ctx, headerNanos); // the next request on this keep-alive connection
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    private void arm(ChannelHandlerContext ctx, long nanos) {
        cancel();
        timer = ctx.executor().schedule(() -> ctx.close(), nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
