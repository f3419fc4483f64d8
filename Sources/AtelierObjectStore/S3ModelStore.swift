import AsyncHTTPClient
import AtelierStorage
import Foundation
import NIOCore
import NIOHTTP1

/// Models in any S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph): one object per model,
/// named `PREFIX/<sha256>`, written with the SHA-256 as the signed payload hash, so the service
/// itself refuses a body that is not the model it is named after.
public final class S3ModelStore: ModelStore {
    public struct Settings: Sendable {
        public var bucket: String
        public var prefix: String
        /// `https://s3.eu-central-1.amazonaws.com`, `http://127.0.0.1:8333`…
        public var endpoint: URL
        public var region: String
        /// `https://host/bucket/key` rather than `https://bucket.host/key`.
        public var pathStyle: Bool
        public var credentials: SigV4.Credentials

        public init(bucket: String, prefix: String, endpoint: URL, region: String, pathStyle: Bool, credentials: SigV4.Credentials) {
            self.bucket = bucket
            self.prefix = prefix
            self.endpoint = endpoint
            self.region = region
            self.pathStyle = pathStyle
            self.credentials = credentials
        }

        /// `ATELIER_MODEL_STORE=s3://bucket/prefix` with `ATELIER_S3_ENDPOINT`, `ATELIER_S3_REGION`,
        /// `ATELIER_S3_PATH_STYLE` and the usual `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
        /// `AWS_SESSION_TOKEN`; a mistake is ``ModelStoreError/misconfigured(_:)``.
        public init(url: String, environment: [String: String]) throws {
            guard let components = URLComponents(string: url), components.scheme == "s3", let bucket = components.host,
                Self.validBucket(bucket)
            else {
                throw ModelStoreError.misconfigured(
                    "ATELIER_MODEL_STORE must look like s3://bucket/prefix (a bucket name of 3 to 63 lowercase letters, digits, dots and hyphens)"
                )
            }
            let prefix = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard prefix.utf8.count <= 200 else {
                throw ModelStoreError.misconfigured("the prefix in ATELIER_MODEL_STORE is longer than 200 bytes")
            }
            let region = environment["ATELIER_S3_REGION"] ?? environment["AWS_REGION"] ?? "us-east-1"
            guard !region.isEmpty, region.utf8.count <= 40, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw ModelStoreError.misconfigured("ATELIER_S3_REGION is not a region name")
            }
            let endpointText = environment["ATELIER_S3_ENDPOINT"] ?? "https://s3.\(region).amazonaws.com"
            guard let endpoint = URL(string: endpointText), ["http", "https"].contains(endpoint.scheme ?? ""), endpoint.host != nil,
                endpoint.path.isEmpty || endpoint.path == "/"
            else {
                throw ModelStoreError.misconfigured("ATELIER_S3_ENDPOINT must be http(s)://host[:port], without a path")
            }
            guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"],
                !secret.isEmpty
            else {
                throw ModelStoreError.misconfigured("an S3 model store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            let pathStyle: Bool
            switch environment["ATELIER_S3_PATH_STYLE"] {
            case nil: pathStyle = environment["ATELIER_S3_ENDPOINT"] != nil || bucket.contains(".")
            case "1", "true": pathStyle = true
            case "0", "false": pathStyle = false
            default: throw ModelStoreError.misconfigured("ATELIER_S3_PATH_STYLE is 1 or 0")
            }
            self.init(
                bucket: bucket, prefix: prefix, endpoint: endpoint, region: region, pathStyle: pathStyle,
                credentials: SigV4.Credentials(
                    accessKeyID: key, secretAccessKey: secret,
                    sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }))
        }

