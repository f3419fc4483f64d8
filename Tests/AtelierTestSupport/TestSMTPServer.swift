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

    /// Starts the server with `options` (`--tls`, `--auth user:password`, `--refuse 1`, …) and waits,
    /// on a thread of its own (never one the tests share), until it listens: 60 s at most.
    package static func start(_ options: [String] = []) async throws -> TestSMTPServer {
        guard let python else { throw TestSMTPError("ATELIER_TEST_SMTP_PYTHON is not set") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-smtp-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("received")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/smtp-test-server")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, folder.path] + options
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A server that never says it listens is killed, so the read below ends.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            kill(process.processIdentifier, SIGKILL)
        }
        defer { watchdog.cancel() }
        // The first line is "listening on PORT".
        let line = try await onOwnThread { () throws -> String in
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.readData(ofLength: 1)
                guard !chunk.isEmpty else { throw TestSMTPError("the SMTP server did not start within 60 s") }
                line.append(chunk)
            }
            return String(decoding: line, as: UTF8.self)
        }
        guard let port = Int(line.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSMTPError("the SMTP server said no port")
        }
        return TestSMTPServer(process: process, port: port, folder: folder)
    }

    private init(process: Process, port: Int, folder: URL) {
        self.process = process
        self.port = port
        self.folder = folder
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
        // SIGKILL: the child may have SIGTERM blocked (Foundation's Process spawns it so). Not waited
        // for: that would hold a thread the tests share, and Foundation reaps it.
        kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(at: folder.deletingLastPathComponent())
    }
}

package struct TestSMTPError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
