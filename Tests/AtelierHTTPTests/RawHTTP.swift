import AtelierTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP spoken by hand over a socket, for what an ordinary client will not send.
enum RawHTTP {
    /// A socket connected to `port` on the loopback, whose reads and sends wait at most `readTimeout` seconds.
    /// The caller closes it.
    static func connect(port: Int, readTimeout: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("no socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw HarnessError("cannot connect to \(port)")
        }
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // A send the server stops taking gives up as well, instead of waiting for ever.
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Sends a POST whose body comes in `chunks` chunks of `chunk` bytes (no length given) and
    /// reads the status of the answer (0 when the connection closed without one). Returns it with
    /// how many chunks were sent before the server answered or closed the connection.
    static func chunkedUpload(port: Int, path: String, contentType: String, chunk: Int, chunks: Int) async throws -> (Int, Int) {
        try await onOwnThread {
            let fd = try connect(port: port, readTimeout: 10)
            defer { close(fd) }
            func send(_ bytes: [UInt8]) -> Bool {
                var offset = 0
                while offset < bytes.count {
                    let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { return false }
                    offset += n
                }
                return true
            }
            let head =
                "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: \(contentType)\r\nTransfer-Encoding: chunked\r\n\r\n"
            guard send(Array(head.utf8)) else { throw HarnessError("the server closed before the headers") }
            let body = Array(String(chunk, radix: 16).utf8) + [13, 10] + [UInt8](repeating: 0x20, count: chunk) + [13, 10]
            var sent = 0
            // Stop sending once an answer is waiting (poll) or the connection is closed.
            while sent < chunks {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, 0) > 0 { break }
                guard send(body) else { break }
                sent += 1
            }
            if sent == chunks { _ = send(Array("0\r\n\r\n".utf8)) }
            var answer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &answer, answer.count, 0)
            // A server that stops reading may close before its answer arrives (the unread bytes reset it).
            guard n > 12 else { return (0, sent) }
            let statusLine = String(decoding: answer[0..<n], as: UTF8.self).split(separator: " ")
            return (Int(statusLine[1]) ?? 0, sent)
        }
    }
}
