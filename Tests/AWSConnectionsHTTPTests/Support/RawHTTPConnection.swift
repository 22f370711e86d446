import AWSConnectionsTestSupport
import Dispatch
import Foundation

/// A bare TCP connection to 127.0.0.1, for bytes an HTTP client will not send: a request in
/// pieces, a body that never ends, a path a client refuses.
///
/// Reads block, so they run on a Dispatch thread: a test blocking one of Swift's few
/// cooperative threads on a socket would starve the handlers of a server in the same process,
/// which would then never answer it.
final class RawHTTPConnection: @unchecked Sendable {
    // @unchecked: the descriptor is written by one task and read by another at most, and the
    // kernel orders both.
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw TestFailure("connect failed: \(errno)")
        }
        // A server that never answers fails the test instead of hanging it.
        setReceiveTimeout(.seconds(10))
    }

    deinit {
        close(descriptor)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw TestFailure("write: \(errno)") }
            sent += written
        }
    }

    /// Reads until the peer closes or the headers and a Content-Length body have arrived.
    func receive() async -> String {
        await offThePool { [self] in
            readLoop { text in
                guard let headerEnd = text.range(of: "\r\n\r\n"),
                    let length = text.firstMatch(of: /(?i)content-length: (\d+)/).flatMap({ Int($0.1) })
                else { return false }
                return text[headerEnd.upperBound...].utf8.count >= length
            }.text
        }
    }

    /// Everything received until the peer closes (true) or `timeout` passes with nothing more (false).
    func readUntilClosed(timeout: Duration) async -> (String, Bool) {
        await offThePool { [self] in
            setReceiveTimeout(timeout)
            defer { setReceiveTimeout(.seconds(10)) }
            let result = readLoop { _ in false }
            return (result.text, result.closed)
        }
    }

    /// Reads until `isWhole` says the text so far is enough, the peer closes (`closed`; a reset
    /// counts), or the receive timeout passes (not `closed`).
    private func readLoop(until isWhole: (String) -> Bool) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), errno == ECONNRESET) }
            received += chunk[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            if isWhole(text) { return (text, false) }
        }
    }

    /// Ends the connection both ways now, as a client that goes away does.
    func shutDown() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func setReceiveTimeout(_ timeout: Duration) {
        let microseconds = timeout.components.attoseconds / 1_000_000_000_000
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(microseconds))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    private func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}

/// Writes `request` on a connection of its own and reads the answer until the server closes.
func rawExchange(port: Int, _ request: String) async throws -> String {
    let connection = try RawHTTPConnection(port: port)
    try connection.send(request)
    return await connection.readUntilClosed(timeout: .seconds(10)).0
}

/// A create whose head and first bytes of body are sent, the rest held back: a request in
/// flight across whatever the test does next (a signal, a drain).
struct InFlightCreate {
    static let body = #"{"name":"in flight","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
    private let socket: RawHTTPConnection

    init(port: Int, key: String) throws {
        socket = try RawHTTPConnection(port: port)
        try socket.send(
            "POST \(collectionPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(key)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(Self.body.utf8.count)\r\n\r\n" + Self.body.prefix(20))
    }

    /// Sends the rest of the body and returns the raw answer.
    func finish() async throws -> String {
        try socket.send(String(Self.body.dropFirst(20)))
        return await socket.receive()
    }
}
