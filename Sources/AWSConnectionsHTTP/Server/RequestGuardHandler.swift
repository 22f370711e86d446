import AWSConnectionsAPI
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Bounds how long a connection may take to deliver each request, and closes a connection
/// whose request body is still arriving when its answer has been written.
///
/// Hummingbird resets its idle timer on every byte and, after an early answer (401, 413, 415,
/// 404), keeps reading and discarding the rest of the body to reuse the connection, so a
/// client trickling bytes could hold a connection for ever without a key. Three rules here end
/// that, in the channel pipeline because no handler sees a request before its head is whole:
///
/// - From the moment a connection is ready for a request (opened, or the previous answer
///   written) the next request's head must arrive whole within `headTimeout` (the idle
///   timeout), however its bytes trickle; if not, the connection is closed without an answer.
///   An idle keep-alive connection therefore lives exactly as long as the idle timeout says,
///   which a load balancer in front relies on.
/// - Once a head has arrived, its body must end within `requestTimeout`; if not, the client
///   is answered 408 `request_timeout` and the connection is closed. Once a request has fully
///   arrived, the work it causes is bounded by the store's and AWS's own deadlines.
/// - An answer whose head is written while the request's body is still unread gets
///   `Connection: close`, and the connection is closed once it is written.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// No head of the next request has arrived yet.
    private var waitingForHead = true
    /// The current request's end has arrived.
    private var requestComplete = true
    private var responseStarted = false
    private var closeAfterResponse = false

    init(headTimeout: TimeAmount, requestTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armDeadline(context, in: headTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil { armDeadline(context, in: headTimeout) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            waitingForHead = false
            requestComplete = false
            responseStarted = false
            armDeadline(context, in: requestTimeout)
        case .body:
            break
        case .end:
            requestComplete = true
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            responseStarted = true
            if !requestComplete {
                head.headerFields[.connection] = "close"
                closeAfterResponse = true
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end(let trailers) where responseStarted:
            if closeAfterResponse {
                writeEndThenClose(context: context, trailers: trailers, promise: promise)
            } else {
                context.write(data, promise: promise)
                waitingForHead = true
                responseStarted = false
                armDeadline(context, in: headTimeout)
            }
        default:
            context.write(data, promise: promise)
        }
    }

    private func writeEndThenClose(context: ChannelHandlerContext, trailers: HTTPFields?, promise: EventLoopPromise<Void>?) {
        let written = context.eventLoop.makePromise(of: Void.self)
        if let promise { written.futureResult.cascade(to: promise) }
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: written)
    }

    private func armDeadline(_ context: ChannelHandlerContext, in timeout: TimeAmount) {
        deadline?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            handler.value.deadlinePassed(loopBound.value)
        }
    }

    private func deadlinePassed(_ context: ChannelHandlerContext) {
        deadline = nil
        guard context.channel.isActive else { return }
        if waitingForHead || responseStarted {
            context.close(promise: nil)
            return
        }
        // A head without its whole body: say why before closing.
        let body = Self.timeoutProblemBody(timeout: requestTimeout)
        var fields = HTTPFields()
        fields[.contentType] = "application/problem+json"
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        responseStarted = true
        closeAfterResponse = true
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .requestTimeout, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        writeEndThenClose(context: context, trailers: nil, promise: nil)
    }

    private static func timeoutProblemBody(timeout: TimeAmount) -> ByteBuffer {
        let seconds = Double(timeout.nanoseconds) / 1_000_000_000
        var problem = Problem(.requestTimeout, detail: "The request body did not arrive whole within \(seconds) seconds of its head.")
        problem.headers = [:]
        // No request reached the router, so there is no request id of Hummingbird's to give.
        return ProblemJSON.encode(problem, requestID: "none")
    }
}
