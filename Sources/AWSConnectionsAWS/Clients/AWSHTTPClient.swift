public import AsyncHTTPClient

extension HTTPClient {
    /// The HTTP client every AWS call uses unless given another: one per process, like
    /// `HTTPClient.shared`, with the two settings where AWS calls need other defaults.
    ///
    /// - A refused or unreachable endpoint fails the call at once. The default retries the
    ///   connection until the call's deadline, so a stopped STS would look like a slow one and
    ///   every verify would wait the whole timeout before saying "timeout".
    /// - Redirects are not followed: S3 answers a request to the wrong region with a redirect,
    ///   and a signed request must not be replayed to another host.
    public static let aws: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
