package dev.mldev.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.ImageDecoder;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.PredictionJson;
import dev.mldev.runtime.Predictor;
import dev.mldev.runtime.Preprocessor;
import dev.mldev.runtime.SessionFactory;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The prediction server, speaking Vertex AI's custom-container contract: {@code POST predictRoute} with
 * {@code {"instances":[{"b64":...}],"parameters":{"top_k":3}}} answers {@code {"predictions":[...]}};
 * {@code GET healthRoute} answers 200 while a request would be served; {@code GET /metrics} is Prometheus text;
 * {@code GET /} is the {@link DemoPage}. With a {@link RateLimit}, a client over it gets 429 with Retry-After.
 * <p>
 * Built on Netty's non-blocking HTTP codec: reading requests takes no thread, so slow or idle clients cost a
 * socket, not a worker, and {@link RequestDeadline} closes those that take too long. A whole request is
 * decoded (images checked against {@link ServeLimits} by their headers first) on a small pool, then queued for
 * the {@link Batcher}; no thread waits for the model.
 */
public final class PredictServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final ServeOptions options;
    private final ServeLimits limits;
    private final Preprocessor preprocessor;
    private final EventLoopGroup acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("mldev-accept", true));
    private final EventLoopGroup connections = new NioEventLoopGroup(0, new DefaultThreadFactory("mldev-http", true));
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ExecutorService decoders;
    private final ScheduledExecutorService reaper;
    private final ModelHolder model;
    private final Batcher batcher;
    private final ServeMetrics metrics;
    private final PixelBudget pixels;
    private final AtomicLong served = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    private final byte[] token;
    private final String bundleVersion;
    private final DemoPage page;
    private final RateLimiter rateLimiter;
    private Channel listener;

    private PredictServer(ServeOptions options, ServeLimits limits, Bundle bundle, SessionFactory sessions) {
        this.options = options;
        this.bundleVersion = bundle.manifest().version();
        this.limits = limits;
        this.preprocessor = new Preprocessor(bundle.manifest().preprocess());
        this.pixels = new PixelBudget(limits.maxInFlightPixels());
        this.token = options.authToken() == null ? null : options.authToken().getBytes(StandardCharsets.UTF_8);
        ModelHolder[] holder = new ModelHolder[1];
        this.metrics =
                new ServeMetrics(() -> holder[0].isLoaded() ? 1 : 0, () -> holder[0].idleSeconds(), inFlight::get);
        this.model = new ModelHolder(
                bundle, sessions, options.device(), options.idleUnload(), limits.tensors(), metrics::modelLoaded);
        holder[0] = model;
        this.page = new DemoPage(bundle, options, model::isLoaded);
        this.rateLimiter = options.rateLimit() == null ? null : new RateLimiter(options.rateLimit(), System::nanoTime);
        this.batcher =
                new Batcher(model, options.maxBatch(), options.batchWindow().toNanos(), metrics::batch);
        this.decoders = Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("mldev-decode", true));
        this.reaper = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("mldev-idle-unload", true));
    }

    public static PredictServer start(ServeOptions options, Bundle bundle, SessionFactory sessions) {
        return start(options, ServeLimits.DEFAULT, bundle, sessions);
    }

    /**
     * Verifies the bundle, checks the model loads (keeping it only with preload), and starts listening.
     * Throws MldevException when the bundle or model is unusable, or the address cannot be listened on, so
     * nothing listens that cannot serve.
     */
    public static PredictServer start(
            ServeOptions options, ServeLimits limits, Bundle bundle, SessionFactory sessions) {
        InetSocketAddress address = address(options);
        bundle.verify();
        PredictServer server = new PredictServer(options, limits, bundle, sessions);
        try {
            if (options.preload()) {
                server.model.load();
            } else {
                server.model.checkLoadable();
            }
            server.listen(address);
        } catch (RuntimeException e) {
            server.stop(Duration.ZERO);
            throw e;
        }
        long period = Math.max(50, Math.min(options.idleUnload().toMillis() / 4, 10_000));
        server.reaper.scheduleAtFixedRate(server.model::unloadIfIdle, period, period, TimeUnit.MILLISECONDS);
        return server;
    }

    private static InetSocketAddress address(ServeOptions options) {
        if (options.port() < 0 || options.port() > 65535) {
            throw MldevException.usage(
                    "port " + options.port() + " is out of range", "use 1-65535, or 0 for a free port");
        }
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        if (address.isUnresolved()) {
            throw MldevException.usage(
                    "cannot resolve the host '" + options.host() + "' to listen on",
                    "give an address such as 127.0.0.1 or 0.0.0.0 with --host");
        }
        return address;
    }

    private void listen(InetSocketAddress address) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, connections)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channels.add(channel);
                        channel.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        new RequestDeadline(limits.headerTimeout(), limits.bodyTimeout()),
                                        new BodyLimit((int) Math.min(Integer.MAX_VALUE, options.maxBodyBytes())),
                                        new FlowControlHandler(),
                                        routes);
                    }
                });
        try {
            listener = bootstrap.bind(address).sync().channel();
        } catch (Exception e) { // sync() rethrows the bind's own exception, checked or not
            String where = options.host() + ":" + options.port();
            if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
                throw MldevException.usage(
                        "port " + options.port() + " on " + options.host() + " is already in use",
                        "stop what listens there, or choose another --port (0 picks a free one)");
            }
            throw MldevException.usage(
                    "cannot listen on " + where + ": " + e.getMessage(), "choose another --port or --host");
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * Refuses new requests (503), lets those in flight finish (up to the grace period), then closes the server
     * and frees the model.
     */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        channels.close().awaitUninterruptibly();
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        connections.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        batcher.close();
        reaper.shutdownNow();
        decoders.shutdown();
        model.unload();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(1));
    }

    private final Routes routes = new Routes();

    /**
     * Answers each whole request; runs on the connection's event loop, so it never blocks. A connection reads
     * nothing more until its request is answered (FlowControlHandler holds what was read already), so pipelined
     * requests are answered in order.
     */
    @ChannelHandler.Sharable
    private final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ctx.channel().config().setAutoRead(false);
            Reply reply = new Reply(ctx, HttpUtil.isKeepAlive(request));
            if (request.decoderResult().isFailure()) {
                reply.close = true;
                metrics.request(
                        "other",
                        reply.error(
                                400,
                                "malformed HTTP request: "
                                        + request.decoderResult().cause().getMessage()));
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            if (path.equals(options.predictRoute())) {
                predict(request, reply);
            } else if (path.equals(options.healthRoute())) {
                metrics.request("health", health(reply));
            } else if (path.equals("/metrics")) {
                metrics.request(
                        "metrics", reply.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
            } else if (DemoPage.isRoute(path)) {
                metrics.request("page", page(request.method(), path, reply));
            } else {
                metrics.request(
                        "other",
                        reply.error(
                                404,
                                "no route " + path + "; predict is POST " + options.predictRoute() + ", health is GET "
                                        + options.healthRoute()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a connection reset by the client, most often: nothing to answer
        }
    }

    private int health(Reply reply) {
        String problem = !batcher.isRunning()
                ? "cannot serve: the batch worker has stopped"
                : !model.healthy() ? "model cannot be loaded" : null;
        ServerHealth body = new ServerHealth(
                problem == null ? "ok" : problem,
                model.isLoaded(),
                Math.round(model.idleSeconds()),
                served.get(),
                ProcessHandle.current().pid(),
                bundleVersion);
        return reply.send(problem == null ? 200 : 503, "application/json", body.toJson());
    }

    private int page(HttpMethod method, String path, Reply reply) {
        if (!method.equals(HttpMethod.GET)) {
            reply.header("Allow", "GET");
            return reply.error(405, "use GET for " + path);
        }
        DemoPage.Asset asset = page.get(path);
        if (asset == null) {
            return reply.error(404, "no " + path + " here; the demo page is GET /");
        }
        asset.headers().forEach(reply::header);
        return reply.send(200, asset.contentType(), asset.body());
    }

    /** 0 when the client may predict now, else the seconds it must wait. */
    private long rateLimitWait(Reply reply) {
        return rateLimiter == null ? 0 : rateLimiter.acquire(reply.client());
    }

    private void rateLimited(PredictReply answer, long wait) {
        answer.reply.header("Retry-After", Long.toString(wait));
        answer.send(
                429,
                json(Map.of(
                        "error",
                        "rate limit: this address may make "
                                + options.rateLimit().perMinute() + " predictions a minute; retry in " + wait + " s",
                        "rate_limited",
                        true)));
    }

    private void predict(FullHttpRequest request, Reply reply) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        PredictReply answer = new PredictReply(reply, start);
        long wait = request.method().equals(HttpMethod.POST) ? rateLimitWait(reply) : 0;
        if (!request.method().equals(HttpMethod.POST)) {
            answer.error(405, "use POST for " + options.predictRoute());
        } else if (wait > 0) {
            rateLimited(answer, wait);
        } else if (!authorised(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            reply.header("WWW-Authenticate", "Bearer");
            answer.error(401, "missing or wrong bearer token");
        } else if (stopping) {
            answer.error(503, "server is stopping");
        } else {
            byte[] body = ByteBufUtil.getBytes(request.content());
            batcher.expect();
            try {
                decoders.execute(() -> decodeAndSubmit(body, answer));
            } catch (RejectedExecutionException e) {
                batcher.withdraw();
                answer.error(503, "server is stopping");
            }
        }
    }

    /** On a decoder thread: parse, check every image's size from its header, decode, queue for the batcher. */
    private void decodeAndSubmit(byte[] body, PredictReply answer) {
        boolean submitted = false;
        long reserved = 0;
        try {
            PredictRequest request = PredictRequest.parse(body);
            long total = 0;
            for (int i = 0; i < request.images().size(); i++) {
                ImageDecoder.Dimensions size =
                        ImageDecoder.dimensions(request.images().get(i), PredictRequest.name(i));
                limits.tensors().check(preprocessor, PredictRequest.name(i), size.width(), size.height());
                total += size.pixels();
            }
            if (total > limits.maxRequestPixels()) {
                answer.error(
                        413,
                        "the instances have " + total + " pixels together, more than the limit of "
                                + limits.maxRequestPixels() + " per request; send fewer or smaller images per request");
                return;
            }
            if (!pixels.tryReserve(total)) {
                answer.reply.header("Retry-After", "1");
                answer.error(503, "busy: other requests' images use the decoding memory; retry shortly");
                return;
            }
            reserved = total;
            List<Predictor.Decoded> images = new ArrayList<>();
            for (int i = 0; i < request.images().size(); i++) {
                images.add(Predictor.Decoded.of(new Predictor.Input(
                        PredictRequest.name(i), request.images().get(i))));
            }
            long held = reserved;
            submitted = true;
            reserved = 0;
            batcher.submit(images, request.topK())
                    .orTimeout(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .whenComplete((predictions, error) -> {
                        pixels.release(held);
                        answer(answer, predictions, error);
                    });
        } catch (PredictRequest.BadRequest | MldevException e) {
            answer.error(400, e.getMessage());
        } catch (OutOfMemoryError e) {
            answer.error(503, "not enough memory to decode this request now; retry, or send smaller images");
        } catch (RuntimeException e) {
            answer.error(500, "cannot decode the request: " + e);
        } finally {
            if (!submitted) {
                batcher.withdraw();
            }
            pixels.release(reserved);
        }
    }

    private void answer(PredictReply answer, List<Prediction> predictions, Throwable error) {
        if (error == null) {
            served.incrementAndGet();
            answer.send(200, PredictionJson.response(predictions));
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            answer.error(503, "the model did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } else if (cause instanceof MldevException e) {
            answer.error(e.kind() == MldevException.Kind.USAGE ? 400 : 500, e.getMessage());
        } else {
            answer.error(500, "prediction failed: " + cause);
        }
    }

    /** Constant-time comparison, so the token cannot be guessed byte by byte from timings; the scheme is case-insensitive. */
    private boolean authorised(String header) {
        if (token == null) {
            return true;
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    /** One predict request's answer: counted in the metrics, its latency observed, in flight no more. */
    private final class PredictReply {
        final Reply reply;
        private final long startNanos;

        PredictReply(Reply reply, long startNanos) {
            this.reply = reply;
            this.startNanos = startNanos;
        }

        void error(int status, String message) {
            done(status);
            reply.error(status, message);
        }

        void send(int status, String json) {
            done(status);
            reply.send(status, "application/json", json);
        }

        /** Counted before the answer goes out: a client that has its answer finds it in /metrics. */
        private void done(int status) {
            metrics.request("predict", status);
            metrics.latency((System.nanoTime() - startNanos) / 1e9);
            inFlight.decrementAndGet();
        }
    }

    /** Writes one response on a connection, from any thread, closing it afterwards unless kept alive. */
    private static final class Reply {
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private final Map<String, String> headers = new LinkedHashMap<>();
        boolean close;

        Reply(ChannelHandlerContext ctx, boolean keepAlive) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
        }

        void header(String name, String value) {
            headers.put(name, value);
        }

        int error(int status, String message) {
            return send(status, "application/json", json(Map.of("error", message)));
        }

        /** The client's address, what a rate limit counts by. */
        InetAddress client() {
            return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        }

        int send(int status, String type, String body) {
            return send(status, type, body.getBytes(StandardCharsets.UTF_8));
        }

        int send(int status, String type, byte[] body) {
            FullHttpResponse response = response(status, type, body);
            headers.forEach((name, value) -> response.headers().set(name, value));
            boolean open = keepAlive && !close;
            HttpUtil.setKeepAlive(response, open);
            var written = ctx.writeAndFlush(response);
            written.addListener(
                    open
                            ? (ChannelFutureListener) f -> f.channel().config().setAutoRead(true)
                            : ChannelFutureListener.CLOSE);
            return status;
        }
    }

    private static FullHttpResponse response(int status, String type, String body) {
        return response(status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse response(int status, String type, byte[] bytes) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Gathers a request's body up to the limit; a larger one gets a JSON 413. As Netty's own handling: the
     * connection stays open (the rest of the body read and dropped, under the body deadline) only when the
     * client can use it for another request.
     */
    private final class BodyLimit extends HttpObjectAggregator {
        BodyLimit(int maxBytes) {
            super(maxBytes);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            boolean close = oversized instanceof FullHttpMessage
                    || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
            FullHttpResponse response = response(
                    413,
                    "application/json",
                    json(Map.of("error", "body larger than " + options.maxBodyBytes() + " bytes")));
            HttpUtil.setKeepAlive(response, !close);
            if (close) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            metrics.request("predict", 413);
            ctx.writeAndFlush(response)
                    .addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
