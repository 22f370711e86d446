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
        abstract: "A self-hostable server for the AWS private connections API.",
        subcommands: [ServeCommand.self, KeysCommand.self, MigrateCommand.self]
    )

    static func main() async {
        // Run Swift Concurrency's jobs on NIO's event loops, so a request's handler runs on
        // the thread that owns its socket instead of hopping to the cooperative pool and
        // back; on 2 cores that hop was a large share of each request's cost. It must
        // happen before any task is scheduled, hence here, first.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        // A closed stderr pipe must cost a log line, not the process.
        signal(SIGPIPE, SIG_IGN)
        await main(nil)
    }
}
