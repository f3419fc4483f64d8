import Foundation

/// A real SMTP server (aiosmtpd, `scripts/smtp-test-server`) for one test: the test command
/// installs it and names its python in `ATELIER_TEST_SMTP_PYTHON`.
package final class TestSMTPServer: @unchecked Sendable {
    package static let python = ProcessInfo.processInfo.environment["ATELIER_TEST_SMTP_PYTHON"]

    package let port: Int
    /// Where the server writes each message it accepts, one file each.
    package let folder: URL
    /// The certificate of the authority that signed the server's (with `--tls`).
    package var authority: String { folder.deletingLastPathComponent().appendingPathComponent("smtp-ca.pem").path }
    private let process: Process

    /// Starts the server with `options` (`--tls`, `--auth user:password`, `--refuse 1`, …).
    package init(_ options: [String] = []) throws {
        guard let python = Self.python else { throw TestSMTPError("ATELIER_TEST_SMTP_PYTHON is not set") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-smtp-\(UUID().uuidString)")
        folder = root.appendingPathComponent("received")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/smtp-test-server")
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, folder.path] + options
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "listening on PORT".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.readData(ofLength: 1)
            guard !chunk.isEmpty else { throw TestSMTPError("the SMTP server did not start") }
            line.append(chunk)
        }
        guard
            let port = Int(
                String(decoding: line, as: UTF8.self).split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        else { throw TestSMTPError("the SMTP server said no port") }
        self.port = port
    }

    /// The messages received so far, oldest first, as the server got them.
    package func messages() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted().compactMap {
            try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
    }

    /// Waits up to `seconds` for `count` messages.
    package func waitFor(_ count: Int, seconds: Double = 10) async throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while messages().count < count, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return messages()
    }

    deinit {
        // SIGKILL: the child may have SIGTERM blocked (Foundation's Process spawns it so).
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder.deletingLastPathComponent())
    }
}

package struct TestSMTPError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
