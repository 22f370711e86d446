// The benchmark's ceiling: a bare Hummingbird route answering GET /ceiling with a JSON body
// of a given size, and nothing else (no logging, no key, no store). `scripts/bench` loads it
// beside the real server's get-by-id, with a body of the same size, so the ratio between them
// is the share of the framework's throughput the service keeps after its own per-request work.
//
// Usage: bench-ceiling BODY_BYTES   (listens on 127.0.0.1, a free port, printed on stderr)

import Foundation
import Hummingbird
import Logging
import NIOCore

guard CommandLine.arguments.count == 2, let size = Int(CommandLine.arguments[1]), size >= 2 else {
    FileHandle.standardError.write(Data("usage: bench-ceiling BODY_BYTES (at least 2)\n".utf8))
    exit(64)
}

// A JSON string of the requested length: {"x":"aaaa…"}.
let padding = String(repeating: "a", count: max(0, size - 8))
let body = ByteBuffer(string: #"{"x":"\#(padding)"}"#)

let router = Router()
router.get("ceiling") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
var logger = Logger(label: "bench-ceiling")
logger.logLevel = .warning
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
    onServerRunning: { channel in
        let port = channel.localAddress?.port ?? 0
        FileHandle.standardError.write(Data("listening on http://127.0.0.1:\(port)\n".utf8))
    },
    logger: logger
)
try await app.runService()
