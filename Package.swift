// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "aws-connections",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aws-connections", targets: ["aws-connections"]),
        // The Swift SDK: a typed client of the API, generated from the OpenAPI document.
        .library(name: "AWSConnectionsClient", targets: ["AWSConnectionsClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["JSON", "CommandLineArguments"]),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The domain: connections, ids, regions, validation, API keys and the store protocol.
        .target(
            name: "AWSConnectionsCore",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded store: SQLite through GRDB.
        .target(
            name: "AWSConnectionsSQLite",
            dependencies: [
                "AWSConnectionsCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The shared store: PostgreSQL through postgres-nio's pooled client.
        .target(
            name: "AWSConnectionsPostgres",
            dependencies: [
                "AWSConnectionsCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The AWS side: Signature Version 4, the credential chain, small STS and S3 clients, and
        // what the platform does with a connection's role (verify, presign, cached credentials).
        .target(
            name: "AWSConnectionsAWS",
            dependencies: [
                "AWSConnectionsCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The API as documented: `openapi.json`, served as is, and the types generated from it.
        .target(
            name: "AWSConnectionsAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            resources: [.embedInCode("openapi.json")],
            // The generator writes the same `public import`s into each of its files, so most
            // are unused in any one file; it marks them to be ignored only for Swift 6.4 and
            // later. This target holds nothing but generated code and a five-line accessor.
            swiftSettings: swiftSettings + [.unsafeFlags(["-suppress-warnings"])],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The Swift SDK: the client generated from the same `openapi.json` (a link to the API
        // target's) at build time, behind a small hand-written layer: typed problems, retries,
        // idempotent creates, paging. No unsafe flags here: a package that depends on this
        // library could not build it with them.
        .target(
            name: "AWSConnectionsClient",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The HTTP layer: routes, auth, problem+json, request ids, request logs, metrics.
        .target(
            name: "AWSConnectionsHTTP",
            dependencies: [
                "AWSConnectionsAPI",
                "AWSConnectionsCore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // The request guard's pipeline handler and the connection limit.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command line: `serve` and `keys`, configuration, wiring.
        .executableTarget(
            name: "aws-connections",
            dependencies: [
                "AWSConnectionsClient",
                "AWSConnectionsCore",
                "AWSConnectionsSQLite",
                "AWSConnectionsPostgres",
                "AWSConnectionsHTTP",
                "AWSConnectionsAWS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The benchmark's ceiling: a bare Hummingbird route, loaded by scripts/bench.
        .executableTarget(
            name: "bench-ceiling",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSConnectionsCoreTests",
            dependencies: ["AWSConnectionsCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSConnectionsAWSTests",
            dependencies: ["AWSConnectionsAWS", "AWSConnectionsCore", "AWSConnectionsTestSupport"],
            swiftSettings: swiftSettings
        ),
        // Shared by the store and HTTP tests: the throwaway PostgreSQL cluster, the store kinds,
        // temporary databases, and a fresh store with keys on each kind.
        .target(
            name: "AWSConnectionsTestSupport",
            dependencies: [
                "AWSConnectionsCore",
                "AWSConnectionsSQLite",
                "AWSConnectionsPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/AWSConnectionsTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSConnectionsStoreTests",
            dependencies: [
                "AWSConnectionsCore",
                "AWSConnectionsSQLite",
                "AWSConnectionsPostgres",
                "AWSConnectionsTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSConnectionsHTTPTests",
            dependencies: [
                "AWSConnectionsAPI",
                "AWSConnectionsAWS",
                "AWSConnectionsCore",
                "AWSConnectionsSQLite",
                "AWSConnectionsPostgres",
                "AWSConnectionsHTTP",
                "AWSConnectionsTestSupport",
                "AWSConnectionsClient",
                "aws-connections",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
