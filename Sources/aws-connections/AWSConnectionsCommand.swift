import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `aws-connections`: the server and its admin commands.
@main
struct AWSConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws-connections",
        abstract: "A self-hostable server for the AWS private connections API, and its command-line client.",
        subcommands: [ServeCommand.self, KeysCommand.self, MigrateCommand.self, ConnectionsCommand.self]
    )

    static func main() async {
        // Run Swift Concurrency's jobs on NIO's event loops, so a request's handler runs on
        // the thread that owns its socket instead of hopping to the cooperative pool and
        // back; on 2 cores that hop was a large share of each request's cost. It must
        // happen before any task is scheduled, hence here, first.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        // A closed stderr pipe must cost a log line, not the process.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Flags the parser refuses exit 2, as the `connections` commands' documented usage
            // code (and most command-line tools) say, not ArgumentParser's 64.
            if exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
