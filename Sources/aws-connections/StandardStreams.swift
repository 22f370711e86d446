#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to stderr: log lines and the one-time notices (such as the bootstrap
/// key) that must not go through the logger and must appear even if the process dies next.
enum StandardError {
    static func write(_ text: String) {
        writeAll(Array(text.utf8), to: 2)
    }

    static func write(_ bytes: [UInt8]) {
        writeAll(bytes, to: 2)
    }
}

/// Unbuffered writes to stdout, for output meant for scripts (such as a new key).
enum StandardOutput {
    static func write(_ text: String) {
        writeAll(Array(text.utf8), to: 1)
    }
}

/// One `write(2)` per call where the kernel allows it, retried on EINTR and short writes.
///
/// A failed write (a closed pipe: SIGPIPE is ignored at start) is dropped rather than
/// crashing, which is what Foundation's `FileHandle.write` would do.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
