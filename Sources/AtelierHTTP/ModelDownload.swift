import AtelierServices
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one way a stored model file is sent (the viewer's STL, the workshop's download): streamed
/// from the store as it is read, with the model's hash as its `ETag` (`If-None-Match` in its list
/// and weak forms: 304), and `Range` (one range of bytes: 206; past the end: 416; several ranges,
/// or an `If-Range` for another version: the whole file).
public enum ModelDownload {
    /// The answer to `request` for `file`; `headers` are added (type, disposition, caching).
    public static func response(for file: ModelFile, request: Request, headers extra: HTTPFields) async throws -> Response {
        let etag = "\"\(file.hash)\""
        var headers = extra
        headers[.eTag] = etag
        headers[.acceptRanges] = "bytes"
        if let condition = request.headers[.ifNoneMatch], matches(condition, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        var range: ClosedRange<Int64>?
        if let asked = request.headers[.range], request.headers[.ifRange].map({ $0 == etag }) ?? true {
            switch parse(range: asked, size: file.size) {
            case .whole: break
            case let .part(part): range = part
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(file.size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
        }
        let chunks = try await file.read(range: range)
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(file.size)"
            headers[.contentLength] = String(range.count)
            return Response(status: .partialContent, headers: headers, body: ResponseBody(asyncSequence: chunks))
        }
        headers[.contentLength] = String(file.size)
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: chunks))
    }

    /// Whether an `If-None-Match` value names `etag`: `*`, or a list of tags compared weakly
    /// (`W/"x"` matches `"x"`).
    public static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",").contains { tag in
            var tag = tag.trimmingCharacters(in: .whitespaces)[...]
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            return tag == etag
        }
    }

    enum RangeAnswer: Equatable {
        case whole
        case part(ClosedRange<Int64>)
        case unsatisfiable
    }

    /// One `bytes=` range of a file of `size` bytes: `a-b`, `a-` or `-n`. Several ranges, another
    /// unit, or a value that does not parse are answered with the whole file, as HTTP allows.
    static func parse(range value: String, size: Int64) -> RangeAnswer {
        guard value.hasPrefix("bytes="), value.utf8.count <= 100 else { return .whole }
        let spec = value.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        func number(_ text: Substring) -> Int64? {
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
            return Int64(text)
        }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = number(last) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)...(size - 1))
        }
        guard let start = number(first) else { return .whole }
        let end: Int64
        if last.isEmpty {
            end = size - 1
        } else {
            guard let asked = number(last), asked >= start else { return .whole }
            end = min(asked, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .part(start...end)
    }
}
