/// `openapi.json` beside this file, embedded at build time, so the server serves exactly the
/// document the types were generated from and needs no file at run time.
public enum OpenAPIFile {
    /// The file's bytes, as the repository holds them.
    public static var bytes: [UInt8] { PackageResources.openapi_json }
}
