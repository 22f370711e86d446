public import Foundation
import Synchronization

/// A child started with posix_spawn, its stdout and stderr on pipes.
///
/// Not Foundation's `Process`: under the whole suite, with a thousand descriptors opened and
/// closed by other tests' threads, `Process.run()` crashed inside a memmove twice. Here the
/// child gets /dev/null, the two pipes, and nothing else of this process's.
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    /// The read ends of the child's stdout and stderr.
    public let standardOutput: FileHandle
    public let standardError: FileHandle
    private let exit = Mutex<Int32?>(nil)

    public init(executable: String, arguments: [String], environment: [String: String], directory: String? = nil) throws {
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        guard pipe(&output) == 0, pipe(&errors) == 0 else { throw TestFailure("pipe failed: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        closeInheritedDescriptors(&actions)
        if let directory {
            // glibc 2.29+ has it; Swift does not import it.
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
                throw TestFailure("posix_spawn_file_actions_addchdir_np is missing")
            }
            typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            _ = directory.withCString { unsafeBitCast(symbol, to: ChangeDirectory.self)(&actions, $0) }
        }
        var attributes = defaultSignalAttributes()
        defer { posix_spawnattr_destroy(&attributes) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(output[1])
        close(errors[1])
        guard status == 0 else {
            close(output[0])
            close(errors[0])
            throw TestFailure("cannot start \(executable): error \(status)")
        }
        self.pid = pid
        standardOutput = FileHandle(fileDescriptor: output[0], closeOnDealloc: true)
        standardError = FileHandle(fileDescriptor: errors[0], closeOnDealloc: true)
    }

    /// Reaps the child if it has exited; true while it runs.
    public var isRunning: Bool {
        exit.withLock { exit in
            if exit != nil { return false }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            guard reaped == pid else { return true }
            // WIFEXITED/WEXITSTATUS are macros Swift cannot import; a signal's number otherwise.
            exit = status & 0x7F == 0 ? (status >> 8) & 0xFF : status & 0x7F
            return false
        }
    }

    /// The exit status, or the number of the signal that ended it; nil while it runs.
    public var terminationStatus: Int32? {
        _ = isRunning
        return exit.withLock { $0 }
    }

    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }
}

/// Leaves the child none of this process's descriptors above stderr: a child holding a test's
/// pipe open would keep that test waiting for end-of-file. glibc 2.34+ has
/// posix_spawn_file_actions_addclosefrom_np, which Swift does not import.
func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
}

/// Spawn attributes giving the child default signal handling and no blocked signals, whatever
/// this process set: a handler for SIGTERM (service lifecycle's) sets it to be ignored, and an
/// ignored signal stays ignored across exec, so `kill` would no longer stop the child. The
/// caller destroys them.
func defaultSignalAttributes() -> posix_spawnattr_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    return attributes
}
