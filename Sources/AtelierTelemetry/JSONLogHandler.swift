import Foundation
import Logging
import Synchronization

/// Writes one JSON object per line: time, level, message, label, source and every metadata value.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    let output: @Sendable (String) -> Void

    public init(
        label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = .traceIDs,
        output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadataProvider?.get() ?? [:] { fields[key] = "\(value)" }
        for (key, value) in metadata { fields[key] = "\(value)" }
        for (key, value) in event.metadata ?? [:] { fields[key] = "\(value)" }
        fields["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        fields["level"] = event.level.rawValue
        fields["message"] = "\(event.message)"
        fields["label"] = label
        output(Self.line(fields))
    }

    /// One JSON object with the keys in byte order. Written by hand: a log line is written for
    /// every request, and JSONSerialization's locale-aware key sorting cost a fifth of a request.
    static func line(_ fields: [String: String]) -> String {
        var out = "{"
        for (index, key) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out += "," }
            escape(key, into: &out)
            out += ":"
            escape(fields[key] ?? "", into: &out)
        }
        return out + "}"
    }

    static func escape(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                let hexDigits = Array("0123456789abcdef")
                out += "\\u00" + String(hexDigits[Int(control.value >> 4)]) + String(hexDigits[Int(control.value & 0xF)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static let lock = Mutex(())

    /// Writes a line to standard error, whole.
    public static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

extension Logger.MetadataProvider {
    /// `trace.id` and `span.id` of the span current where the line is logged.
    public static let traceIDs = Logger.MetadataProvider {
        guard let ids = TraceContext.currentIDs() else { return [:] }
        return ["trace.id": "\(ids.traceID)", "span.id": "\(ids.spanID)"]
    }
}

/// Sets up logging for the process once: JSON lines at `level`.
public enum Telemetry {
    public static func bootstrapLogging(level: String) {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: parsed) }
    }
}
