import AtelierHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// Static files (CSS, scripts, the 3D viewer), loaded into memory at start.
struct Assets: Sendable {
    struct File: Sendable {
        var bytes: [UInt8]
        var contentType: String
        var etag: String
    }

    let files: [String: File]

    init(directory: URL) throws {
        var files: [String: File] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            let type =
                switch (name as NSString).pathExtension {
                case "css": "text/css; charset=utf-8"
                case "js": "text/javascript; charset=utf-8"
                case "svg": "image/svg+xml"
                default: "application/octet-stream"
                }
            files[name] = File(bytes: bytes, contentType: type, etag: "\"\(bytes.count)-\(String(PNG.crc32(bytes), radix: 16))\"")
        }
        self.files = files
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("{name}") { request, context -> Response in
            let name = try context.parameters.require("name")
            guard let file = files[name] else { throw HTTPError(.notFound, message: "There is no asset '\(name)'.") }
            if request.headers[.ifNoneMatch] == file.etag { return Response(status: .notModified, headers: [.eTag: file.etag]) }
            return Response(
                status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=300", .eTag: file.etag],
                body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }
}
