import AWSConnectionsCore
import NIOCore

extension JSONWriter {
    /// The finished document, as a response body.
    var buffer: ByteBuffer {
        ByteBuffer(bytes: bytes)
    }
}