        static func validBucket(_ name: String) -> Bool {
            (3...63).contains(name.utf8.count)
                && name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 46 || $0 == 45 }
        }
    }

    let settings: Settings
    let signer: SigV4
    let client: HTTPClient
    /// Longest wait for an answer's head; a body streams as long as it flows.
    let timeout: TimeAmount

    public init(settings: Settings, timeout: TimeAmount = .seconds(10)) {
        self.settings = settings
        self.signer = SigV4(credentials: settings.credentials, region: settings.region)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(3), read: timeout)
        configuration.redirectConfiguration = .disallow
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
    }

    // Shut down without blocking: the last reference may go on one of the client's own event loops,
    // where a synchronous shutdown is refused. The client lives until its connections are closed.
    deinit { _ = client.shutdown() }

    /// Asks for one key of the bucket: a wrong bucket, bad credentials or a store that is down
    /// are told at start, not at the first upload.
    public func check() async throws {
        _ = try await list(continuation: nil, maxKeys: 1)
    }

    func key(_ hash: String) -> String { settings.prefix.isEmpty ? hash : "\(settings.prefix)/\(hash)" }

    public func put(hash: String, fromFile path: String) async throws {
        try ModelStoreError.check(hash)
        // Always sent, even when the bucket holds it: the same bytes, and a new LastModified, which
        // is what the collection of unreferenced objects waits on.
        guard let (length, chunks) = try FileModelStore.chunks(ofFile: path, chunkSize: 1 << 20) else {
            throw ModelStoreError.unavailable("the upload's file \(path) is gone")
        }
        let body = HTTPClientRequest.Body.stream(chunks, length: .known(length))
        // The wait for the answer covers sending the body: the usual wait, and a second for each
        // 5 MB (a store slower than that is treated as away).
        let response = try await send(
            "PUT", key: key(hash), headers: [("content-type", "application/octet-stream")], payloadHash: hash, body: body,
            wait: timeout + .seconds(length / 5_000_000))
        try await expect(response, [200], doing: "store the model \(hash)")
    }

    public func size(hash: String) async throws -> Int64? {
        try ModelStoreError.check(hash)
        let response = try await send("HEAD", key: key(hash))
        if response.status == .notFound { return nil }
        try await expect(response, [200], doing: "look up the model \(hash)")
        return response.headers.first(name: "content-length").flatMap(Int64.init)
    }

    public func read(hash: String, range: ClosedRange<Int64>?) async throws -> ModelChunks? {
        try ModelStoreError.check(hash)
        var headers: [(String, String)] = []
        if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let response = try await send("GET", key: key(hash), headers: headers)
        if response.status == .notFound { return nil }
        if response.status == .rangeNotSatisfiable { return ModelChunks { nil } }
        guard [200, 206].contains(response.status.code) else {
            try await expect(response, [], doing: "read the model \(hash)")
            return nil
        }
        let iterator = BodyIterator(response.body.makeAsyncIterator())
        return ModelChunks { try await iterator.next() }
    }

    public func delete(hash: String) async throws {
        try ModelStoreError.check(hash)
        let response = try await send("DELETE", key: key(hash))
        try await expect(response, [200, 204, 404], doing: "delete the model \(hash)")
    }

    public func objects() async throws -> [StoredModel] {
        var found: [StoredModel] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            let (keys, next) = try await list(continuation: token, maxKeys: 1000)
            // A server that keeps saying "truncated" with a token it gave before, or with no keys,
            // would page for ever: such an answer ends the listing as an error.
            if let next, keys.isEmpty || !seen.insert(next).inserted {
                throw ModelStoreError.unavailable("the bucket's listing repeats itself (continuation token seen before)")
            }
            found += keys.compactMap { object in
                let name = object.key.split(separator: "/").last.map(String.init) ?? object.key
                return (try? ModelStoreError.check(name)) != nil
                    ? StoredModel(hash: name, size: object.size, modified: object.modified) : nil
            }
            token = next
        } while token != nil
        return found
    }

    /// One page of ListObjectsV2 under the prefix: its objects and the next page's token.
    func list(continuation: String?, maxKeys: Int) async throws -> ([(key: String, size: Int64, modified: Date)], String?) {
        var query = [("list-type", "2"), ("max-keys", "\(maxKeys)")]
        if !settings.prefix.isEmpty { query.append(("prefix", settings.prefix + "/")) }
        if let continuation { query.append(("continuation-token", continuation)) }
        let response = try await send("GET", key: nil, query: query)
        let body = try await expect(response, [200], doing: "list the bucket \(settings.bucket)")
        let keys = XMLText.values(of: "Contents", in: body).map { object in
            (
                key: XMLText.values(of: "Key", in: object).first ?? "",
                size: XMLText.values(of: "Size", in: object).first.flatMap(Int64.init) ?? 0,
                // An object whose time cannot be read counts as put now: never old enough to collect.
                modified: XMLText.values(of: "LastModified", in: object).first.flatMap(Self.timestamp) ?? Date()
            )
        }
        let truncated = XMLText.values(of: "IsTruncated", in: body).first == "true"
        return (keys, truncated ? XMLText.values(of: "NextContinuationToken", in: body).first : nil)
    }

    /// A listing's `LastModified` (ISO 8601, with or without fractions of a second).
    static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Signs and sends one request and waits for its answer's head at most `wait` (the store's timeout unless
    /// given); a store that cannot be reached is ``ModelStoreError/unavailable(_:)``.
    func send(
        _ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        payloadHash: String = SigV4.emptyPayloadHash, body: HTTPClientRequest.Body? = nil, wait: TimeAmount? = nil
    ) async throws -> HTTPClientResponse {
        let host = settings.endpoint.host!
        let port = settings.endpoint.port.map { ":\($0)" } ?? ""
        let authority = settings.pathStyle ? "\(host)\(port)" : "\(settings.bucket).\(host)\(port)"
        var path = settings.pathStyle ? "/\(settings.bucket)" : ""
        if let key { path += "/" + key } else if !settings.pathStyle { path = "/" }
        var all = headers
        all.append(("host", authority))
        let signed = signer.sign(method: method, path: path, query: query, headers: all, payloadHash: payloadHash, date: Date())
        let encodedQuery = query.map { "\(SigV4.encode($0.0, keepSlash: false))=\(SigV4.encode($0.1, keepSlash: false))" }
            .joined(separator: "&")
        var request = HTTPClientRequest(
            url:
                "\(settings.endpoint.scheme!)://\(authority)\(SigV4.encode(path, keepSlash: true))\(encodedQuery.isEmpty ? "" : "?" + encodedQuery)"
        )
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers + signed { request.headers.add(name: name, value: value) }
        if let body { request.body = body }
        do {
            return try await client.execute(request, timeout: wait ?? timeout)
        } catch {
            throw ModelStoreError.unavailable("\(method) \(settings.endpoint.host ?? "") failed: \(error)")
        }
    }

    /// The body of an answer with one of `statuses` (at most 1 MiB); otherwise the error S3 gave,
    /// as a misconfiguration (403, a missing bucket) or as unavailable (5xx, anything else).
    @discardableResult
    func expect(_ response: HTTPClientResponse, _ statuses: Set<UInt>, doing what: String) async throws -> String {
        let text = String(buffer: (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer())
        if statuses.contains(response.status.code) { return text }
        let code = XMLText.values(of: "Code", in: text).first ?? "HTTP \(response.status.code)"
        switch (response.status.code, code) {
        case (404, "NoSuchBucket"):
            throw ModelStoreError.misconfigured("The bucket \(settings.bucket) does not exist at \(settings.endpoint.host ?? "")")
        case (403, _), (400, "InvalidAccessKeyId"), (400, "AuthorizationHeaderMalformed"):
            throw ModelStoreError.misconfigured(
                "The object store refused Atelier's credentials to \(what) (\(code)): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and ATELIER_S3_REGION"
            )
        default:
            throw ModelStoreError.unavailable("cannot \(what): \(code)")
        }
    }
}

/// An answer's body, pulled by one consumer.
final class BodyIterator: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> ByteBuffer? {
        do {
            return try await iterator.next()
        } catch {
            throw ModelStoreError.unavailable("the model's download broke off: \(error)")
        }
    }
}

/// The text of an element in S3's small XML answers (keys are our hashes; tokens are opaque).
enum XMLText {
    static func values(of element: String, in xml: String) -> [String] {
        var values: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(element)>"), let close = rest.range(of: "</\(element)>", range: open.upperBound..<rest.endIndex)
        {
            values.append(unescape(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return values
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
