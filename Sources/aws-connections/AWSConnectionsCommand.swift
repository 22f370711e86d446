import ArgumentParser

/// `aws-connections`: the server and its admin commands.
@main
struct AWSConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws-connections",
        abstract: "A self-hostable server for the AWS private connections API.",
        subcommands: [ServeCommand.self, KeysCommand.self]
    )
}
