/// The API's OpenAPI document, `openapi.json` beside this file, embedded at build time.
public enum OpenAPIDocument {
    /// The document's bytes, exactly as the file holds them.
    public static var bytes: [UInt8] { PackageResources.openapi_json }
}
