/// The OpenAPI 3.1 description of the REST API, served at `GET /openapi.json`: the file
/// `Resources/openapi.json`, embedded in the binary at build time (an installed binary needs no
/// resource bundle beside it). Kept by hand, next to the routes in ``APIServer``; tests check it
/// against the routes and the enums, and CI validates it (openapi-spec-validator) and fuzzes the
/// live server with it (schemathesis).
enum OpenAPIDocument {
    static let json = String(decoding: PackageResources.openapi_json, as: UTF8.self)
}
