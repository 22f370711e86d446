import Foundation

/// Direct writes to stderr, for notices that must not go through the log handler (so they
/// are never copied into log files) and must appear even if the process dies next.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Direct writes to stdout, for output meant for scripts (such as a new key).
enum StandardOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
