import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests (the `Authorization` header form, payload signed by
/// its SHA-256). Checked against the examples AWS publishes for S3 (`SigV4Tests`).
public struct SigV4: Sendable {
    public struct Credentials: Sendable {
        public var accessKeyID: String
        public var secretAccessKey: String
        /// For temporary credentials (`AWS_SESSION_TOKEN`): sent and signed as `x-amz-security-token`.
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    public var credentials: Credentials
    public var region: String
    public var service: String

    public init(credentials: Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The SHA-256 of no bytes: the payload hash of a request without a body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The headers to add to a request so that S3 accepts it: `x-amz-date`, `x-amz-content-sha256`,
    /// the session token if any, and `Authorization`.
    /// - Parameters:
    ///   - path: the URI path as sent, not yet encoded (`/bucket/key`)
    ///   - query: the query's pairs, not yet encoded
    ///   - headers: the other headers to sign; `host` must be among them
    ///   - payloadHash: the body's SHA-256 in hex (``emptyPayloadHash`` for none)
    public func sign(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String, date: Date
    ) -> [(String, String)] {
        let amzDate = Self.timestamp(date)
        var signed = headers
        signed.append(("x-amz-date", amzDate))
        signed.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        let (canonical, signedHeaders) = Self.canonicalRequest(
            method: method, path: path, query: query, headers: signed, payloadHash: payloadHash)
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.hex(SHA256.hash(data: Data(canonical.utf8))))"
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day)))
        var added = signed.filter { name, _ in ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token"].contains(name) }
        added.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
            ))
        return added
    }

    /// The key of one day, region and service.
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// The canonical request and the signed headers' names, as S3 defines them: the path encoded
    /// once (S3 does not normalise it), the query sorted by encoded name then value, header names
    /// in lowercase with their values trimmed and inner spaces folded.
    static func canonicalRequest(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String
    ) -> (String, String) {
        let uri = path.isEmpty ? "/" : encode(path, keepSlash: true)
        var pairs: [(name: String, value: String)] = []
        for (name, value) in query {
            pairs.append((encode(name, keepSlash: false), encode(value, keepSlash: false)))
        }
        pairs.sort { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        let queryString = pairs.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        var byName: [String: [String]] = [:]
        for (name, value) in headers {
            let words = value.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            byName[name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        let names = byName.keys.sorted()
        var canonicalHeaders = ""
        for name in names {
            canonicalHeaders += name + ":" + byName[name, default: []].joined(separator: ",") + "\n"
        }
        let signedHeaders = names.joined(separator: ";")
        let lines: [String] = [method, uri, queryString, canonicalHeaders, signedHeaders, payloadHash]
        return (lines.joined(separator: "\n"), signedHeaders)
    }

    /// Percent-encodes every byte but the unreserved ones (and `/` in a path), upper-case hex.
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
